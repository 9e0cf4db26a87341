package live

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// liveRun is how a shipped scenario runs live in the agreement test: the
// settings that shorten it, keeping what it is about inside the run, and a
// speedup that keeps the loopback's few milliseconds small against the
// scenario's shortest time constant (a poll interval, a webhook timeout, a
// Retry-After of a second) while the run finishes in under a minute.
type liveRun struct {
	speedup float64
	set     []scenario.Setting
}

// LiveRuns are the settings docs/live.md gives for running each shipped
// scenario live.
var liveRuns = map[string]liveRun{
	"adaptive-vs-fixed": {30, set("duration", "20m", "drain", "1m", "store.arrivals.bursts[0].at", "5m", "store.arrivals.bursts[0].for", "10m")},
	"ecommerce-orders":  {200, set("duration", "40m", "drain", "1m")},
	"flash-sale":        {60, set("duration", "30m", "drain", "5m", "store.arrivals.bursts[0].at", "10m", "store.arrivals.bursts[0].for", "5m")},
	"many-resources":    {4, set("duration", "1m", "drain", "10s")},
	"rare-events":       {800, set("duration", "6h", "drain", "1m")},
	"rate-limited":      {30, set("duration", "20m", "drain", "1m", "store.arrivals.rate", "50/h")},
	"receiver-outage": {200, set("duration", "1h", "drain", "20m",
		"clients.down-1m.outages[0].at", "10m", "clients.down-1h.outages[0].at", "10m", "clients.down-6h.outages[0].at", "10m",
		"clients.down-1d.outages[0].at", "10m", "clients.down-2d.outages[0].at", "10m", "clients.down-4d.outages[0].at", "10m")},
	"shopify-bucket": {40, set("duration", "25m", "drain", "2m",
		"clients.poll-10s-offline-day.outages[0].at", "5m", "clients.poll-10s-offline-day.outages[0].for", "10m")},
	"silent-loss-hybrid": {300, set("duration", "1h", "drain", "1h")},
	"slow-receiver": {300, set("duration", "2h", "drain", "30m",
		"clients.async.webhook.crashes", "[{at: 1h}]", "clients.async-durable.webhook.crashes", "[{at: 1h}]")},
	"zapier-operating-point": {1200, set("duration", "12h", "drain", "1m", "clients.rest-hook.count", "10", "store.arrivals.rate", "2/h")},
}

// Every shipped scenario runs live in under a minute, and agrees with the
// simulation of the same scenario and seed: counts within Poisson noise,
// the empty-poll fraction within 4σ, and latency percentiles within the
// loopback overhead the run measured.
func TestLiveAgreesWithSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shipped scenario live for up to a minute")
	}
	t.Parallel()
	names := shippedFiles(t)
	for _, name := range names {
		require.Contains(t, liveRuns, name, "every shipped scenario has a live run")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies the cost of every exchange several times, so a live run would measure it rather than the runner; TestVirtualTimeMatchesSimulation runs every scenario under it")
	}
	type outcome struct {
		sc        *scenario.Scenario
		sim, live *metrics.Results
		err       error
		wall      time.Duration
	}
	outcomes := make([]outcome, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		run := liveRuns[name]
		sc := shipped(t, name, run.set...)
		outcomes[i].sc = sc
		outcomes[i].sim = simulate(t, sc)
		wg.Go(func() {
			start := time.Now()
			outcomes[i].live, outcomes[i].err = Run(context.Background(), sc, Options{Speedup: run.speedup})
			outcomes[i].wall = time.Since(start)
		})
	}
	wg.Wait()
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			o := outcomes[i]
			require.NoError(t, o.err)
			assert.Less(t, o.wall, time.Minute, "the live run finishes within a minute")
			agree(t, o.sim, o.live)
		})
	}
}

// agree checks that a live run's results agree with the simulation's.
func agree(t *testing.T, sim, live *metrics.Results) {
	t.Helper()
	require.Positive(t, sim.Store.Emitted, "a run without events would check only request counts")
	assert.Equal(t, sim.Store.Emitted, live.Store.Emitted, "the same seed gives the same events")
	assert.True(t, live.Run.InvariantOK)
	require.Len(t, live.Clients, len(sim.Clients))
	k := live.HTTP.Speedup
	for i := range sim.Clients {
		d, l := &sim.Clients[i], &live.Clients[i]
		h := &live.HTTP.Clients[i]
		// The loopback overhead of this client, in scenario time: how much
		// later than the model its messages reached it, at most, in
		// wall-clock time times the speedup. A percentile of the live
		// latencies, each the simulated one plus at most that, is at most
		// the simulation's plus that; with a few dozen deliveries the p99
		// is nearly the max, so the overheads' own p99 would not bound it.
		overhead := k * h.Behind.MaxS
		t.Logf("%s: delivered %d/%d, requests %d/%d, p50 %.3f/%.3f s, p99 %.3f/%.3f s (simulated/live); overhead %.3f s (behind max %.2f ms, lateness max %.2f ms)",
			d.Name, d.Delivered, l.Delivered, d.Requests.Total, l.Requests.Total, d.Latency.P50S, l.Latency.P50S, d.Latency.P99S, l.Latency.P99S,
			overhead, h.Behind.MaxS*1e3, h.Lateness.MaxS*1e3)

		assert.Equal(t, l.Emitted, l.Delivered+l.Dropped.Total+l.InFlight, "%s: emitted = delivered + dropped + in flight", d.Name)
		counts := []struct {
			what string
			d, l int64
		}{
			{"delivered", d.Delivered, l.Delivered},
			{"dropped", d.Dropped.Total, l.Dropped.Total},
			{"in flight", d.InFlight, l.InFlight},
			{"requests", d.Requests.Total, l.Requests.Total},
			{"wasted", d.Wasted.Total, l.Wasted.Total},
			{"duplicates", d.Duplicates, l.Duplicates},
		}
		// Out-of-order deliveries of webhooks come from the jitter of the
		// way there against the spacing of events, and the loopback adds
		// its own, times the speedup: they cannot agree (docs/live.md), so
		// only a poller's are compared.
		if d.Requests.ByKind["webhook_attempt"] == 0 {
			counts = append(counts, struct {
				what string
				d, l int64
			}{"out of order", d.OutOfOrder, l.OutOfOrder})
		}
		for _, c := range counts {
			// Two counts from Poisson processes differ by chance with a
			// variance of their sum.
			noise := 4 * math.Sqrt(float64(c.d+c.l)+1)
			assert.InDelta(t, c.d, c.l, noise, "%s: %s, simulated %d, live %d", d.Name, c.what, c.d, c.l)
		}
		if d.EmptyPollFraction != nil && l.EmptyPollFraction != nil {
			n := float64(d.Requests.ByKind["poll"] + d.Requests.ByKind["long_poll"])
			p := *d.EmptyPollFraction
			sigma := math.Sqrt(p*(1-p)*2/n) + 1/n
			assert.InDelta(t, p, *l.EmptyPollFraction, 4*sigma, "%s: empty-poll fraction", d.Name)
		}
		if d.Latency.Count >= 20 && l.Latency.Count >= 20 {
			for _, q := range []struct {
				p    float64
				live float64
			}{{50, l.Latency.P50S}, {90, l.Latency.P90S}, {99, l.Latency.P99S}} {
				lo, hi := quantileBand(d.Latency, q.p, float64(l.Latency.Count))
				slack := 0.01*hi + 0.001 // the histogram's resolution
				assert.GreaterOrEqual(t, q.live, lo-slack, "%s: p%v latency %.3f s below the simulation's %.3f", d.Name, q.p, q.live, lo)
				assert.LessOrEqual(t, q.live, hi+overhead+slack, "%s: p%v latency %.3f s beyond the simulation's %.3f + overhead %.3f", d.Name, q.p, q.live, hi, overhead)
			}
		}
	}
}

// quantileBand is the range of lat's quantiles within four standard errors
// of percentile p in a sample of n: where another sample's p-quantile falls
// by chance. The spectrum has points at fixed percentiles; the band widens
// to the nearest ones outside it.
func quantileBand(lat metrics.Latency, p, n float64) (lo, hi float64) {
	f := p / 100
	e := 4 * math.Sqrt(f*(1-f)/n)
	s := lat.Spectrum
	from, to := 100*math.Max(f-e, 0), 100*math.Min(f+e, 1)
	i := sort.Search(len(s), func(i int) bool { return s[i].Percentile > from }) // the first point above from
	j := sort.Search(len(s), func(i int) bool { return s[i].Percentile >= to })  // the first point at or above to
	return s[max(i-1, 0)].ValueS, s[min(j, len(s)-1)].ValueS
}
