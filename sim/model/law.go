package model

import (
	"math"
	"slices"

	"github.com/pushpull/pushpull/sim/random"
)

// cells is how finely a continuous part is tabulated. A latency's
// percentile read from the table is within a few cells' width of the exact
// one: under 0.1 % of the part's span, well inside the 1 % the measured
// percentiles carry.
const cells = 4096

// law is a probability distribution over seconds: a mixture of parts, each
// a point mass or a density tabulated on a uniform grid. Means and
// variances are carried exactly beside the tables, so that the expected
// mean of a figure owes nothing to the tabulation.
type law struct {
	parts []part
}

// part is one component of a mixture.
type part struct {
	w     float64   // its weight in the mixture
	lo, h float64   // the grid starts at lo, cells of width h; h = 0: a point mass at lo
	mass  []float64 // cell masses, summing to 1 (a point mass: [1])
	cum   []float64 // cum[i]: the masses of cells 0 to i
	mom   []float64 // mom[i]: Σ mass × (midpoint − lo) of cells 0 to i
	mean  float64   // exact
	vari  float64   // exact
}

func (p part) atom() bool  { return p.h == 0 }
func (p part) hi() float64 { return p.lo + p.h*float64(len(p.mass)) }

// pointMass is the law of a constant.
func pointMass(x float64) law {
	return law{parts: []part{{w: 1, lo: x, mass: []float64{1}, cum: []float64{1}, mean: x}}}
}

// tabulate returns the law with cumulative distribution cdf on [lo, hi]
// and the given exact mean and variance.
func tabulate(cdf func(float64) float64, lo, hi, mean, vari float64) law {
	if !(hi > lo) {
		return pointMass(lo)
	}
	p := part{w: 1, lo: lo, h: (hi - lo) / cells, mass: make([]float64, cells), mean: mean, vari: vari}
	prev := cdf(lo)
	for i := range p.mass {
		next := cdf(lo + p.h*float64(i+1))
		p.mass[i] = max(next-prev, 0)
		prev = next
	}
	p.normalise()
	return law{parts: []part{p}}
}

// normalise scales the masses to sum to 1 and accumulates them.
func (p *part) normalise() {
	var sum float64
	for _, m := range p.mass {
		sum += m
	}
	if sum > 0 {
		for i := range p.mass {
			p.mass[i] /= sum
		}
	}
	p.cum = make([]float64, len(p.mass))
	p.mom = make([]float64, len(p.mass))
	sum = 0
	var mom float64
	for i, m := range p.mass {
		sum += m
		mom += m * (float64(i) + 0.5) * p.h
		p.cum[i], p.mom[i] = sum, mom
	}
}

// uniform is the law of U(a, b).
func uniform(a, b float64) law {
	return tabulate(func(x float64) float64 { return (x - a) / (b - a) }, a, b, (a+b)/2, (b-a)*(b-a)/12)
}

// tail is how far into an unbounded tail a law is tabulated: the mass left
// beyond is below what any percentile pushpull reports can see.
const tail = 1e-7

// durations returns the law of a scenario's latency distribution.
func durations(d random.Durations) law {
	mean, vari := d.Mean().Seconds(), d.Variance()
	switch d := d.(type) {
	case random.Constant:
		return pointMass(mean)
	case random.Uniform:
		return uniform(d.Min.Seconds(), d.Max.Seconds())
	case random.Exponential:
		cdf := func(x float64) float64 { return -math.Expm1(-max(x, 0) / mean) }
		return tabulate(cdf, 0, d.Quantile(1-tail).Seconds(), mean, vari)
	case random.LogNormal:
		cdf := func(x float64) float64 {
			if x <= 0 {
				return 0
			}
			return 0.5 * math.Erfc(-(math.Log(x)-d.Mu)/(d.Sigma*math.Sqrt2))
		}
		return tabulate(cdf, d.Quantile(tail/10).Seconds(), d.Quantile(1-tail).Seconds(), mean, vari)
	}
	panic("model: unknown latency distribution " + d.String()) // every scenario form is listed above
}

// mean is the law's exact mean.
func (l law) mean() float64 {
	var m float64
	for _, p := range l.parts {
		m += p.w * p.mean
	}
	return m
}

// variance is the law's exact variance.
func (l law) variance() float64 {
	m := l.mean()
	var v float64
	for _, p := range l.parts {
		v += p.w * (p.vari + (p.mean-m)*(p.mean-m))
	}
	return v
}

// cdf is P(X ≤ x), linear within a cell.
func (l law) cdf(x float64) float64 {
	var f float64
	for _, p := range l.parts {
		f += p.w * p.cdf(x)
	}
	return min(f, 1)
}

func (p part) cdf(x float64) float64 {
	if p.atom() {
		if x >= p.lo {
			return 1
		}
		return 0
	}
	if x <= p.lo {
		return 0
	}
	pos := (x - p.lo) / p.h
	i := int(pos)
	if i >= len(p.mass) {
		return 1
	}
	var f float64
	if i > 0 {
		f = p.cum[i-1]
	}
	return f + (pos-float64(i))*p.mass[i]
}

// bounds returns the smallest and largest value the law takes.
func (l law) bounds() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range l.parts {
		lo, hi = min(lo, p.lo), max(hi, p.hi())
	}
	return lo, hi
}

// quantile is the least x with P(X ≤ x) ≥ q.
func (l law) quantile(q float64) float64 {
	lo, hi := l.bounds()
	if q <= 0 {
		return lo
	}
	if q >= 1 {
		return hi
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid == lo || mid == hi {
			break
		}
		if l.cdf(mid) >= q {
			hi = mid
		} else {
			lo = mid
		}
	}
	// At a point mass the answer is the point itself, not the last float
	// the search tried beside it.
	for _, p := range l.parts {
		if p.atom() && math.Abs(p.lo-hi) <= 1e-9*max(math.Abs(p.lo), 1) {
			return p.lo
		}
	}
	return hi
}

// expect is E[f(X)], with f taken at each cell's midpoint.
func (l law) expect(f func(float64) float64) float64 {
	var e float64
	for _, p := range l.parts {
		e += p.w * p.expect(f)
	}
	return e
}

func (p part) expect(f func(float64) float64) float64 {
	if p.atom() {
		return f(p.lo)
	}
	var e float64
	for i, m := range p.mass {
		if m > 0 {
			e += m * f(p.lo+p.h*(float64(i)+0.5))
		}
	}
	return e
}

// laplace is E[e^(−sX)].
func (l law) laplace(s float64) float64 {
	return l.expect(func(x float64) float64 { return math.Exp(-s * x) })
}

// excess is E[(X − a)⁺], exactly for a point mass and for a density
// uniform within each cell, in constant time from the running sums.
func (l law) excess(a float64) float64 {
	var e float64
	for _, p := range l.parts {
		e += p.w * p.excess(a)
	}
	return e
}

func (p part) excess(a float64) float64 {
	if p.atom() {
		return max(p.lo-a, 0)
	}
	n := len(p.mass)
	switch {
	case a >= p.hi():
		return 0
	case a <= p.lo:
		return p.mom[n-1] + p.lo - a
	}
	i := min(int((a-p.lo)/p.h), n-1)
	// The cells above i whole, at their midpoints; cell i from a up.
	above := p.mom[n-1] - p.mom[i] + (p.lo-a)*(1-p.cum[i])
	top := p.lo + p.h*float64(i+1)
	return above + p.mass[i]*(top-a)*(top-a)/(2*p.h)
}

// shift is the law of X + c.
func (l law) shift(c float64) law {
	out := law{parts: slices.Clone(l.parts)}
	for i := range out.parts {
		out.parts[i].lo += c
		out.parts[i].mean += c
	}
	return out
}

// negate is the law of −X.
func (l law) negate() law {
	out := law{parts: make([]part, len(l.parts))}
	for i, p := range l.parts {
		q := p
		q.lo, q.mean = -p.hi(), -p.mean
		if !p.atom() {
			q.mass = slices.Clone(p.mass)
			slices.Reverse(q.mass)
			q.normalise()
		} else {
			q.lo = -p.lo
		}
		out.parts[i] = q
	}
	return out
}

// mix is the mixture of laws with the given weights, which sum to 1.
// Parts of zero weight are left out.
func mix(weights []float64, laws []law) law {
	var out law
	for i, l := range laws {
		if weights[i] <= 0 {
			continue
		}
		for _, p := range l.parts {
			p.w *= weights[i]
			if p.w > 0 {
				out.parts = append(out.parts, p)
			}
		}
	}
	return out
}

// plus is the law of X + Y for independent X and Y.
func (l law) plus(m law) law {
	var out law
	for _, p := range l.parts {
		for _, q := range m.parts {
			r := convolve(p, q)
			r.w = p.w * q.w
			out.parts = append(out.parts, r)
		}
	}
	return out
}

// convolve is the law of the sum of two parts.
func convolve(p, q part) part {
	switch {
	case p.atom():
		q.lo += p.lo
		q.mean += p.lo
		return q
	case q.atom():
		return convolve(q, p)
	}
	h := (p.hi() - p.lo + q.hi() - q.lo) / cells
	a, b := p.regrid(h), q.regrid(h)
	// The sum of a cell of a at i and one of b at j is spread evenly over
	// cells i + j and i + j + 1 of the sum (a triangle, half in each): sum
	// the products by i + j first, then split each in two.
	sums := make([]float64, len(a)+len(b)-1)
	for i, x := range a {
		if x == 0 {
			continue
		}
		row := sums[i : i+len(b)]
		for j, y := range b {
			row[j] += x * y
		}
	}
	out := part{lo: p.lo + q.lo, h: h, mass: make([]float64, len(a)+len(b)), mean: p.mean + q.mean, vari: p.vari + q.vari}
	for k, m := range sums {
		out.mass[k] += m / 2
		out.mass[k+1] += m / 2
	}
	out.normalise()
	return out
}

// regrid returns p's masses on cells of width h from p.lo.
func (p part) regrid(h float64) []float64 {
	n := max(int(math.Ceil((p.hi()-p.lo)/h)), 1)
	out := make([]float64, n)
	prev := 0.0
	for i := range out {
		next := p.cdf(p.lo + h*float64(i+1))
		out[i] = max(next-prev, 0)
		prev = next
	}
	return out
}

// sumOf is the law of the sum of independent laws.
func sumOf(laws ...law) law {
	out := pointMass(0)
	for _, l := range laws {
		out = out.plus(l)
	}
	return out
}

// recurrence is the law of the time from a random instant to the next
// point of a stationary point process whose gaps have law g: density
// P(G > d)/E[G] (the forward recurrence time; MODELS.md §1). Its mean is
// E[G²]/(2E[G]) exactly.
func recurrence(g law) law {
	_, hi := g.bounds()
	eg := g.mean()
	p := part{w: 1, lo: 0, h: hi / cells, mass: make([]float64, cells)}
	prev := g.excess(0)
	for i := range p.mass {
		next := g.excess(p.h * float64(i+1))
		p.mass[i] = max(prev-next, 0) / eg // ∫ P(G > u) du over the cell
		prev = next
	}
	p.normalise()
	m2 := g.variance() + eg*eg
	p.mean = m2 / (2 * eg)
	// E[R²] = E[G³]/(3E[G]); the third moment from the table.
	m3 := g.expect(func(x float64) float64 { return x * x * x })
	p.vari = max(m3/(3*eg)-p.mean*p.mean, 0)
	return law{parts: []part{p}}
}

// minimum is the law of min(X, Y) for independent X and Y:
// P(min > x) = P(X > x)·P(Y > x).
func minimum(x, y law) law {
	xlo, xhi := x.bounds()
	ylo, yhi := y.bounds()
	lo, hi := min(xlo, ylo), min(xhi, yhi)
	if !(hi > lo) {
		return pointMass(lo)
	}
	cdf := func(v float64) float64 { return 1 - (1-x.cdf(v))*(1-y.cdf(v)) }
	l := tabulate(cdf, lo, hi, 0, 0)
	// Any mass left at hi (a point mass of both there) belongs to the
	// last cell.
	p := &l.parts[0]
	p.mean = p.expect(func(v float64) float64 { return v })
	p.vari = p.expect(func(v float64) float64 { return (v - p.mean) * (v - p.mean) })
	return l
}
