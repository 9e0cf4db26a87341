package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat/distuv"
)

// poissonQuantileFromZero is the search poissonQuantile replaces: one tail
// per count from zero.
func poissonQuantileFromZero(mean, p float64) float64 {
	k := 0.0
	for poissonTail(mean, k) > p {
		k++
	}
	return k
}

// Where counting from zero is cheap, starting near the answer changes
// nothing.
func TestPoissonQuantileMatchesTheCountFromZero(t *testing.T) {
	t.Parallel()
	for _, mean := range []float64{1e-6, 1e-3, 0.01, 0.1, 0.5, 1, 2, 3.7, 10, 31.6, 100, 1000, 1e4} {
		for _, p := range []float64{tailChance / 2, 1e-3, 0.05} {
			want := poissonQuantileFromZero(mean, p)
			assert.Equal(t, want, poissonQuantile(mean, p), "poissonQuantile(%v, %v)", mean, p)
		}
	}
}

// A count of millions, a year of a busy feed's duplicates, is worked out in
// a few tails, and is the quantile distuv's Poisson gives. Not parallel: it
// times itself.
func TestPoissonQuantileOfALargeMeanIsFastAndExact(t *testing.T) {
	p := tailChance / 2
	for _, tt := range []struct {
		mean, slack float64
	}{
		{1e6, 0},
		// poissonTail's P(X = k) carries a relative error of about
		// ε·k·ln(mean), 10⁻⁷ here, and the tail at the reference's
		// answer is within 4·10⁻⁸ of p: one count either way.
		{1e8, 1},
	} {
		start := time.Now()
		k := poissonQuantile(tt.mean, p)
		elapsed := time.Since(start)
		// Counting from zero took 3.5 s at a mean of 10⁶.
		assert.Less(t, elapsed, 500*time.Millisecond, "poissonQuantile(%v) took %v", tt.mean, elapsed)
		ref := distuv.Poisson{Lambda: tt.mean}
		want := math.Floor(ref.Mean() + sigmas*ref.StdDev())
		for ref.Survival(want) > p {
			want++
		}
		for ref.Survival(want-1) <= p {
			want--
		}
		assert.InDelta(t, want, k, tt.slack, "poissonQuantile(%v, %.4g) = %v; want %v", tt.mean, p, k, want)
	}
}

// countOf depends on no sample size: its tolerance is the same at any.
func TestCountToleranceIsWorkedOutOnce(t *testing.T) {
	t.Parallel()
	tol := countOf(1e6, 1e6)
	assert.Equal(t, tol(Sizes{}), tol(Sizes{Events: 1e9, Delivered: 1e9, Polls: 1e9}))
	assert.Equal(t, poissonQuantile(1e6, tailChance/2)-1e6, tol(Sizes{}), "countOf(10⁶, 10⁶): the Poisson quantile, beyond 4σ")
}
