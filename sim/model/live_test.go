package model

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
)

// A live run's deliveries are late by the wire, up to the speedup × (the
// longest lateness + the longest exchange): the latencies' tolerances take
// that in,
// and what the wire moves beyond the models (freshness, order, duplicates)
// is not checked.
func TestLiveRunsAllowForTheWire(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, `
duration: 48h
store: {arrivals: {process: poisson, rate: 120/h}}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: hook, webhook: {}}
`)
	run := func() *metrics.Results {
		res, err := des.Run(context.Background(), sc, des.Options{})
		require.NoError(t, err)
		// As if the wire had held every delivery 1.5 s of scenario time.
		for i := range res.Clients {
			l := &res.Clients[i].Latency
			l.MeanS, l.P50S, l.P90S, l.P99S = l.MeanS+1.5, l.P50S+1.5, l.P90S+1.5, l.P99S+1.5
		}
		return res
	}
	simulated := run()
	assert.Contains(t, Check(sc, simulated), "hook: p50_latency_s", "a simulation has no wire to blame")

	live := run()
	behind := metrics.WallLatency{MaxS: 0.002} // every message at most 2 ms behind the model, 1,000 times over: 2 s
	live.HTTP = &metrics.HTTP{Speedup: 1000, Clients: []metrics.HTTPClient{{Name: "poll", Behind: behind}, {Name: "hook", Behind: behind}}}
	assert.Empty(t, Check(sc, live))
	for _, c := range live.Clients {
		assert.Contains(t, c.Model.Missing, "a live run", c.Name)
		assert.InDelta(t, simulated.Client(c.Name).Model.Expected["p50_latency_s"].Tolerance+2, c.Model.Expected["p50_latency_s"].Tolerance, 1e-9, c.Name)
		for _, metric := range []string{"fresh_fraction", "mean_age_s", "mean_unseen", "out_of_order", "duplicates"} {
			assert.NotContains(t, c.Model.Expected, metric, c.Name)
		}
		assert.Contains(t, c.Model.Expected, "requests_per_s", "%s: counts are still checked", c.Name)
	}
}
