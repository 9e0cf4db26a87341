package reports

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// DefaultSweepMetrics are the metrics a sweep's report charts against the
// swept field unless told otherwise.
var DefaultSweepMetrics = []string{"p50_latency_s", "p99_latency_s", "requests_per_hour", "wasted_fraction", "dropped_rate"}

// metricChart draws one metric of every client against the sweep's first
// axis, with what the model expected of it at each point. It returns nil
// for a metric no client has a non-zero value of, so that a report has no
// empty panels; the caller says so in words.
func metricChart(sw *metrics.Sweep, m metrics.Metric) *Chart {
	series := seriesOf(sw)
	xa := xAxisOf(sw.Axes[0])
	ch := &Chart{
		Name:  "sweep-" + m.Name,
		Title: fmt.Sprintf("%s against %s", sentenceCase(shortName(m)), sw.Axes[0].Set),
		Caption: fmt.Sprintf("One line per client: its %s at each value of %s. "+
			"The dashed line in the client's lighter colour joins what the model expected at each point (docs/models.md), where it predicts this figure, and the bar spans the tolerance chance allows: a measured point off its bar is one the model did not foresee.",
			m.Doc, sw.Axes[0].Set),
		width: 720, height: 400,
	}
	p := newPlot()
	p.Add(xGrid{}, yGrid{})
	var ys []float64
	any := false
	omitted := 0
	var legend []legendEntry
	var lines, measured, bars []plot.Plotter
	var outside []string
	for _, s := range series {
		col := clientColor(s.index)
		dashes := seriesDashes(s.otherI)
		var xy plotter.XYs
		for _, pt := range s.points {
			v, ok := m.Of(pt.c)
			if !ok {
				omitted++
				continue
			}
			xy = append(xy, plotter.XY{X: pt.x, Y: v})
			ys = append(ys, v)
			any = any || v != 0
		}
		if exp := s.expected(m.Name); slices.ContainsFunc(exp, func(e expectedPoint) bool { return e.present }) {
			lines = append(lines, &expectedLine{points: exp, color: col})
			bars = append(bars, &expectedBars{points: exp, color: col})
			for i, e := range exp {
				if e.present && e.y > 0 { // a 0 expected has no place on a log axis, and a linear one starts at 0
					ys = append(ys, e.y, e.yHi)
				}
				if e.outside {
					outside = append(outside, s.name(sw)+" at "+s.points[i].label)
				}
			}
		}
		if len(xy) == 0 {
			continue
		}
		line, marks, err := plotter.NewLinePoints(xy)
		if err != nil {
			continue
		}
		line.LineStyle = lineStyle(col, 1.6, dashes)
		marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		measured = append(measured, line, marks)
		legend = append(legend, legendEntry{label: s.name(sw), color: col, line: true, dashes: dashes, glyph: draw.CircleGlyph{}})
	}
	if !any {
		return nil
	}
	p.Add(measured...)
	p.Add(lines...)
	p.Add(bars...)
	if len(bars) > 0 {
		legend = append(legend, expectedLegend(true)...)
	}
	sweptAxis(&p.X, xa)
	p.X.Label.Text = sw.Axes[0].Set
	if dropped := valueAxis(&p.Y, m, ys); dropped {
		ch.Notes = append(ch.Notes, "Values of 0 cannot sit on this log axis and are left out.")
	}
	p.Y.Label.Text = axisTitle(m)
	if omitted > 0 {
		ch.Notes = append(ch.Notes, fmt.Sprintf("%d points have no value (nothing delivered) and are left out.", omitted))
	}
	if len(outside) > 0 {
		ch.Notes = append(ch.Notes, "Measured outside the model's tolerance: "+joinNames(outside)+".")
	}
	ch.draw = func(c draw.Canvas) { drawPlot(frame(c, ch.Title, legend), p) }
	return ch
}

// sweptAxis sets the x axis to the swept values, marked with their text.
func sweptAxis(a *plot.Axis, xa sweepAxis) {
	lo, hi := slices.Min(xa.positions), slices.Max(xa.positions)
	ticks := make([]plot.Tick, len(xa.positions))
	for i, x := range xa.positions {
		ticks[i] = plot.Tick{Value: x, Label: xa.labels[i]}
	}
	a.Tick.Marker = plot.ConstantTicks(ticks)
	if xa.log {
		a.Scale = plot.LogScale{}
		a.Min, a.Max = lo/math.Pow(hi/lo, 0.04), hi*math.Pow(hi/lo, 0.04)
		return
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = 1
	}
	a.Min, a.Max = lo-pad, hi+pad
}

// valueAxis sets the y axis for a metric: log when its values are positive
// and span more than a factor of 20, linear from 0 otherwise. It reports
// whether zeros had to be left off a log axis.
func valueAxis(a *plot.Axis, m metrics.Metric, ys []float64) (zerosLeftOut bool) {
	lo, hi := positiveRange(ys)
	zeros := slices.ContainsFunc(ys, func(v float64) bool { return v <= 0 })
	if lo > 0 && hi/lo > 20 && !(zeros && m.Unit == "fraction") {
		logRange(a, ys, 1.6)
		switch m.Unit {
		case "s":
			a.Tick.Marker = logDurationTicks
		case "fraction":
			a.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
				ticks := logCountTicks.Ticks(min, max)
				for i := range ticks {
					if ticks[i].Label != "" {
						ticks[i].Label = percentLabel(ticks[i].Value)
					}
				}
				return ticks
			})
		default:
			a.Tick.Marker = logCountTicks
		}
		return zeros
	}
	linearRange(a, ys, 1.15)
	switch m.Unit {
	case "s":
		a.Tick.Marker = linearTicks(5, durationLabel)
	case "fraction":
		a.Tick.Marker = linearTicks(5, percentLabel)
	default:
		a.Tick.Marker = linearTicks(5, countLabel)
	}
	return false
}

// shortNames name metrics in a chart's title and axis.
var shortNames = map[string]string{
	"mean_latency_s": "mean latency", "p50_latency_s": "p50 latency", "p90_latency_s": "p90 latency",
	"p99_latency_s": "p99 latency", "p999_latency_s": "p99.9 latency", "max_latency_s": "maximum latency",
	"requests_per_hour": "requests per hour", "requests_per_s": "requests per second",
	"requests_per_delivered_event": "requests per delivered event", "wasted_fraction": "wasted requests",
	"empty_poll_fraction": "empty polls", "dropped_rate": "dropped events", "bytes_per_delivered_event": "bytes per delivered event",
}

// shortName is a metric's name in a few words.
func shortName(m metrics.Metric) string {
	if s, ok := shortNames[m.Name]; ok {
		return s
	}
	return humanName(m.Name)
}

// axisTitle is a metric's name and unit for an axis.
func axisTitle(m metrics.Metric) string {
	switch m.Unit {
	case "s", "", "requests/h", "requests/s", "requests/event", "bytes/event":
		return shortName(m)
	case "fraction":
		return shortName(m) + " (% of all)"
	}
	return shortName(m) + " (" + m.Unit + ")"
}

func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}
