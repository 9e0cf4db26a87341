package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketWidthIsTheNarrowestRoundOneThatFits(t *testing.T) {
	t.Parallel()
	cases := map[time.Duration]time.Duration{
		time.Second:           time.Second,
		2 * time.Minute:       time.Second,
		2*time.Minute + 1:     5 * time.Second,
		time.Hour:             30 * time.Second,
		169 * time.Hour:       2 * time.Hour,
		30 * 24 * time.Hour:   6 * time.Hour,
		3650 * 24 * time.Hour: 31 * 24 * time.Hour,
	}
	for span, want := range cases {
		got := bucketWidth(span)
		assert.Equal(t, want, got, "bucketWidth(%v)", span)
		assert.LessOrEqual(t, int((span+got-1)/got), maxBuckets, "buckets for %v", span)
	}
}

func TestTimelineAddsUpToTheTotals(t *testing.T) {
	t.Parallel()
	r := NewRecorder(Config{Duration: time.Hour, End: 2 * time.Hour, Resources: 1,
		Clients: []ClientConfig{{Name: "c", Outages: []Outage{{AtS: 60, ForS: 30, Mode: "hang"}}}}})
	for i := range 100 {
		at := time.Duration(i) * 70 * time.Second // some during the drain
		r.Created(int64(i+1), at)
		r.Sent(0, Poll, at)
		r.Held(0, int64(i+1), 0, at, at)
	}
	r.Lost(0, 101, 90*time.Minute, RetriesExhausted)
	r.Created(101, 3*time.Hour) // outside the run: not in the timeline
	res, err := r.Results(ScenarioInfo{}, RunInfo{}, 101, []Tally{{}})
	require.NoError(t, err)
	assert.Equal(t, 60.0, res.Timeline.BucketS)
	require.Len(t, res.Timeline.Emitted, 120)
	sum := func(v []int64) (n int64) {
		for _, x := range v {
			n += x
		}
		return n
	}
	c := res.Clients[0]
	assert.Equal(t, int64(100), sum(res.Timeline.Emitted))
	assert.Equal(t, int64(100), sum(c.Timeline.Requests), "drain included")
	assert.Less(t, c.Requests.Total, int64(100), "the totals count only the window")
	assert.Equal(t, c.Delivered, sum(c.Timeline.Deliveries))
	assert.Equal(t, int64(1), c.Timeline.Drops[90])
	assert.Equal(t, []Outage{{AtS: 60, ForS: 30, Mode: "hang"}}, c.Outages)
}
