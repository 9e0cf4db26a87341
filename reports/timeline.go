package reports

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// timeUnit is the unit a time axis is written in.
type timeUnit struct {
	seconds float64
	name    string
}

// axisUnit picks the unit that writes span in a handful of round numbers.
func axisUnit(span float64) timeUnit {
	switch {
	case span <= 3*60:
		return timeUnit{1, "s"}
	case span <= 3*3600:
		return timeUnit{60, "min"}
	case span <= 3*86400:
		return timeUnit{3600, "h"}
	default:
		return timeUnit{86400, "days"}
	}
}

// rateUnit picks the unit rates per bucket are written in: per hour for
// buckets of an hour or more, per minute, or per second.
func rateUnit(bucket float64) timeUnit {
	switch {
	case bucket >= 3600:
		return timeUnit{3600, "hour"}
	case bucket >= 60:
		return timeUnit{60, "minute"}
	default:
		return timeUnit{1, "second"}
	}
}

// timeline shows the run over time: events emitted and delivered,
// requests per client, drops, and each client's outages shaded.
func timeline(res *metrics.Results) *Chart {
	ch := &Chart{
		Name:  "timeline",
		Title: "Timeline: events, deliveries and requests over the run",
		width: 720,
	}
	tl := res.Timeline
	end := res.Run.SimulatedS
	if end <= 0 {
		end = res.Scenario.DurationS + res.Scenario.DrainS
	}
	unit := axisUnit(end)
	per := rateUnit(tl.BucketS)

	// rates turns counts per bucket into points of a step line in rate
	// units; the last bucket may be cut short by the end of the run.
	rates := func(counts []int64) plotter.XYs {
		var xy plotter.XYs
		for i, n := range counts {
			from := float64(i) * tl.BucketS
			if from >= end {
				break
			}
			width := math.Min(tl.BucketS, end-from)
			xy = append(xy, plotter.XY{X: from / unit.seconds, Y: float64(n) / width * per.seconds})
		}
		if len(xy) > 0 {
			xy = append(xy, plotter.XY{X: end / unit.seconds, Y: xy[len(xy)-1].Y})
		}
		return xy
	}
	xAxis := func(p *plot.Plot, labelled bool) {
		p.X.Min, p.X.Max = 0, end/unit.seconds
		p.X.Tick.Marker = linearTicks(8, trimNum)
		if labelled {
			p.X.Label.Text = "time since the start of the run (" + unit.name + ")"
		} else {
			p.X.Tick.Label.Color = color.Transparent
		}
	}
	var shading []span
	var downNames []string
	var downSpans [][]span
	for i, c := range res.Clients {
		var own []span
		for _, o := range c.Outages {
			sp := span{from: o.AtS / unit.seconds, to: (o.AtS + o.ForS) / unit.seconds, color: clientColor(i)}
			shading = append(shading, sp)
			own = append(own, sp)
		}
		if len(own) > 0 {
			downNames = append(downNames, c.Name)
			downSpans = append(downSpans, own)
		}
	}
	emissionEnd := res.Scenario.DurationS / unit.seconds

	// Events: emitted, and delivered per client. A burst of deliveries
	// after an outage can dwarf the steady rate: the axis stops at three
	// times the busiest emission and the bursts above it are labelled.
	events := newPlot()
	events.Add(&spans{spans: shading}, &vline{x: emissionEnd, label: "emission stops"}, yGrid{})
	emitted := &plotter.Line{XYs: rates(tl.Emitted), StepStyle: plotter.PostStep, FillColor: color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}}
	emitted.LineStyle.Width = 0
	events.Add(emitted)
	var emittedTop, top float64
	for _, pt := range emitted.XYs {
		emittedTop = math.Max(emittedTop, pt.Y)
	}
	top = emittedTop
	legend := []legendEntry{{label: "events emitted", color: color.RGBA{R: 0xcc, G: 0xcc, B: 0xcc, A: 0xff}, box: true}}
	peaks := &peakLabels{}
	delivered := make([]plotter.XYs, len(res.Clients))
	for i, c := range res.Clients {
		delivered[i] = rates(c.Timeline.Deliveries)
		for _, pt := range delivered[i] {
			top = math.Max(top, pt.Y)
		}
		events.Add(&plotter.Line{XYs: delivered[i], StepStyle: plotter.PostStep, LineStyle: lineStyle(clientColor(i), 1.3, clientDashes(i))})
		legend = append(legend, legendEntry{label: c.Name, color: clientColor(i), line: true, dashes: clientDashes(i)})
	}
	ceiling := top * 1.25
	if emittedTop > 0 && top > 3*emittedTop {
		ceiling = 3 * emittedTop
		for i, c := range res.Clients {
			best := plotter.XY{}
			for _, pt := range delivered[i] {
				if pt.Y > best.Y {
					best = pt
				}
			}
			if best.Y > ceiling {
				peaks.peaks = append(peaks.peaks, peak{x: best.X, color: clientColor(i), label: fmt.Sprintf("%s: %s/%s", c.Name, countLabel(math.Round(best.Y)), per.name)})
			}
		}
	}
	events.Add(peaks)
	events.Y.Min, events.Y.Max = 0, math.Max(ceiling, 1)
	events.Y.Tick.Marker = linearTicks(4, countLabel)
	events.Y.Label.Text = "events / " + per.name

	// Requests per client, on a log axis when they differ by much.
	requests := newPlot()
	requests.Add(&spans{spans: shading}, &vline{x: emissionEnd}, yGrid{})
	var all []float64
	series := make([]plotter.XYs, len(res.Clients))
	for i, c := range res.Clients {
		series[i] = rates(c.Timeline.Requests)
		for _, pt := range series[i] {
			all = append(all, pt.Y)
		}
	}
	lo, hi := positiveRange(all)
	logScale := lo > 0 && hi/lo > 30
	gaps := false
	for i := range res.Clients {
		if logScale {
			segs := positiveRuns(series[i])
			gaps = gaps || len(segs) != 1
			for _, seg := range segs {
				requests.Add(&plotter.Line{XYs: seg, StepStyle: plotter.PostStep, LineStyle: lineStyle(clientColor(i), 1.3, clientDashes(i))})
			}
			continue
		}
		requests.Add(&plotter.Line{XYs: series[i], StepStyle: plotter.PostStep, LineStyle: lineStyle(clientColor(i), 1.3, clientDashes(i))})
	}
	if logScale {
		logRange(&requests.Y, all, 3)
		requests.Y.Tick.Marker = logCountTicks
		requests.Y.Label.Text = "requests / " + per.name + " (log)"
		if gaps {
			ch.Notes = append(ch.Notes, "On the log-scale requests panel, buckets in which a client sent no request leave a gap in its line.")
		}
	} else {
		linearRange(&requests.Y, all, 1.25)
		requests.Y.Tick.Marker = linearTicks(4, countLabel)
		requests.Y.Label.Text = "requests / " + per.name
	}
	plots := []*plot.Plot{events, requests}
	heights := []vg.Length{190, 150}
	if len(downNames) > 0 {
		plots = append([]*plot.Plot{outageStrip(downNames, downSpans)}, plots...)
		heights = append([]vg.Length{vg.Length(18 + 16*len(downNames))}, heights...)
	}

	// Drops, when there are any.
	var drops []float64
	for _, c := range res.Clients {
		for _, n := range c.Timeline.Drops {
			drops = append(drops, float64(n))
		}
	}
	if _, dmax := positiveRange(drops); dmax > 0 {
		dp := newPlot()
		dp.Add(&spans{spans: shading}, &vline{x: emissionEnd}, yGrid{})
		var tops []float64
		for i, c := range res.Clients {
			xy := rates(c.Timeline.Drops)
			for _, pt := range xy {
				tops = append(tops, pt.Y)
			}
			dp.Add(&plotter.Line{XYs: xy, StepStyle: plotter.PostStep, LineStyle: lineStyle(clientColor(i), 1.3, clientDashes(i))})
		}
		linearRange(&dp.Y, tops, 1.25)
		dp.Y.Tick.Marker = linearTicks(3, countLabel)
		dp.Y.Label.Text = "drops / " + per.name
		plots = append(plots, dp)
		heights = append(heights, 110)
	}
	for i, p := range plots {
		xAxis(p, i == len(plots)-1)
	}
	ch.Caption = fmt.Sprintf("Rates per %s, over buckets of %s. ", per.name, durationLabel(tl.BucketS))
	if len(downNames) > 0 {
		ch.Caption += "The bars at the top show when each client was down, and the same stretches are shaded below. " +
			"A webhook receiver that was down gets its events when the sender retries, so its deliveries stop during an outage and burst after it; a poller catches up at its next poll. "
	}
	ch.Caption += "The dashed line is the end of emission: after it, clients drain what is left."
	ch.height = 70
	for _, h := range heights {
		ch.height += h
	}
	ch.draw = func(c draw.Canvas) { drawColumn(frame(c, ch.Title, legend), plots, heights) }
	return ch
}

// positiveRange is the smallest and largest positive value, or 0, 0.
func positiveRange(values []float64) (lo, hi float64) {
	for _, v := range values {
		if v > 0 {
			if lo == 0 || v < lo {
				lo = v
			}
			hi = math.Max(hi, v)
		}
	}
	return lo, hi
}

// positiveRuns splits a step line into runs of positive values, for a log
// axis: a zero ends a run.
func positiveRuns(xy plotter.XYs) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for i, pt := range xy {
		if pt.Y > 0 {
			cur = append(cur, pt)
			continue
		}
		if len(cur) > 0 {
			// close the step where the zero bucket starts
			cur = append(cur, plotter.XY{X: xy[i].X, Y: cur[len(cur)-1].Y})
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// span is a stretch of time, shaded in a client's colour.
type span struct {
	from, to float64
	color    color.RGBA
}

// spans shades stretches of time across a plot.
type spans struct{ spans []span }

// Plot draws the shading.
func (s *spans) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for _, sp := range s.spans {
		x0, x1 := trX(math.Max(sp.from, plt.X.Min)), trX(math.Min(sp.to, plt.X.Max))
		if x1-x0 < vg.Points(1.5) {
			x1 = x0 + vg.Points(1.5) // a short outage still shows
		}
		col := sp.color
		col.A = 0x1a
		c.FillPolygon(premultiply(col), []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// premultiply returns c with its colour channels scaled by its alpha, as
// color.RGBA requires.
func premultiply(c color.RGBA) color.RGBA {
	a := uint16(c.A)
	return color.RGBA{R: uint8(uint16(c.R) * a / 0xff), G: uint8(uint16(c.G) * a / 0xff), B: uint8(uint16(c.B) * a / 0xff), A: c.A}
}

// vline is a dashed vertical line at x, labelled at the top when label is
// set.
type vline struct {
	x     float64
	label string
}

// Plot draws the line.
func (v *vline) Plot(c draw.Canvas, plt *plot.Plot) {
	if v.x <= plt.X.Min || v.x >= plt.X.Max {
		return
	}
	trX, _ := plt.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(lineStyle(muted, 0.9, []vg.Length{vg.Points(4), vg.Points(3)}), x, c.Min.Y, x, c.Max.Y)
	if v.label != "" {
		ls := textStyle(8, muted, false)
		w, h := ls.Width(v.label), ls.Height(v.label)
		at := vg.Point{X: x - vg.Points(3) - w, Y: c.Max.Y - h}
		backdrop(c, at, w, h)
		c.FillText(ls, at, v.label)
	}
}

// drawColumn draws plots one above the other, each given its share of the
// height, with their data areas lined up and their axis labels placed by
// the chart (see axisLabels).
func drawColumn(c draw.Canvas, plots []*plot.Plot, heights []vg.Length) {
	xs, ys := make([]string, len(plots)), make([]string, len(plots))
	var room vg.Length
	for i, p := range plots {
		var restore func()
		xs[i], ys[i], restore = axisLabels(p)
		defer restore()
		room = max(room, labelRoom(ys[i]))
	}
	full := c
	c.Min.X += room
	c.Min.Y += labelRoom(xs[len(xs)-1])
	var total vg.Length
	for _, h := range heights {
		total += h
	}
	var width vg.Length
	for _, p := range plots {
		width = max(width, p.DataCanvas(c).Min.X-c.Min.X)
	}
	const pad = 8
	avail := c.Max.Y - c.Min.Y - vg.Points(pad)*vg.Length(len(plots)-1)
	top := c.Max.Y
	for i, p := range plots {
		h := avail * heights[i] / total
		area := c
		area.Max.Y, area.Min.Y = top, top-h
		area.Min.X += width - (p.DataCanvas(area).Min.X - area.Min.X)
		p.Draw(area)
		data := p.DataCanvas(area)
		strip := full
		strip.Max.Y, strip.Min.Y = area.Max.Y, area.Min.Y
		drawYLabel(strip, data, ys[i])
		if i == len(plots)-1 {
			drawXLabel(full, data, xs[i])
		}
		top -= h + vg.Points(pad)
	}
}

// outageStrip is a row per client that was down, a bar over each outage.
func outageStrip(names []string, outages [][]span) *plot.Plot {
	p := newPlot()
	p.Add(&outageBars{outages: outages})
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(len(names) - 1 - i), Label: n + " down"}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
	return p
}

// outageBars draws each client's outages as bars on its row of the strip.
type outageBars struct{ outages [][]span }

// Plot draws the bars.
func (o *outageBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	n := len(o.outages)
	for i, row := range o.outages {
		y := float64(n - 1 - i)
		for _, sp := range row {
			x0, x1 := trX(math.Max(sp.from, plt.X.Min)), trX(math.Min(sp.to, plt.X.Max))
			x1 = max(x1, x0+vg.Points(1.5))
			c.FillPolygon(sp.color, []vg.Point{{X: x0, Y: trY(y - 0.3)}, {X: x1, Y: trY(y - 0.3)}, {X: x1, Y: trY(y + 0.3)}, {X: x0, Y: trY(y + 0.3)}})
		}
	}
}

// peak is a burst above a panel's top, labelled where it happened.
type peak struct {
	x     float64
	color color.RGBA
	label string
}

// peakLabels writes each peak's label at the top of the panel, an arrow
// over its time.
type peakLabels struct{ peaks []peak }

// Plot draws the labels.
func (pl *peakLabels) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for k, pk := range pl.peaks {
		ls := textStyle(8, pk.color, false)
		text := "↑ " + pk.label
		y := c.Max.Y - ls.Height(text)*vg.Length(k+2) - vg.Points(2) // under the emission line's label
		at := vg.Point{X: trX(pk.x) + vg.Points(4), Y: y}
		w := ls.Width(text)
		if at.X+w > c.Max.X {
			at.X = trX(pk.x) - vg.Points(4) - w
		}
		backdrop(c, at, w, ls.Height(text))
		c.FillText(ls, at, text)
	}
}

// backdrop clears a white box behind a label of width w and height h whose
// bottom left is at, so that lines behind it do not cross it.
func backdrop(c draw.Canvas, at vg.Point, w, h vg.Length) {
	const m = 1.5
	c.FillPolygon(color.White, []vg.Point{{X: at.X - m, Y: at.Y - m}, {X: at.X + w + m, Y: at.Y - m}, {X: at.X + w + m, Y: at.Y + h}, {X: at.X - m, Y: at.Y + h}})
}
