package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/scenario"
)

func TestOutages(t *testing.T) {
	t.Parallel()
	m := time.Minute
	list := []scenario.Outage{
		{At: d(30 * m), For: d(10 * m), Mode: "hang"},
		{At: d(5 * m), For: d(m), Mode: "refuse"},
	}
	o := NewOutages(list)
	assert.Equal(t, d(30*m), list[0].At, "NewOutages leaves its argument alone")
	tests := []struct {
		at   time.Duration
		down bool
		mode string
	}{
		{0, false, ""},
		{5*m - 1, false, ""},
		{5 * m, true, "refuse"},
		{6*m - 1, true, "refuse"},
		{6 * m, false, ""},
		{30 * m, true, "hang"},
		{40*m - 1, true, "hang"},
		{40 * m, false, ""},
		{time.Hour, false, ""},
	}
	for _, tt := range tests {
		w, down := o.At(tt.at)
		assert.Equal(t, tt.down, down, "At(%v) down", tt.at)
		assert.Equal(t, tt.down, o.Down(tt.at), "Down(%v)", tt.at)
		assert.Equal(t, tt.mode, w.Mode, "At(%v).Mode", tt.at)
	}
	assert.False(t, Outages(nil).Down(time.Hour), "no outages")
}
