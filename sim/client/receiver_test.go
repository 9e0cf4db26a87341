package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

func TestReceiverRepliesAsItsOutagesSay(t *testing.T) {
	t.Parallel()
	r := NewReceiver(scenario.Webhook{}, NewOutages([]scenario.Outage{
		{At: scenario.Duration(time.Hour), For: scenario.Duration(time.Hour), Mode: "hang"},
		{At: scenario.Duration(10 * time.Minute), For: scenario.Duration(time.Minute), Mode: "refuse"},
	}), random.New(1, "r"))
	cases := map[time.Duration]Reply{
		0:                             Accept,
		10*time.Minute - 1:            Accept,
		10 * time.Minute:              Refuse,
		11*time.Minute - 1:            Refuse,
		11 * time.Minute:              Accept,
		time.Hour:                     Hang,
		2*time.Hour - time.Nanosecond: Hang,
		2 * time.Hour:                 Accept,
		100 * time.Hour:               Accept,
	}
	for at, want := range cases {
		assert.Equal(t, want, r.Arrive(at, store.Event{Seq: 1}).Reply, "Arrive(%v)", at)
	}
}
