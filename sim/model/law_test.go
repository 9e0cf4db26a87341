package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/pushpull/pushpull/sim/random"
)

func TestUniformLaw(t *testing.T) {
	t.Parallel()
	u := uniform(2, 12)
	assert.InDelta(t, 7.0, u.mean(), 1e-12)
	assert.InDelta(t, 100.0/12, u.variance(), 1e-12)
	for _, p := range []float64{0.01, 0.5, 0.9, 0.99} {
		assert.InDelta(t, 2+10*p, u.quantile(p), 10.0/cells, "quantile %v", p)
		assert.InDelta(t, p, u.cdf(2+10*p), 1e-9)
	}
	assert.InDelta(t, 0.5*(12-7)*(12-7)/10, u.excess(7), 1e-9, "E[(U − 7)⁺]")
	assert.InDelta(t, (math.Exp(-0.2)-math.Exp(-1.2))/(0.1*10), u.laplace(0.1), 1e-6)
}

// The sum of two U(0, 1) is triangular on [0, 2].
func TestSumOfUniformsIsTriangular(t *testing.T) {
	t.Parallel()
	s := uniform(0, 1).plus(uniform(0, 1))
	assert.InDelta(t, 1.0, s.mean(), 1e-12)
	assert.InDelta(t, 1.0/6, s.variance(), 1e-12)
	for _, x := range []float64{0.25, 0.5, 1, 1.5, 1.9} {
		want := x * x / 2
		if x > 1 {
			want = 1 - (2-x)*(2-x)/2
		}
		assert.InDelta(t, want, s.cdf(x), 1e-3, "P(S ≤ %v)", x)
	}
}

func TestPointMassesShiftAndMix(t *testing.T) {
	t.Parallel()
	m := mix([]float64{0.25, 0.75}, []law{pointMass(1), pointMass(5)})
	assert.InDelta(t, 4.0, m.mean(), 1e-12)
	assert.InDelta(t, 0.25*9+0.75*1, m.variance(), 1e-12)
	assert.Equal(t, 1.0, m.quantile(0.2))
	assert.Equal(t, 5.0, m.quantile(0.3))
	assert.Equal(t, 0.25, m.cdf(4.9))
	shifted := m.plus(uniform(0, 1))
	assert.InDelta(t, 4.5, shifted.mean(), 1e-12)
	assert.InDelta(t, 0.25+0.75*0.5, shifted.cdf(5.5), 1e-3)
	neg := m.negate()
	assert.InDelta(t, -4.0, neg.mean(), 1e-12)
	assert.Equal(t, 0.75, neg.cdf(-5))
}

// Each latency form of a scenario is tabulated with its own quantiles.
func TestDurationsKeepTheirQuantiles(t *testing.T) {
	t.Parallel()
	for _, d := range []random.Durations{
		random.Constant(30 * time.Millisecond),
		random.Uniform{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond},
		random.Exponential{Avg: 2 * time.Second},
		random.LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond),
	} {
		l := durations(d)
		assert.InDelta(t, d.Mean().Seconds(), l.mean(), 1e-9, "%v mean", d)
		for _, p := range []float64{0.5, 0.9, 0.99} {
			want := d.Quantile(p).Seconds()
			assert.InDelta(t, want, l.quantile(p), want*2e-3+1e-9, "%v quantile %v", d, p)
		}
	}
}

// The forward recurrence time of a fixed interval T is U(0, T); of
// exponential gaps it is the same exponential (memorylessness); its mean is
// E[G²]/(2E[G]).
func TestRecurrence(t *testing.T) {
	t.Parallel()
	r := recurrence(pointMass(10))
	assert.InDelta(t, 5.0, r.mean(), 1e-12)
	assert.InDelta(t, 100.0/12, r.variance(), 0.01)
	assert.InDelta(t, 9.9, r.quantile(0.99), 0.01)

	e := recurrence(durations(random.Exponential{Avg: 3 * time.Second}))
	assert.InDelta(t, 3.0, e.mean(), 1e-6, "E[G²]/(2E[G]) = 2·9/6")
	assert.InDelta(t, 3*math.Ln2, e.quantile(0.5), 0.01)

	j := recurrence(uniform(8, 12))
	assert.InDelta(t, 10.0/2+(16.0/12)/(2*10), j.mean(), 1e-12, "T/2 + Var(I)/(2T)")
}

// ageSquare against E[((u − X)⁺)²] = ∫₀ᵘ (u − x)² λe^(−λx) dx by
// Gauss–Legendre quadrature, whose terms are all positive: a reference free
// of the closed form's cancellation at small λu, where ageSquare sums a
// series instead (λu ≤ 0.5).
func TestAgeSquareMeetsItsIntegral(t *testing.T) {
	t.Parallel()
	for _, lambda := range []float64{1e-4, 0.01, 1} {
		for _, z := range []float64{1e-6, 1e-3, 0.1, 0.3, 0.5, 0.51, 2} {
			u := z / lambda
			want := quad.Fixed(func(x float64) float64 {
				return (u - x) * (u - x) * lambda * math.Exp(-lambda*x)
			}, 0, u, 30, quad.Legendre{}, 0)
			assert.InEpsilon(t, want, ageSquare(u, lambda), 1e-12, "ageSquare(%v, %v), λu = %v", u, lambda, z)
		}
	}
}

func TestPoissonTail(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 1-math.Exp(-2)*(1+2), poissonTail(2, 1), 1e-12)
	assert.InDelta(t, 0.0, poissonTail(0, 3), 0)
	// Near the mean, where P(X > k) and P(X ≥ k) differ by P(X = k) ≈ 1.3 %:
	// P(X > k) = 1 − CDF(k) exactly.
	for _, k := range []float64{999, 1000, 1001} {
		want := distuv.Poisson{Lambda: 1000}.Survival(k)
		assert.InEpsilon(t, want, poissonTail(1000, k), 1e-12, "poissonTail(1000, %v)", k)
	}
}
