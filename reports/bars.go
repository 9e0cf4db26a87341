package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// hbars draws horizontal bars, one group per category from the top down:
// a bar per series side by side, or one bar of the series stacked. On a
// log axis a bar starts at the axis minimum, so a value at or below it
// draws no bar but keeps its label.
type hbars struct {
	n       int // categories
	series  []barSeries
	stacked bool
	// totals label a stacked bar at its end, per category; "" for none.
	totals []string
	// colors, when set, colour a lone series' bars by category instead.
	colors []color.Color
}

// barSeries is one series of bars: a value per category.
type barSeries struct {
	color  color.Color
	values []float64
	labels []string // per category, printed at the bar's end; "" for none
}

var _ plot.Plotter = (*hbars)(nil)

// groupHeight is the share of a category's row its bars fill.
const groupHeight = 0.76

// center is the y of category i: the first is at the top.
func (h *hbars) center(i int) float64 { return float64(h.n - 1 - i) }

// Plot draws the bars and their labels.
func (h *hbars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	clampX := func(v float64) vg.Length { return trX(math.Max(plt.X.Min, math.Min(plt.X.Max, v))) }
	base := 0.0
	if _, log := plt.X.Scale.(plot.LogScale); log {
		base = plt.X.Min
	}
	ls := textStyle(7.5, ink, false)
	ls.YAlign = draw.YCenter
	label := func(text string, x vg.Length, y float64) {
		if text == "" {
			return
		}
		w := ls.Width(text)
		at := vg.Point{X: x + vg.Points(3), Y: trY(y)}
		if at.X+w > c.Max.X {
			at.X = c.Max.X - w
		}
		c.FillText(ls, at, text)
	}
	rect := func(col color.Color, x0, x1 vg.Length, y0, y1 float64) {
		if x1 <= x0 {
			return
		}
		c.FillPolygon(col, []vg.Point{{X: x0, Y: trY(y0)}, {X: x1, Y: trY(y0)}, {X: x1, Y: trY(y1)}, {X: x0, Y: trY(y1)}})
	}
	for i := range h.n {
		top := h.center(i) + groupHeight/2
		if h.stacked {
			sum, end := base, clampX(base)
			for _, s := range h.series {
				v := s.values[i]
				if v <= 0 {
					continue
				}
				x0 := clampX(sum)
				sum += v
				end = clampX(sum)
				rect(s.color, x0, end, top-groupHeight, top)
			}
			if i < len(h.totals) {
				label(h.totals[i], end, h.center(i))
			}
			continue
		}
		bh := groupHeight / float64(len(h.series))
		for j, s := range h.series {
			y1 := top - float64(j)*bh
			y0 := y1 - bh*0.9
			x1 := clampX(s.values[i])
			col := s.color
			if len(h.series) == 1 && i < len(h.colors) {
				col = h.colors[i]
			}
			rect(col, clampX(base), x1, y0, y1)
			if i < len(s.labels) {
				label(s.labels[i], x1, (y0+y1)/2)
			}
		}
	}
}

// barPlot returns a plot of bars for the named categories, the names
// marking the y axis from the top down. The caller sets the x axis.
func barPlot(names []string, bars *hbars) *plot.Plot {
	p := newPlot()
	bars.n = len(names)
	p.Add(&xGrid{})
	p.Add(bars)
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: bars.center(i), Label: n}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
	p.Y.LineStyle.Width = 0
	return p
}

// logRange sets a log axis to cover the positive values given, from a
// round duration or power of ten below the smallest to a margin above the
// largest, room for the labels. With no positive value it covers 1 to 10.
func logRange(a *plot.Axis, values []float64, headroom float64) {
	lo, hi := math.Inf(1), 0.0
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	a.Scale = plot.LogScale{}
	a.Min = niceFloor(lo / 1.4) // a margin, so that the smallest value is off the axis' edge
	a.Max = hi * headroom
	if a.Max <= a.Min*10 {
		a.Max = a.Min * 10
	}
}

// niceFloor is the largest 1, 2 or 5 × 10^k at or below v > 0.
func niceFloor(v float64) float64 {
	p := math.Pow10(int(math.Floor(math.Log10(v))))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v*(1+1e-12) {
			return m * p
		}
	}
	return p / 2
}

// linearRange sets a linear axis from 0 to a margin above the largest
// value; a chart of zeros still gets a range.
func linearRange(a *plot.Axis, values []float64, headroom float64) {
	hi := 0.0
	for _, v := range values {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			hi = math.Max(hi, v)
		}
	}
	a.Scale = plot.LinearScale{}
	a.Min = 0
	a.Max = hi * headroom
	if a.Max <= 0 {
		a.Max = 1
	}
}

// xGrid draws light vertical lines at the x axis' labelled ticks.
type xGrid struct{}

// Plot draws the grid.
func (xGrid) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	sty := lineStyle(faint, 0.6, nil)
	for _, t := range plt.X.Tick.Marker.Ticks(plt.X.Min, plt.X.Max) {
		if t.Label == "" || t.Value < plt.X.Min || t.Value > plt.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	}
}

// yGrid draws light horizontal lines at the y axis' labelled ticks.
type yGrid struct{}

// Plot draws the grid.
func (yGrid) Plot(c draw.Canvas, plt *plot.Plot) {
	_, trY := plt.Transforms(&c)
	sty := lineStyle(faint, 0.6, nil)
	for _, t := range plt.Y.Tick.Marker.Ticks(plt.Y.Min, plt.Y.Max) {
		if t.Label == "" || t.Value < plt.Y.Min || t.Value > plt.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}
