package store

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// The sender loses events and attempts at the rates the scenario gives,
// independently, and draws nothing when it loses none.
func TestFaultsLoseAtTheirRates(t *testing.T) {
	t.Parallel()
	const n = 100_000
	f := NewFaults(scenario.Webhooks{SilentLoss: 0.2, Failures: 0.05}, random.Stream(1, "faults"))
	var silent, failed int
	for range n {
		if f.LosesSilently() {
			silent++
		}
		if f.FailsOnTheWay() {
			failed++
		}
	}
	for _, c := range []struct {
		name string
		p    float64
		got  int
	}{{"silent loss", 0.2, silent}, {"failures", 0.05, failed}} {
		assert.InDelta(t, c.p, float64(c.got)/n, 4*math.Sqrt(c.p*(1-c.p)/n), c.name)
	}

	none := NewFaults(scenario.Webhooks{}, random.Stream(1, "faults"))
	for range 1000 {
		assert.False(t, none.LosesSilently())
		assert.False(t, none.FailsOnTheWay())
	}
	fresh := random.Stream(1, "faults")
	assert.Equal(t, fresh.Uint64(), none.rng.Uint64(), "no draw when nothing can be lost")
}
