package model

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// ksCritical is the Kolmogorov–Smirnov statistic √n·D that a sample drawn
// from the law exceeds with probability 0.001 (MODELS.md §7).
const ksCritical = 1.949

// chiSquareAlpha is the chance that counts drawn from the law fail the
// chi-square test.
const chiSquareAlpha = 0.001

// parseScenario parses a scenario written in a test.
func parseScenario(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test.yaml", []byte(src))
	require.NoError(t, err)
	return sc
}

// firstDeliveries runs sc and returns the latency of every event's first
// delivery to the first subscriber of its first client.
func firstDeliveries(t *testing.T, sc *scenario.Scenario) (*metrics.Results, []time.Duration) {
	t.Helper()
	var out []time.Duration
	res, err := des.Run(context.Background(), sc, des.Options{Trace: func(r metrics.Record) {
		if r.Kind == metrics.HeldFirst && r.Client == 0 && r.Subscriber == 0 {
			out = append(out, r.At-r.Created)
		}
	}})
	require.NoError(t, err)
	return res, out
}

// ksStatistic is √n·D, D the largest distance between the empirical
// distribution of samples (in seconds) and cdf.
func ksStatistic(samples []float64, cdf func(float64) float64) float64 {
	xs := slices.Sorted(slices.Values(samples))
	n := float64(len(xs))
	var d float64
	for i, x := range xs {
		f := cdf(x)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return math.Sqrt(n) * d
}

// inSeconds converts durations to seconds.
func inSeconds(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}

// The delay of an event polled at a fixed interval follows the predicted
// law as a whole, not only in its mean and three percentiles: U(0, T) + b
// for constant service and network times, the forward recurrence time of
// the snapshots otherwise. A law for an interval 10 % longer is rejected
// by the same statistic, so the test has the power to see a wrong law.
//
// Events of one interval share its length and their response's b, so the
// delays are independent only when an interval rarely holds two events:
// λT ≤ 0.5 here.
func TestFixedPollingDelayLaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		src   string // a scenario with one fixed pollerFigures, its interval a %v verb
		every time.Duration
	}{
		{
			name:  "constant b: U(0, T) + b",
			every: 10 * time.Second,
			src: `
duration: 120000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  api: {latency: 20ms}
clients:
  - {name: poll, poll: {interval: %v}}
`,
		},
		{
			name:  "jitter",
			every: 10 * time.Second,
			src: `
duration: 600000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.01/s}
  api: {latency: 20ms}
clients:
  - {name: poll, poll: {interval: %v, jitter: 4s}}
`,
		},
		{
			name:  "lognormal network",
			every: 2 * time.Second,
			src: `
duration: 120000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  api: {latency: 20ms}
clients:
  - {name: poll, poll: {interval: %v}}
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := parseScenario(t, fmt.Sprintf(tc.src, tc.every))
			pred := Predict(sc)[0]
			require.NotNil(t, pred.latency, "Predict(%s) has no latency law; no closed form: %s", tc.name, pred.Missing)
			_, delays := firstDeliveries(t, sc)
			samples := inSeconds(delays)
			require.GreaterOrEqual(t, len(samples), 5000, "first deliveries")

			got := ksStatistic(samples, pred.latency.cdf)
			assert.Less(t, got, ksCritical, "√n·D against the predicted law, n = %d", len(samples))

			longer := Predict(parseScenario(t, fmt.Sprintf(tc.src, tc.every*11/10)))[0]
			require.NotNil(t, longer.latency)
			wrong := ksStatistic(samples, longer.latency.cdf)
			t.Logf("n = %d: √n·D = %.3f against the law, %.3f against an interval 10 %% longer", len(samples), got, wrong)
			assert.Greater(t, wrong, ksCritical, "√n·D against the law of an interval 10 %% longer")
		})
	}
}

// With no network delay, an event delivered by attempt i of a retry
// schedule arrives exactly t_i after its creation, so a run's latencies
// count the attempts that delivered. Under independent failures p these
// counts are multinomial with chances p^(i−1)(1 − p)/(1 − p^k) (MODELS.md
// §4), which Pearson's chi-square checks; the chances for p + 0.05 must be
// rejected by the same test.
func TestWebhookAttemptCounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		preset string
		p      float64
		drain  string // past the last attempt
	}{
		{"svix", 0.5, "28h"},
		{"outpost", 0.7, "9h"},
	} {
		t.Run(fmt.Sprintf("%s p=%v", tc.preset, tc.p), func(t *testing.T) {
			t.Parallel()
			sc := parseScenario(t, fmt.Sprintf(`
duration: 200000s
drain: %s
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: %s}, failures: %v}
clients:
  - {name: hook, webhook: {}}
`, tc.drain, tc.preset, tc.p))
			offsets := sc.Store.Webhooks.Plan().Offsets()
			k := len(offsets)
			_, delays := firstDeliveries(t, sc)
			require.GreaterOrEqual(t, len(delays), 5000, "deliveries")

			counts := make([]float64, k)
			for _, d := range delays {
				i := slices.Index(offsets, d)
				require.GreaterOrEqual(t, i, 0, "a latency of %v is no attempt's offset %v", d, offsets)
				counts[i]++
			}
			n := float64(len(delays))

			// The model's law has these atoms, at these offsets.
			pred := Predict(sc)[0]
			require.NotNil(t, pred.latency, "no closed form: %s", pred.Missing)
			chances := attemptChances(tc.p, k)
			for i, c := range chances {
				at := offsets[i].Seconds()
				atom := pred.latency.cdf(at) - pred.latency.cdf(at-1e-6)
				assert.InDelta(t, c, atom, 1e-9, "the law's mass at attempt %d, %v", i+1, offsets[i])
			}

			stat, df := chiSquare(counts, scaled(chances, n))
			assert.Less(t, stat, chiSquareCritical(df), "Pearson's χ² with %d degrees of freedom; counts %v", df, counts)
			wrong, wrongDF := chiSquare(counts, scaled(attemptChances(tc.p+0.05, k), n))
			assert.Greater(t, wrong, chiSquareCritical(wrongDF), "χ² against p + 0.05, %d degrees of freedom", wrongDF)
			t.Logf("n = %v: χ² = %.2f (%d degrees of freedom, critical %.2f); against p + 0.05: %.2f",
				n, stat, df, chiSquareCritical(df), wrong)
		})
	}
}

// chiSquareCritical is the value a chi-square statistic with df degrees of
// freedom exceeds with probability chiSquareAlpha.
func chiSquareCritical(df int) float64 {
	return distuv.ChiSquared{K: float64(df)}.Quantile(1 - chiSquareAlpha)
}

// attemptChances is P(attempt i delivers | delivered), i = 1 .. k, under
// independent failures p.
func attemptChances(p float64, k int) []float64 {
	out := make([]float64, k)
	for i := range out {
		out[i] = math.Pow(p, float64(i)) * (1 - p) / (1 - math.Pow(p, float64(k)))
	}
	return out
}

// scaled is xs times c.
func scaled(xs []float64, c float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * c
	}
	return out
}

// chiSquare is Pearson's statistic for observed counts against expected
// ones, with its degrees of freedom, once neighbouring cells are merged
// until each expects at least 5.
func chiSquare(observed, expected []float64) (stat float64, df int) {
	var obs, exp []float64
	var o, e float64
	for i := range observed {
		o, e = o+observed[i], e+expected[i]
		if e >= 5 {
			obs, exp = append(obs, o), append(exp, e)
			o, e = 0, 0
		}
	}
	if e > 0 || o > 0 { // a small tail joins the last cell
		obs[len(obs)-1] += o
		exp[len(exp)-1] += e
	}
	for i := range obs {
		stat += (obs[i] - exp[i]) * (obs[i] - exp[i]) / exp[i]
	}
	return stat, len(obs) - 1
}

// The tolerance Check gives a proportion is four standard errors of a
// binomial proportion at the run's sample size: polls for the empty-poll
// fraction, the store's events for the dropped rate.
func TestProportionToleranceIsFourStandardErrors(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, `
duration: 20000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.1/s}
  api: {latency: 20ms}
  webhooks: {retry: {preset: twilio}, failures: 0.3}
clients:
  - {name: poll, count: 2, poll: {interval: 10s}}
  - {name: hook, webhook: {}}
`)
	res, err := des.Run(context.Background(), sc, des.Options{})
	require.NoError(t, err)
	Check(sc, res) // for the tolerances it writes beside each figure

	poll := res.Client("poll")
	require.NotNil(t, poll)
	empty := poll.Model.Expected["empty_poll_fraction"]
	require.NotNil(t, empty.Measured)
	polls := float64(poll.Requests.ByKind["poll"]) / 2 // per subscriber
	require.Greater(t, polls, 1000.0)
	p := empty.Value
	assert.InDelta(t, math.Exp(-1), p, 1e-9, "e^(−λT)")
	assert.InDelta(t, 4*math.Sqrt(p*(1-p)/polls), empty.Tolerance, 1e-12, "empty_poll_fraction over %v polls", polls)
	assert.True(t, empty.Within, "empty_poll_fraction = %v; want %v ± %v", *empty.Measured, p, empty.Tolerance)

	hook := res.Client("hook")
	require.NotNil(t, hook)
	dropped := hook.Model.Expected["dropped_rate"]
	require.NotNil(t, dropped.Measured)
	events := float64(res.Store.Emitted)
	require.Greater(t, events, 1000.0)
	q := dropped.Value
	assert.InDelta(t, 0.09, q, 1e-9, "p^k")
	assert.InDelta(t, 4*math.Sqrt(q*(1-q)/events), dropped.Tolerance, 1e-12, "dropped_rate over %v events", events)
	assert.True(t, dropped.Within, "dropped_rate = %v; want %v ± %v", *dropped.Measured, q, dropped.Tolerance)
}
