package des

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncModel is freshness under periodic sync every I with Poisson changes
// at rate λ and nothing between the store's snapshot and the client's view
// (MODELS.md §6): the sampled phase since the last sync is τ ~ U(0, I), and
// the age at that phase is (τ − X)⁺ with X ~ Exp(λ) the first change after
// the sync. It returns the freshness F, the mean age A and the age's second
// moment, for the age's variance.
func syncModel(lambda, interval float64) (fresh, age, age2 float64) {
	r := lambda * interval
	lost := -math.Expm1(-r) // 1 − e^(−r)
	fresh = lost / r
	age = interval * (0.5 - 1/r + lost/(r*r))
	// E[(τ − X)⁺²] = τ² − 2τ/λ + 2/λ² − 2e^(−λτ)/λ², averaged over τ.
	l2, l3 := lambda*lambda, lambda*lambda*lambda
	age2 = interval*interval/3 - interval/lambda + 2/l2 - 2*lost/(l3*interval)
	return fresh, age, age2
}

// TestSyncModelMatchesItsDefinition checks the second moment by numeric
// integration of its definition, and F and A against Cho and
// Garcia-Molina's printed forms at r = 1.
func TestSyncModelMatchesItsDefinition(t *testing.T) {
	t.Parallel()
	lambda, interval := 0.3, 10.0
	const steps = 200_000
	var f, a, a2 float64
	for i := range steps {
		tau := (float64(i) + 0.5) / steps * interval
		f += math.Exp(-lambda * tau)
		a += tau - (1-math.Exp(-lambda*tau))/lambda
		a2 += tau*tau - 2*tau/lambda + 2/(lambda*lambda) - 2*math.Exp(-lambda*tau)/(lambda*lambda)
	}
	fresh, age, age2 := syncModel(lambda, interval)
	assert.InDelta(t, f/steps, fresh, 1e-9)
	assert.InDelta(t, a/steps, age, 1e-9)
	assert.InDelta(t, a2/steps, age2, 1e-8)
	fresh, age, _ = syncModel(1, 1)
	assert.InDelta(t, 1-math.Exp(-1), fresh, 1e-12)
	assert.InDelta(t, 0.5-1+(1-math.Exp(-1)), age, 1e-12)
}

// Fixed polling with no service or network time is periodic sync: the
// sampled freshness and age agree with MODELS.md §6 from rare changes (r =
// 0.1) to many per interval (r = 5), and the mean number of unseen events
// with Little's law.
func TestPollingFreshnessAgreesWithModel(t *testing.T) {
	t.Parallel()
	const interval = 10.0
	for _, r := range []float64{0.1, 1, 5} {
		t.Run(fmt.Sprintf("r=%g", r), func(t *testing.T) {
			t.Parallel()
			lambda := r / interval
			// 280 h: each of the 10,000 sample strata spans ten polls, so
			// samples are as good as independent.
			sc := parse(t, fmt.Sprintf(`
duration: 280h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: %g/s}
  api: {latency: 0s}
clients:
  - name: poll
    poll: {interval: 10s}
`, lambda))
			res := run(t, sc)
			f := row(t, res, "poll").Freshness
			n := float64(f.Samples)
			require.Equal(t, 10_000.0, n)

			fresh, age, age2 := syncModel(lambda, interval)
			assert.InDelta(t, fresh, f.Fresh, 4*math.Sqrt(fresh*(1-fresh)/n), "freshness; want (1 − e^(−r))/r")
			assert.InDelta(t, age, f.AgeMeanS, 4*math.Sqrt((age2-age*age)/n), "mean age; want I(1/2 − 1/r + (1 − e^(−r))/r²)")

			// Unseen events at phase τ are Poisson(λτ): variance λI/2 +
			// (λI)²/12.
			varUnseen := r/2 + r*r/12
			assert.InDelta(t, r/2, f.UnseenMean, 4*math.Sqrt(varUnseen/n), "unseen; want λI/2")
			assert.InDelta(t, f.LittleMean, f.UnseenMean, 4*math.Sqrt(varUnseen/n), "Little's law")
		})
	}
}

// Push with a constant delay d: the view lacks exactly the events of the
// last d, so F = e^(−λd) and the unseen count is Poisson(λd); an event
// unseen is younger than d, its age (d − the gap to the latest) known in
// closed form too.
func TestPushFreshnessAgreesWithModel(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 100h
network: {latency: 1s}
store:
  arrivals: {process: poisson, rate: 0.5/s}
clients:
  - name: hook
    webhook: {}
`)
	res := run(t, sc)
	hook := row(t, res, "hook")
	require.InDelta(t, 1.0, hook.Latency.MeanS, 1e-9, "every delivery takes the network's 1 s")
	require.InDelta(t, 1.0, hook.Latency.MaxS, 1e-9)
	f := hook.Freshness
	n := float64(f.Samples)
	require.Equal(t, 10_000.0, n)

	lambda, d := 0.5, 1.0
	fresh := math.Exp(-lambda * d)
	assert.InDelta(t, fresh, f.Fresh, 4*math.Sqrt(fresh*(1-fresh)/n), "freshness; want e^(−λd)")
	// The age is d − Y when the oldest event of the last d came Y after its
	// start, Y ~ Exp(λ) and Y < d; otherwise 0.
	age := d - (1-fresh)/lambda // E[(d − Y)⁺]: the sync formula with τ = d
	age2 := d*d - 2*d/lambda + 2/(lambda*lambda) - 2*fresh/(lambda*lambda)
	assert.InDelta(t, age, f.AgeMeanS, 4*math.Sqrt((age2-age*age)/n), "mean age; want d − (1 − e^(−λd))/λ")
	assert.InDelta(t, lambda*d, f.UnseenMean, 4*math.Sqrt(lambda*d/n), "unseen; want λd")
	assert.InDelta(t, f.LittleMean, f.UnseenMean, 4*math.Sqrt(lambda*d/n), "Little's law")
}
