package des

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// shortened makes the heaviest shipped scenarios fit make test, which runs
// under the race detector: the headline checks below hold at these lengths
// too, with tolerances computed from what each run measured.
var shortened = map[string][]scenario.Setting{
	"zapier-operating-point": {{Path: "duration", Value: "2160h"}},
	"many-resources":         {{Path: "duration", Value: "2h"}},
	"rate-limited":           {{Path: "duration", Value: "48h"}},
}

// headlines checks, for each shipped scenario, the answer its opening
// comment gives, point by point of its sweep.
var headlines = map[string]func(t *testing.T, point string, res *metrics.Results){
	"ecommerce-orders": func(t *testing.T, _ string, res *metrics.Results) {
		poll := row(t, res, "poll-10s")
		assertProportion(t, math.Exp(-50.0/3600*10), *poll.EmptyPollFraction, poll.Requests.ByKind["poll"], "empty polls")
	},
	"rare-events": func(t *testing.T, _ string, res *metrics.Results) {
		poll := row(t, res, "poll-10s")
		x := 1.0 / 3600 * 10
		assertProportion(t, math.Exp(-x), *poll.EmptyPollFraction, poll.Requests.ByKind["poll"], "empty polls")
	},
	"zapier-operating-point": func(t *testing.T, _ string, res *metrics.Results) {
		poll := row(t, res, "poll-15m")
		assertProportion(t, math.Exp(-0.015), *poll.EmptyPollFraction, poll.Requests.ByKind["poll"], "98.5 % empty polls")
		assert.Equal(t, 1.0, *row(t, res, "rest-hook").RequestsPerDelivered)
	},
	"many-resources": func(t *testing.T, _ string, res *metrics.Results) {
		assert.InDelta(t, 100, row(t, res, "per-resource-10s").Requests.PerS, 0.1, "1,000 resources every 10 s")
		assert.InDelta(t, 0.1, row(t, res, "feed-10s").Requests.PerS, 0.001)
	},
	"rate-limited": func(t *testing.T, _ string, res *metrics.Results) {
		assert.InDelta(t, 8640, row(t, res, "poll-10s").Requests.PerS*86400, 1, "8,640 calls a day")
		fixed, jitter := row(t, res, "per-product-10s"), row(t, res, "per-product-10s-jitter")
		refused := float64(fixed.Wasted.ByReason["rate_limited"]) / float64(fixed.Requests.Total)
		assert.InDelta(t, 1.0/6, refused, 0.01, "one request in six refused")
		assert.Greater(t, fixed.Latency.P99S, 10*jitter.Latency.P99S, "phase locking starves some products; jitter does not")
	},
	"shopify-bucket": func(t *testing.T, _ string, res *metrics.Results) {
		assert.Zero(t, row(t, res, "poll-10s").Wasted.ByReason["rate_limited"], "one page a poll never empties the bucket")
		assert.Positive(t, row(t, res, "poll-10s-offline-day").Wasted.ByReason["rate_limited"], "the catch-up does")
	},
	"receiver-outage": func(t *testing.T, point string, res *metrics.Results) {
		for _, name := range []string{"up", "down-1m"} {
			if point != "github" && point != "twilio" {
				assert.Zero(t, row(t, res, name).Dropped.Total, "%s: %s", point, name)
			}
		}
		if point == "svix" {
			down := row(t, res, "down-2d")
			inside := 48 * 60.0 // events created in the outage, on average
			lost := 1 - (27*3600+35*60+5)/(48*3600.0)
			assert.InDelta(t, lost*inside, float64(down.Dropped.Total), 4*math.Sqrt(inside)+1, "svix loses (1 − t_k/D) of a 2-day outage")
		}
	},
	"slow-receiver": func(t *testing.T, _ string, res *metrics.Results) {
		n := float64(res.Store.Emitted)
		sync := row(t, res, "sync")
		assert.InDelta(t, 1.494, float64(sync.Duplicates)/n, 0.1, "1.49 duplicates per event")
		assert.Zero(t, row(t, res, "sync-dedupe").Processing.Reworked, "deduplication processes nothing twice")
		assert.Positive(t, row(t, res, "async").Dropped.ByCause["crash_lost_queue"], "a crash loses a volatile queue")
		assert.Zero(t, row(t, res, "async-durable").Dropped.Total, "but not a durable one")
	},
	"flash-sale": func(t *testing.T, _ string, res *metrics.Results) {
		assert.Less(t, row(t, res, "poll-30s-paging").Latency.MaxS, 31.0, "paging keeps up")
		assert.Greater(t, row(t, res, "poll-30s-one-page").Latency.MaxS, 600.0, "one page a poll falls behind")
	},
	"silent-loss-hybrid": func(t *testing.T, _ string, res *metrics.Results) {
		n := res.Store.Emitted
		assertProportion(t, 0.01, float64(row(t, res, "webhook").Dropped.ByCause["silent_loss"])/float64(n), n, "push loses 1 %")
		hybrid := row(t, res, "webhook-reconcile-1h")
		assert.Zero(t, hybrid.Dropped.Total, "reconciliation recovers every one")
		assert.Zero(t, hybrid.Processing.Reworked, "deduplication keeps the application from processing twice")
	},
	"adaptive-vs-fixed": func(t *testing.T, point string, res *metrics.Results) {
		adaptive := row(t, res, "adaptive-1s-5m")
		// A fixed poller at adaptive's request rate waits half its interval.
		fixedAtSameRate := 0.5 / adaptive.Requests.PerS
		if point == "1" {
			assert.Greater(t, adaptive.Latency.MeanS, fixedAtSameRate, "steady events: fixed polling wins")
		} else {
			assert.Less(t, adaptive.Latency.MeanS, fixedAtSameRate, "bursty events: backoff wins")
		}
	},
}

func assertProportion(t *testing.T, p, got float64, n int64, msg string) {
	t.Helper()
	require.Positive(t, n)
	assert.InDelta(t, p, got, 4*math.Sqrt(p*(1-p)/float64(n)), msg)
}

// Every shipped scenario, and every point of its sweep, runs with balanced
// accounting, and gives the answer its opening comment states.
func TestShippedScenarios(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			head := strings.SplitN(string(src), "\nname:", 2)[0]
			assert.Contains(t, head, "# Question:", "the file opens with its question")
			assert.Contains(t, head, "# Answer:", "and the answer it gives")
			check, ok := headlines[name]
			require.True(t, ok, "no headline check for %s", name)

			base, err := scenario.ParseFiles(file, src, os.ReadFile)
			require.NoError(t, err)
			points := [][]scenario.Setting{nil}
			labels := []string{""}
			if len(base.Sweep) > 0 {
				points, labels = nil, nil
				for _, p := range scenario.Points(base.Sweep) {
					points = append(points, p.Settings(base.Sweep, []string{"sweep", "sweep"}))
					labels = append(labels, strings.Join(p.Values, ","))
				}
			}
			for i, point := range points {
				settings := append(append([]scenario.Setting(nil), shortened[name]...), point...)
				sc := base
				if len(settings) > 0 {
					o, err := scenario.Apply(file, src, settings)
					require.NoError(t, err)
					sc, err = scenario.ParseFiles(file, o.Source(), os.ReadFile)
					require.NoError(t, err, "%s %v", name, settings)
				}
				res := run(t, sc) // fails on an unbalanced account
				require.True(t, res.Run.InvariantOK)
				for _, c := range res.Clients {
					assert.Equal(t, c.Emitted, c.Delivered+c.Dropped.Total+c.InFlight, "%s %s: emitted = delivered + dropped + in flight", labels[i], c.Name)
				}
				check(t, labels[i], res)
			}
		})
	}
}
