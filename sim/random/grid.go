package random

// quantileGrid tabulates a quantile function so that drawing from it costs
// a table look-up instead of transcendental functions. Between grid points
// it interpolates linearly; in the outer cells, where a quantile function
// is steep, it calls the exact function. For a log-normal with σ up to 1.5
// the interpolated draw is within 3e-5 of the exact one, relatively, and the
// mean within 3e-6 (sim/random tests measure both).
//
// A grid holds numbers only, so two distributions with the same parameters
// compare equal.
type quantileGrid struct {
	q [gridCells + 1]float64 // q[i] = Q(i/gridCells) for the inner cells
}

const (
	gridCells = 4096
	gridEdge  = 64 // cells at each end computed exactly: p < 1/64 or p > 63/64
)

func newQuantileGrid(exact func(p float64) float64) *quantileGrid {
	g := &quantileGrid{}
	for i := gridEdge; i <= gridCells-gridEdge; i++ {
		g.q[i] = exact(float64(i) / gridCells)
	}
	return g
}

// at returns Q(p) for p in (0, 1), or false when p falls in an outer cell,
// where the caller computes Q exactly.
func (g *quantileGrid) at(p float64) (float64, bool) {
	x := p * gridCells
	i := int(x)
	if i < gridEdge || i >= gridCells-gridEdge {
		return 0, false
	}
	f := x - float64(i)
	return g.q[i] + f*(g.q[i+1]-g.q[i]), true
}
