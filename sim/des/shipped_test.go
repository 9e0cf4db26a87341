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
		// A ticker of period T started at a phase φ in [0, T) polls
		// ⌈(D − φ)/T⌉ times in a run of D: ⌊D/T⌋ or ⌈D/T⌉, and exactly D/T
		// whatever the phase when T divides D. M tickers stray by at most M
		// polls, M/D a second.
		const resources, interval = 1000, 10.0
		d := res.Scenario.DurationS
		slack := math.Ceil(d/interval) - math.Floor(d/interval)
		assert.InDelta(t, resources/interval, row(t, res, "per-resource-10s").Requests.PerS, resources*slack/d, "1,000 resources every 10 s")
		assert.InDelta(t, 1/interval, row(t, res, "feed-10s").Requests.PerS, slack/d, "one feed every 10 s")
	},
	"rate-limited": func(t *testing.T, _ string, res *metrics.Results) {
		assert.InDelta(t, 8640, row(t, res, "poll-10s").Requests.PerS*86400, 1, "8,640 calls a day")
		fixed, jitter := row(t, res, "per-product-10s"), row(t, res, "per-product-10s-jitter")
		// M = 20 tickers ask M/T = 2 a second against r = 5/3 tokens: in the
		// long run 1 − rT/M = 1/6 are refused. A refusal's Retry-After, 1 s
		// as a token comes every 0.6 s, ends before the ticker's next tick,
		// so each ticker sends D/T requests in a run of D (T divides D), and
		// M(t/T − 1) at least in any span t. Over the run the bucket lets
		// through its burst β besides rD, less the tokens w that refilled at
		// the cap plus those left at the end, and more the under one token
		// that refills while the last requests are on the network. Until
		// its first refusal the bucket is full at t only if
		// r·t ≥ accepted(t) + w(t), so w ≤ M as r < M/T; after a refusal
		// (under one token) it never holds more than 1 + M. So refused −
		// (N − β − rD) lies in [−1, 2M + 1].
		const m, interval, rate, burst = 20, 10.0, 100.0 / 60, 100
		assert.InDelta(t, 1.0/6, 1-rate*interval/m, 1e-12, "in the long run one request in six is refused")
		d := res.Scenario.DurationS
		require.Zero(t, math.Mod(d, interval), "the run is a whole number of intervals")
		n := float64(fixed.Requests.Total)
		assert.Equal(t, m*d/interval, n, "every tick sends a request")
		base := n - burst - rate*d
		refused := float64(fixed.Wasted.ByReason["rate_limited"])
		assert.GreaterOrEqual(t, refused, base-1, "one request in six refused, less the burst: N − β − rD = %v of %v", base, n)
		assert.LessOrEqual(t, refused, base+2*m+1, "one request in six refused, less the burst: N − β − rD = %v of %v", base, n)
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
			// An event is lost when it is created in the first D − t_k of
			// the outage, so the count lost is Poisson(λ(D − t_k)), of
			// variance its mean. Refused attempts shift the schedule by a
			// round trip each, under a second in all: 1/60 of an event.
			inside := 48 * 60.0 // λD: events created in the outage, on average
			lost := 1 - (27*3600+35*60+5)/(48*3600.0)
			assert.InDelta(t, lost*inside, float64(down.Dropped.Total), 4*math.Sqrt(lost*inside), "svix loses (1 − t_k/D) of a 2-day outage")
		}
	},
	"slow-receiver": func(t *testing.T, _ string, res *metrics.Results) {
		n := float64(res.Store.Emitted)
		sync := row(t, res, "sync")
		// Attempts per event are geometric truncated at k = 8, an attempt
		// timing out with p = P(processing > 15 s) = e^(−1/2) (MODELS.md
		// §4). The network's round trip, about 50 ms, raises p by 0.1 %
		// and the mean by 0.006, a tenth of the tolerance.
		attempts, sd := truncatedGeometric(math.Exp(-15.0/30), 8)
		assert.InDelta(t, 1.494, attempts-1, 0.001, "MODELS.md §4: 1.494 duplicates per event")
		assert.InDelta(t, attempts-1, float64(sync.Duplicates)/n, 4*sd/math.Sqrt(n), "1.49 duplicates per event")
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
