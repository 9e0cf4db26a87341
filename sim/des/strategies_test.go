package des

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/pushpull/pushpull/sim/metrics"
)

// replicate runs the scenario src with seeds 1..n and returns, for the client
// named name, one row per figure and in it one value per run: samples that
// are independent even when events within a run are not (MODELS.md §7).
func replicate(t *testing.T, src string, n int, name string, figures ...func(*metrics.Results, *metrics.ClientResults) float64) [][]float64 {
	t.Helper()
	out := make([][]float64, len(figures))
	for seed := 1; seed <= n; seed++ {
		sc := parse(t, src)
		sc.Seed = uint64(seed)
		res := run(t, sc)
		c := row(t, res, name)
		for i, figure := range figures {
			out[i] = append(out[i], figure(res, c))
		}
	}
	return out
}

// tailChance is the two-sided tail beyond four standard deviations of a
// normal law, the chance of a false alarm MODELS.md §7 accepts.
var tailChance = math.Erfc(4 / math.Sqrt2)

// studentQuantile is how many standard errors from the mean n independent
// samples leave a chance tailChance of straying beyond, when the standard
// error is estimated from those n samples: the four sigmas of MODELS.md §7
// for a t law with n − 1 degrees of freedom.
func studentQuantile(n int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - tailChance/2)
}

// meanAndError is the mean of samples and its standard error.
func meanAndError(samples []float64) (mean, stderr float64) {
	for _, v := range samples {
		mean += v
	}
	mean /= float64(len(samples))
	var ss float64
	for _, v := range samples {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(samples)-1) / float64(len(samples)))
}

// backoffModel is MODELS.md §3's exponential backoff with Poisson arrivals
// at rate lambda: the stationary law of intervals T_j = min(T0·m^j, Tmax),
// reset on a hit, gives the poll rate 1/E[I] and the mean delay
// E[I²]/(2E[I]).
func backoffModel(lambda, t0, factor, tmax float64) (pollRate, meanDelay float64) {
	var intervals []float64
	for t := t0; ; t *= factor {
		if t >= tmax {
			intervals = append(intervals, tmax)
			break
		}
		intervals = append(intervals, t)
	}
	weights := make([]float64, len(intervals))
	survive := 1.0 // Π_{i<j} e^(−λT_i)
	var total float64
	for j, tj := range intervals {
		weights[j] = survive
		if j == len(intervals)-1 {
			weights[j] = survive / (1 - math.Exp(-lambda*tj))
		}
		survive *= math.Exp(-lambda * tj)
		total += weights[j]
	}
	var ei, ei2 float64
	for j, tj := range intervals {
		p := weights[j] / total
		ei += p * tj
		ei2 += p * tj * tj
	}
	return 1 / ei, ei2 / (2 * ei)
}

func TestBackoffModelReproducesTheWorkedExample(t *testing.T) {
	t.Parallel()
	rate, delay := backoffModel(50.0/3600, 1, 2, 300)
	assert.InDelta(t, 0.057, rate, 0.0005, "MODELS.md §3: 0.057 polls/s")
	assert.InDelta(t, 35.7, delay, 0.05, "MODELS.md §3: mean delay 35.7 s")
	assert.InDelta(t, 8.8, 0.5/rate, 0.05, "fixed polling at the same rate: 8.8 s")
}

// Adaptive backoff agrees with its stationary law (MODELS.md §3), measured
// over independent replications since its delays are not independent.
func TestAdaptiveBackoffAgreesWithModel(t *testing.T) {
	t.Parallel()
	const src = `
duration: 168h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {latency: 0s}
clients:
  - {name: backoff, poll: {adaptive: {min: 1s, max: 5m, factor: 2}}}
`
	wantRate, wantDelay := backoffModel(50.0/3600, 1, 2, 300)
	const runs = 12
	figures := replicate(t, src, runs, "backoff",
		func(res *metrics.Results, c *metrics.ClientResults) float64 {
			return float64(c.Requests.ByKind["poll"]) / res.Scenario.DurationS
		},
		func(_ *metrics.Results, c *metrics.ClientResults) float64 { return c.Latency.MeanS })
	rate, rateErr := meanAndError(figures[0])
	delay, delayErr := meanAndError(figures[1])
	k := studentQuantile(runs)
	assert.InDelta(t, wantRate, rate, k*rateErr, "polls per second; model %v", wantRate)
	assert.InDelta(t, wantDelay, delay, k*delayErr, "mean delay; model %v s", wantDelay)
}

// Long polling (MODELS.md §3): with a round trip g and a hold H, a cycle
// lasts E[C] = g + e^(−λg)(1 − e^(−λH))/λ, a response is empty with
// probability e^(−λ(g+H)), and the mean latency is b + g²/(2E[C]). The
// first poll leaves at once: from a random phase in [0, H) an event created
// before it would wait up to H, a start-up cost outside the stationary model
// that, in one run of many, outweighs the g²/(2E[C]) under test.
func TestLongPollAgreesWithModel(t *testing.T) {
	t.Parallel()
	const (
		d, svc, hold = 0.05, 0.1, 30.0 // one-way delay, service time, hold, in seconds
		lambda       = 60.0 / 3600
	)
	src := fmt.Sprintf(`
duration: 168h
network: {latency: %vs}
store:
  arrivals: {process: poisson, rate: 60/h}
  api: {latency: %vs}
clients:
  - {name: long, poll: {long: {hold: %vs}, phase: 0s}}
`, d, svc, hold)
	g, b := svc+2*d, svc+d
	cycle := g + math.Exp(-lambda*g)*(1-math.Exp(-lambda*hold))/lambda
	res := run(t, parse(t, src))
	c := row(t, res, "long")
	events := float64(res.Store.Emitted)
	require.Greater(t, events, 9000.0)

	// Responses: one per cycle. Cycles are independent (renewal), so the
	// count of requests over the run is within Poisson-like noise of
	// duration/E[C]; use its variance from the cycle law: a cycle is g, or
	// g + min(Exp(λ), H) with probability e^(−λg).
	requests := float64(c.Requests.ByKind["long_poll"])
	wantRequests := res.Scenario.DurationS / cycle
	pWait := math.Exp(-lambda * g)
	eMin := (1 - math.Exp(-lambda*hold)) / lambda
	// E[min(X, H)²] = ∫₀^H x²λe^(−λx) dx + H²e^(−λH) = 2/λ²·(1 − e^(−λH)(1 + λH)).
	eMin2 := 2 / (lambda * lambda) * (1 - math.Exp(-lambda*hold)*(1+lambda*hold))
	varCycle := pWait*eMin2 - (pWait*eMin)*(pWait*eMin)
	sdRequests := math.Sqrt(wantRequests * varCycle / (cycle * cycle)) // renewal counting: n·σ²/μ²
	assert.InDelta(t, wantRequests, requests, 4*sdRequests+1, "long polls; model duration/E[C]")

	pEmpty := math.Exp(-lambda * (g + hold))
	require.NotNil(t, c.EmptyPollFraction)
	assert.InDelta(t, pEmpty, *c.EmptyPollFraction, 4*math.Sqrt(pEmpty*(1-pEmpty)/requests), "empty responses; model e^(−λ(g+H))")

	// Latency: b for an event that arrives during a hold, b plus the rest
	// of the round trip, U(0, g), for one that arrives during it, a share
	// p = g/E[C] of them: mean b + p·g/2 = b + g²/(2E[C]). The spread is that
	// mixture's, p·g²/3 − (p·g/2)², far below U(0, g)'s as p is small.
	inGap := g / cycle
	wantLatency := b + inGap*g/2
	sdLatency := math.Sqrt(inGap*g*g/3 - (inGap*g/2)*(inGap*g/2))
	assert.InDelta(t, b+g*g/(2*cycle), wantLatency, 1e-12, "the mixture's mean is MODELS.md's closed form")
	assert.InDelta(t, wantLatency, c.Latency.MeanS, 4*sdLatency/math.Sqrt(events), "mean latency; model b + g²/(2E[C]) = %v", wantLatency)
	assert.LessOrEqual(t, c.Latency.MaxS, b+g+1e-9, "no event waits more than a round trip plus b")
}

// Independent failures (MODELS.md §4): with a failure probability p per
// attempt and the svix schedule (k = 8), an event is lost with probability
// p^k and takes (1 − p^k)/(1 − p) attempts on average.
func TestIndependentFailuresAgreeWithModel(t *testing.T) {
	t.Parallel()
	const p, k = 0.5, 8
	res := run(t, parse(t, `
duration: 168h
drain: 30h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 200/h}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: flaky, webhook: {errors: 0.5}}
`))
	c := row(t, res, "flaky")
	n := float64(res.Store.Emitted)
	require.Greater(t, n, 30000.0)
	loss := math.Pow(p, k)
	assert.InDelta(t, loss, float64(c.Dropped.ByCause["retries_exhausted"])/n, 4*math.Sqrt(loss*(1-loss)/n), "loss; model p^k")
	assert.Equal(t, c.Dropped.Total, c.Dropped.ByCause["retries_exhausted"])

	// Attempts per event: a geometric count truncated at k.
	mean, sd := truncatedGeometric(p, k)
	assert.InDelta(t, (1-math.Pow(p, k))/(1-p), mean, 1e-12, "the law's mean is MODELS.md's closed form")
	assert.InDelta(t, 1.992, mean, 0.0005, "MODELS.md §4: 1.992 attempts")
	attempts := float64(c.Requests.ByKind["webhook_attempt"]) / n
	assert.InDelta(t, mean, attempts, 4*sd/math.Sqrt(n), "attempts per event")
}

// truncatedGeometric is the mean and standard deviation of the attempts an
// event takes when each fails with probability p and the sender stops after
// k: a attempts with probability p^(a−1)(1 − p) for a < k, and k with
// probability p^(k−1).
func truncatedGeometric(p float64, k int) (mean, sd float64) {
	var second float64
	for a := 1; a <= k; a++ {
		pa := math.Pow(p, float64(a-1)) * (1 - p)
		if a == k {
			pa = math.Pow(p, float64(k-1))
		}
		mean += float64(a) * pa
		second += float64(a*a) * pa
	}
	return mean, math.Sqrt(second - mean*mean)
}

// Acknowledging after processing (MODELS.md §4): with a timeout τ = 15 s
// and processing times Exp(mean 30 s), an attempt times out with
// probability e^(−1/2) yet is still processed, so each event is processed
// (1 − p′^k)/(1 − p′) times: 1.494 duplicates per event with svix.
func TestAckAfterProcessingDuplicatesAgreeWithModel(t *testing.T) {
	t.Parallel()
	res := run(t, parse(t, `
duration: 168h
drain: 30h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 60/h}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: slow, webhook: {processing: {mode: sync, time: {mean: 30s}}}}
`))
	c := row(t, res, "slow")
	n := float64(res.Store.Emitted)
	pTimeout := math.Exp(-0.5)
	const k = 8
	attempts := (1 - math.Pow(pTimeout, k)) / (1 - pTimeout)
	assert.InDelta(t, 1.494, attempts-1, 0.001, "MODELS.md §4: 1.494 duplicates per event, truncated to three decimals")
	mean, sd := truncatedGeometric(pTimeout, k)
	assert.InDelta(t, attempts, mean, 1e-12, "the law's mean is MODELS.md's closed form")
	tol := 4 * sd / math.Sqrt(n)
	assert.InDelta(t, attempts-1, float64(c.Duplicates)/n, tol, "wire duplicates per event")
	require.NotNil(t, c.Processing)
	assert.InDelta(t, attempts-1, float64(c.Processing.Reworked)/n, tol, "application duplicates per event")
	assert.Equal(t, res.Store.Emitted, c.Processing.Processed)
	assert.Zero(t, c.Dropped.Total, "every event is processed at least once")
}

// A hybrid (MODELS.md §5): the sender silently loses a fraction q of events;
// reconciliation every R recovers each of them U(0, R) + b after its
// creation, so nothing is lost and the mean latency is q(R/2 + b) when push
// is instant.
func TestReconciliationRecoversSilentLossAsModelled(t *testing.T) {
	t.Parallel()
	const q, r, b = 0.2, 600.0, 0.1
	res := run(t, parse(t, `
duration: 168h
drain: 1h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 120/h}
  api: {latency: 100ms}
  webhooks: {silent_loss: 0.2}
clients:
  - {name: push-only, webhook: {}}
  - {name: hybrid, webhook: {}, reconcile: {every: 10m}}
`))
	n := float64(res.Store.Emitted)
	pushOnly := row(t, res, "push-only")
	assert.InDelta(t, q, float64(pushOnly.Dropped.ByCause["silent_loss"])/n, 4*math.Sqrt(q*(1-q)/n), "push alone loses q")

	hybrid := row(t, res, "hybrid")
	assert.Zero(t, hybrid.Dropped.Total, "reconciliation recovers every silent loss")
	assert.Equal(t, res.Store.Emitted, hybrid.Delivered)
	mean := q * (r/2 + b)
	variance := q*(r*r/12+(r/2+b)*(r/2+b)) - mean*mean
	assert.InDelta(t, mean, hybrid.Latency.MeanS, 4*math.Sqrt(variance/n), "mean latency; model q(R/2 + b)")
	// Every event push delivered comes again by reconciliation: a wire
	// duplicate, and an application one without deduplication. The hybrid's
	// sender loses events on draws of its own, independent of push-only's,
	// so given the n events its push deliveries are Binomial(n, 1 − q): mean
	// n(1 − q), standard deviation √(nq(1 − q)). An event still in flight at
	// the end may not have come the second time yet.
	assert.InDelta(t, n*(1-q), float64(hybrid.Duplicates), 4*math.Sqrt(n*q*(1-q))+float64(hybrid.InFlight), "wire duplicates; model n(1 − q)")
	require.NotNil(t, hybrid.Processing)
	assert.Equal(t, hybrid.Duplicates, hybrid.Processing.Reworked)
}

// stripe-like disables an endpoint after 72 h of failures, and sends
// nothing created while it is disabled, even after the receiver is back.
func TestStripeLikeDisablesAFailingEndpointForGood(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 300h
drain: 80h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 60/h}
  webhooks: {retry: {preset: stripe-like}}
clients:
  - {name: control, webhook: {}}
  - {name: down, webhook: {}, outages: [{at: 24h, for: 120h}]}
`)
	res, records := traced(t, sc)
	var before, after int64
	for _, r := range records["control"] {
		switch {
		case r.Created < 24*time.Hour:
			before++
		case r.Created >= 24*time.Hour+72*time.Hour:
			after++
		}
	}
	down := row(t, res, "down")
	assert.Equal(t, before, down.Delivered, "only what came before the outage is delivered")
	assert.GreaterOrEqual(t, down.Dropped.ByCause["endpoint_disabled"], after, "everything created once disabled is lost")
	assert.Equal(t, res.Store.Emitted, down.Delivered+down.Dropped.Total)
}

// Draining a backlog through a token bucket (MODELS.md §2): n events take
// ⌈n/L⌉ pages, the first β from the bucket at once and the rest at r a
// second. The ticker's own polls, sent from a stale cursor while the pages
// come, take one token each every interval T, so the drain lies between
// (⌈n/L⌉ − β)/r and (⌈n/L⌉ − β)/(r − 1/T).
func TestBacklogDrainsThroughTheBucketAsModelled(t *testing.T) {
	t.Parallel()
	sc := shipped(t, "shopify-bucket.yaml")
	const (
		outageEnd = 48 * time.Hour
		pageSize  = 50
		burst     = 40
		rate      = 2.0  // tokens a second
		interval  = 10.0 // seconds between ticks
	)
	var last time.Duration
	n := 0
	_, err := Run(t.Context(), sc, Options{Trace: func(r metrics.Record) {
		if sc.Clients[r.Client].Name == "poll-10s-offline-day" && r.Kind == metrics.HeldFirst &&
			r.Created >= 24*time.Hour && r.Created < outageEnd {
			n++
			last = max(last, r.At)
		}
	}})
	require.NoError(t, err)
	require.Greater(t, n, 40_000)
	pages := float64((n + pageSize - 1) / pageSize)
	drain := (last - outageEnd).Seconds()
	lower := (pages - burst) / rate
	upper := (pages - burst) / (rate - 1/interval)
	assert.GreaterOrEqual(t, drain, lower, "no faster than the bucket allows")
	assert.LessOrEqual(t, drain, upper, "no slower than the bucket and the stale ticks")
}
