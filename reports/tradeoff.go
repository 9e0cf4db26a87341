package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// tradeoffPoint is one client at one sweep point on the trade-off chart.
type tradeoffPoint struct {
	x, y  float64 // requests per hour, latency
	label string
}

// tradeoff draws the latency–cost trade-off of a sweep at one percentile:
// requests per hour against latency, both on log axes, one line per client
// that the sweep changes, a marked point per client it does not (a webhook
// receiver while a poller's interval varies), what the model expected of
// each client, and the Pareto frontier: the points no other point beats on
// both.
func tradeoff(sw *metrics.Sweep, pct string) *Chart {
	m, _ := metrics.LookupMetric(pct + "_latency_s")
	ch := &Chart{
		Name:  "tradeoff-" + pct,
		Title: fmt.Sprintf("Trade-off: requests per hour against %s latency", pct),
		Caption: fmt.Sprintf("Each point is one client at one value of %s: down is faster, left is cheaper. "+
			"Lines join a client's points; points standing alone are clients the sweep does not change, such as a webhook receiver, as a reference. "+
			"The dashed lines, in each client's lighter colour, join what the model expected of both figures at each point (docs/models.md), with bars across the tolerances. "+
			"The grey staircase is the Pareto frontier: no point below or left of it exists.", sw.Axes[0].Set),
		width: 720, height: 460,
	}
	var all []tradeoffPoint
	var xs, ys []float64
	var legend []legendEntry
	left := 0
	labels := &pointLabels{}
	var lines, measured, bars []plot.Plotter
	numeric := xAxisOf(sw.Axes[0]).numeric
	for _, s := range seriesOf(sw) {
		col := clientColor(s.index)
		if exp := tradeoffExpected(s, m.Name); len(exp) > 0 {
			if numeric && !s.constant() && len(exp) > 1 {
				lines = append(lines, &expectedLine{points: exp, color: col})
			}
			if s.constant() {
				exp = exp[:1] // a client the sweep does not change is drawn once
			}
			bars = append(bars, &expectedBars{points: exp, color: col, horizontal: true})
			for _, e := range exp {
				xs, ys = append(xs, e.x), append(ys, e.y)
			}
		}
		var pts []tradeoffPoint
		for _, pt := range s.points {
			y, ok := m.Of(pt.c)
			x := 3600 * pt.c.Requests.PerS
			if !ok || y <= 0 || x <= 0 {
				left++
				continue
			}
			pts = append(pts, tradeoffPoint{x: x, y: y, label: pt.label})
		}
		if len(pts) == 0 {
			continue
		}
		all = append(all, pts...)
		for _, tp := range pts {
			xs, ys = append(xs, tp.x), append(ys, tp.y)
		}
		if s.constant() && len(s.points) > 1 || len(pts) == 1 && len(sw.Points) > 1 {
			sc := &plotter.Scatter{XYs: plotter.XYs{{X: pts[0].x, Y: pts[0].y}}}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(5), Shape: draw.PyramidGlyph{}}
			measured = append(measured, sc)
			labels.add(pts[0].x, pts[0].y, s.name(sw), col)
			legend = append(legend, legendEntry{label: s.name(sw) + " (reference)", color: col, glyph: draw.PyramidGlyph{}})
			continue
		}
		slices.SortFunc(pts, func(a, b tradeoffPoint) int { return cmpFloat(a.x, b.x) })
		xy := make(plotter.XYs, len(pts))
		for i, tp := range pts {
			xy[i] = plotter.XY{X: tp.x, Y: tp.y}
			labels.add(tp.x, tp.y, tp.label, col)
		}
		line, marks, err := plotter.NewLinePoints(xy)
		if err != nil {
			continue
		}
		line.LineStyle = lineStyle(col, 1.6, seriesDashes(s.otherI))
		marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}
		if numeric {
			measured = append(measured, line) // values with an order: the line is the curve they trace
		}
		measured = append(measured, marks)
		legend = append(legend, legendEntry{label: s.name(sw), color: col, line: numeric, dashes: seriesDashes(s.otherI), glyph: draw.CircleGlyph{}})
	}
	front := pareto(all)
	if len(front) > 0 {
		legend = append(legend, legendEntry{label: "Pareto frontier", color: frontierColor, line: true})
	}
	if len(bars) > 0 {
		legend = append(legend, expectedLegend(len(lines) > 0)...)
	}
	// The frontier goes behind everything, the model in front of what was
	// measured, and the labels in front of all.
	p := newPlot()
	p.Add(xGrid{}, yGrid{})
	if len(front) > 0 {
		p.Add(&staircase{points: front})
	}
	p.Add(measured...)
	p.Add(lines...)
	p.Add(bars...)
	p.Add(labels)
	logRange(&p.X, xs, 2.5)
	p.X.Min = math.Min(p.X.Min, slices.Min(append(xs, math.Inf(1)))/2)
	p.X.Tick.Marker = logCountTicks
	p.X.Label.Text = "requests per hour (log scale): the cost"
	logRange(&p.Y, ys, 2.5)
	p.Y.Tick.Marker = logDurationTicks
	p.Y.Label.Text = pct + " delivery latency (log scale)"
	if left > 0 {
		ch.Notes = append(ch.Notes, fmt.Sprintf("%d client points are left out: they delivered nothing, made no request, or had a latency of 0, which has no place on a log axis.", left))
	}
	ch.draw = func(c draw.Canvas) {
		area := frame(c, ch.Title, legend)
		if len(all) == 0 {
			noteText(area, "no point to draw: no client delivered an event")
			return
		}
		drawPlot(area, p)
	}
	return ch
}

// tradeoffExpected is what the model expected of a series on the trade-off
// chart: requests per hour and the latency percentile metric at each point
// where it predicts both, in order of requests.
func tradeoffExpected(s sweepSeries, metric string) []expectedPoint {
	var out []expectedPoint
	for _, pt := range s.points {
		x, okX := expectedOf(pt.c, pt.durationS, "requests_per_hour")
		y, okY := expectedOf(pt.c, pt.durationS, metric)
		if !okX || !okY || x.Value <= 0 || y.Value <= 0 {
			continue
		}
		out = append(out, expectedPoint{
			x: x.Value, xLo: x.Value - x.Tolerance, xHi: x.Value + x.Tolerance,
			y: y.Value, yLo: y.Value - y.Tolerance, yHi: y.Value + y.Tolerance,
			outside: isOutside(x) || isOutside(y), present: true,
		})
	}
	slices.SortStableFunc(out, func(a, b expectedPoint) int { return cmpFloat(a.x, b.x) })
	return out
}

// pareto returns the points no other point beats on both cost and latency,
// by cost.
func pareto(points []tradeoffPoint) []tradeoffPoint {
	sorted := slices.Clone(points)
	slices.SortStableFunc(sorted, func(a, b tradeoffPoint) int {
		if c := cmpFloat(a.x, b.x); c != 0 {
			return c
		}
		return cmpFloat(a.y, b.y)
	})
	var front []tradeoffPoint
	best := math.Inf(1)
	for _, p := range sorted {
		if p.y < best {
			front = append(front, p)
			best = p.y
		}
	}
	return front
}

// frontierColor is the Pareto frontier's: a wide light band behind the
// points.
var frontierColor = color.RGBA{R: 0xd0, G: 0xd0, B: 0xd0, A: 0xff}

// staircase draws the Pareto frontier as steps: from each point across to
// the next one's cost, then down to its latency.
type staircase struct{ points []tradeoffPoint }

// Plot draws the steps.
func (s *staircase) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	var line []vg.Point
	for i, p := range s.points {
		if i > 0 {
			line = append(line, vg.Point{X: trX(p.x), Y: trY(s.points[i-1].y)})
		}
		line = append(line, vg.Point{X: trX(p.x), Y: trY(p.y)})
	}
	c.StrokeLines(lineStyle(frontierColor, 5, nil), c.ClipLinesXY(line)...)
}

// pointLabels writes a short label beside each point, keeping labels off
// one another where it can.
type pointLabels struct{ items []pointLabel }

// pointLabel is one label of pointLabels.
type pointLabel struct {
	x, y  float64
	text  string
	color color.Color
}

func (l *pointLabels) add(x, y float64, text string, col color.Color) {
	l.items = append(l.items, pointLabel{x, y, text, col})
}

// Plot draws the labels, each beside its point where there is room: to
// the right and a little above, or in another of a few places around it.
// A label with no free place is left out rather than drawn over another.
func (l *pointLabels) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	var taken []vg.Rectangle
	for _, it := range l.items {
		ts := textStyle(8, it.color, false)
		w, h := ts.Width(it.text), ts.Height(it.text)
		x, y := trX(it.x), trY(it.y)
		for _, off := range []vg.Point{{X: 5, Y: 3}, {X: 5, Y: -h - 3}, {X: -w - 5, Y: 3}, {X: -w - 5, Y: -h - 3}, {X: -w / 2, Y: 7}, {X: -w / 2, Y: -h - 7}} {
			r := vg.Rectangle{Min: vg.Point{X: x + off.X, Y: y + off.Y}, Max: vg.Point{X: x + off.X + w, Y: y + off.Y + h}}
			if !overlapsAny(r, taken) && r.Max.X <= c.Max.X && r.Min.X >= c.Min.X && r.Max.Y <= c.Max.Y && r.Min.Y >= c.Min.Y {
				taken = append(taken, r)
				c.FillText(ts, r.Min, it.text)
				break
			}
		}
	}
}

func overlapsAny(r vg.Rectangle, others []vg.Rectangle) bool {
	for _, o := range others {
		if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
			return true
		}
	}
	return false
}
