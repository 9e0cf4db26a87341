package random

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuantileGrid measures what quantileGrid promises for log-normal laws
// with σ up to 1.5: an interpolated quantile within 3e-5 of the exact one,
// relatively, and a mean within 3e-6.
func TestQuantileGrid(t *testing.T) {
	t.Parallel()
	const mu = -3.2 // ln(40ms)
	for _, sigma := range []float64{0.1, 0.5, 1, 1.5} {
		exact := func(p float64) float64 { return math.Exp(mu + sigma*NormalQuantile(p)) }
		g := newQuantileGrid(exact)

		// Quantiles, at many points of every inner cell.
		const steps = 7
		worst := 0.0
		for i := gridEdge; i < gridCells-gridEdge; i++ {
			for k := range steps + 1 {
				p := (float64(i) + float64(k)/steps) / gridCells
				got, ok := g.at(p)
				if !ok {
					// Only the right end of the last inner cell may fall outside.
					require.Equal(t, gridCells-gridEdge-1, i, "σ %v: at(%v) fell outside the grid", sigma, p)
					continue
				}
				worst = max(worst, math.Abs(got-exact(p))/exact(p))
			}
		}
		assert.Less(t, worst, 3e-5, "σ %v: largest relative error of an interpolated quantile = %v; want below 3e-5", sigma, worst)

		// Outer cells are left to the exact function.
		for _, p := range []float64{1e-9, 0.5 / gridCells, float64(gridEdge)/gridCells - 1e-9, float64(gridCells-gridEdge) / gridCells, 1 - 1e-9} {
			_, ok := g.at(p)
			assert.False(t, ok, "σ %v: at(%v) answered in an outer cell", sigma, p)
		}

		// Mean: in each inner cell linear interpolation replaces Q, which
		// moves the mean by the trapezoid rule's error there.
		var shift float64
		for i := gridEdge; i < gridCells-gridEdge; i++ {
			a, b := float64(i)/gridCells, float64(i+1)/gridCells
			shift += (b-a)*(exact(a)+exact(b))/2 - simpson(exact, a, b, 16)
		}
		mean := math.Exp(mu + sigma*sigma/2)
		assert.Less(t, math.Abs(shift)/mean, 3e-6, "σ %v: relative shift of the mean = %v; want below 3e-6", sigma, shift/mean)
	}
}

// simpson integrates f over [a, b] by Simpson's rule with n (even) intervals.
func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}
