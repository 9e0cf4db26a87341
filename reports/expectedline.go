package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A sweep's charts draw beside each client's measured points what the
// model expected at the same points (results' clients[].model): a dashed
// line through the expected values, in the client's colour made lighter,
// and at each point a bar across the tolerance. Both go in front of the
// measured line, thinner, so that where the two agree the model shows as
// light dashes inside it, and a measured point off its bar stands out.

// expectedPoint is what the model expected at one point of a series: the
// value, and the interval the tolerance allows around it. On a chart
// against the swept field the x interval is the point's x.
type expectedPoint struct {
	x, y             float64
	xLo, xHi         float64
	yLo, yHi         float64
	outside, present bool // measured outside the tolerance; expected at all
}

// expectedDashes is the dash pattern of a model's line.
var expectedDashes = []vg.Length{vg.Points(4), vg.Points(3)}

// expectedLine is the dashed line through the expected values of one
// series, broken where the model expected nothing.
type expectedLine struct {
	points []expectedPoint
	color  color.Color
}

// Plot draws the line.
func (l *expectedLine) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := lineStyle(fade(l.color), 1.1, expectedDashes)
	var run []vg.Point
	flush := func() {
		if len(run) > 1 {
			c.StrokeLines(sty, c.ClipLinesXY(run)...)
		}
		run = run[:0]
	}
	for _, p := range l.points {
		if !p.present || !onAxis(plt.X, p.x) || !onAxis(plt.Y, p.y) {
			flush()
			continue
		}
		run = append(run, vg.Point{X: trX(p.x), Y: trY(p.y)})
	}
	flush()
}

// expectedBars are the tolerance bars of one series: vertical, and on the
// trade-off chart horizontal too, each with a cap at either end that lies
// on the axis.
type expectedBars struct {
	points     []expectedPoint
	color      color.Color
	horizontal bool
}

// capHalf is half the width of a bar's cap.
const capHalf = vg.Length(5)

// Plot draws the bars.
func (b *expectedBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := lineStyle(fade(b.color), 1.2, nil)
	for _, p := range b.points {
		if !p.present || !onAxis(plt.X, p.x) || !onAxis(plt.Y, p.y) {
			continue
		}
		x, y := trX(p.x), trY(p.y)
		lo, loCap := clampTo(plt.Y, p.yLo)
		hi, hiCap := clampTo(plt.Y, p.yHi)
		bar(c, sty, trY(lo), trY(hi), loCap, hiCap, func(v, across vg.Length) vg.Point { return vg.Point{X: x + across, Y: v} })
		if b.horizontal {
			lo, loCap := clampTo(plt.X, p.xLo)
			hi, hiCap := clampTo(plt.X, p.xHi)
			bar(c, sty, trX(lo), trX(hi), loCap, hiCap, func(v, across vg.Length) vg.Point { return vg.Point{X: v, Y: y + across} })
		}
	}
}

// bar draws one tolerance bar from lo to hi along its axis, with the caps
// asked for; at places a point along the bar and across it. A bar too short
// to see is its cap alone.
func bar(c draw.Canvas, sty draw.LineStyle, lo, hi vg.Length, loCap, hiCap bool, at func(along, across vg.Length) vg.Point) {
	line := func(a, b vg.Point) { c.StrokeLines(sty, []vg.Point{a, b}) }
	if hi-lo >= 0.5 {
		line(at(lo, 0), at(hi, 0))
	}
	if loCap {
		line(at(lo, -capHalf), at(lo, capHalf))
	}
	if hiCap && (hi-lo >= 0.5 || !loCap) {
		line(at(hi, -capHalf), at(hi, capHalf))
	}
}

// onAxis reports whether v can be drawn on a: inside its range, and
// positive on a log axis.
func onAxis(a plot.Axis, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if _, log := a.Scale.(plot.LogScale); log && v <= 0 {
		return false
	}
	return v >= a.Min && v <= a.Max
}

// clampTo brings v inside a's range, and reports whether it was there
// already: a bar cut at the axis' edge has no cap there.
func clampTo(a plot.Axis, v float64) (float64, bool) {
	switch {
	case math.IsNaN(v) || v < a.Min:
		return a.Min, false
	case v > a.Max:
		return a.Max, false
	}
	return v, true
}

// barGlyph draws a tolerance bar with its caps, for a legend.
type barGlyph struct{}

// DrawGlyph draws the bar.
func (barGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := lineStyle(sty.Color, 1.2, nil)
	r := sty.Radius + 1
	c.StrokeLine2(ls, pt.X, pt.Y-r, pt.X, pt.Y+r)
	c.StrokeLine2(ls, pt.X-capHalf, pt.Y-r, pt.X+capHalf, pt.Y-r)
	c.StrokeLine2(ls, pt.X-capHalf, pt.Y+r, pt.X+capHalf, pt.Y+r)
}

// expectedLegend are the legend entries of the model's lines, when there
// are any, and bars: grey, as each client's are drawn in its own colour,
// lighter.
func expectedLegend(line bool) []legendEntry {
	var out []legendEntry
	if line {
		out = append(out, legendEntry{label: "expected by the model", color: muted, line: true, dashes: expectedDashes, faded: true})
	}
	label := "its tolerance"
	if !line {
		label = "expected by the model, ± its tolerance"
	}
	return append(out, legendEntry{label: label, color: muted, glyph: barGlyph{}, faded: true})
}
