package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// markedPercentiles are marked on every latency curve, each with its glyph.
var markedPercentiles = []struct {
	p     float64
	name  string
	glyph draw.GlyphDrawer
	value func(l metrics.Latency) float64
}{
	{50, "p50", draw.CircleGlyph{}, func(l metrics.Latency) float64 { return l.P50S }},
	{90, "p90", draw.PyramidGlyph{}, func(l metrics.Latency) float64 { return l.P90S }},
	{99, "p99", draw.BoxGlyph{}, func(l metrics.Latency) float64 { return l.P99S }},
}

// latencyCDF is the distribution of delivery latency of every client, on
// a log axis of time: the share of events delivered within each latency.
func latencyCDF(res *metrics.Results) *Chart {
	ch := &Chart{
		Name:  "latency-cdf",
		Title: "Delivery latency: share of events delivered within a given time",
		Caption: "Each curve is one client: read across from a share of events to the latency within which they arrived. " +
			"Curves further left are faster; a long flat stretch at the top is a tail of late deliveries. The marks are the p50, p90 and p99.",
		width: 720, height: 400,
	}
	var all []float64
	for _, c := range res.Clients {
		for _, pt := range c.Latency.Spectrum {
			all = append(all, pt.ValueS)
		}
	}
	p := newPlot()
	logRange(&p.X, all, 1.5)
	p.X.Tick.Marker = logDurationTicks
	p.X.Label.Text = "delivery latency (log scale)"
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = linearTicks(5, percentLabel)
	p.Y.Label.Text = "events delivered within it"
	p.Add(xGrid{}, yGrid{})

	floor := p.X.Min
	clamped := false
	var legend []legendEntry
	drawn := false
	for i, c := range res.Clients {
		if c.Latency.Count == 0 || len(c.Latency.Spectrum) == 0 {
			ch.Notes = append(ch.Notes, fmt.Sprintf("%s delivered nothing: it has no curve.", c.Name))
			continue
		}
		xy := make(plotter.XYs, 0, len(c.Latency.Spectrum))
		for _, pt := range c.Latency.Spectrum {
			x := pt.ValueS
			if x < floor {
				x, clamped = floor, clamped || pt.ValueS <= 0
			}
			xy = append(xy, plotter.XY{X: x, Y: pt.Percentile / 100})
		}
		line := &plotter.Line{XYs: xy, LineStyle: lineStyle(clientColor(i), 1.8, clientDashes(i))}
		p.Add(line)
		drawn = true
		for _, m := range markedPercentiles {
			x := math.Max(m.value(c.Latency), floor)
			sc := &plotter.Scatter{XYs: plotter.XYs{{X: x, Y: m.p / 100}}}
			sc.GlyphStyle = draw.GlyphStyle{Color: clientColor(i), Radius: vg.Points(3.2), Shape: m.glyph}
			p.Add(sc)
		}
		legend = append(legend, legendEntry{label: c.Name, color: clientColor(i), line: true, dashes: clientDashes(i)})
	}
	for _, m := range markedPercentiles {
		legend = append(legend, legendEntry{label: m.name, color: muted, glyph: m.glyph})
	}
	if clamped {
		ch.Notes = append(ch.Notes, fmt.Sprintf("Latencies of 0 (no network delay) cannot sit on a log axis: they are drawn at %s, the axis' left edge.", durationLabel(floor)))
	}
	ch.draw = func(c draw.Canvas) {
		area := frame(c, ch.Title, legend)
		if !drawn {
			noteText(area, "no client delivered an event")
			return
		}
		drawPlot(area, p)
	}
	return ch
}
