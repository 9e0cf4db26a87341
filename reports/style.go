package reports

import (
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The charts' look: one sans-serif face in three sizes, and colours that
// stay apart for readers with a colour-vision deficiency.
var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}

	ink   = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
	muted = color.RGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xff}
	faint = color.RGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff}

	// clientColors are the Okabe–Ito colours, in an order that puts the
	// most distinct first; client i takes colour i, and past the eighth
	// the colours repeat with a dashed line.
	clientColors = []color.RGBA{
		{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, // blue
		{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}, // vermillion
		{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, // bluish green
		{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}, // reddish purple
		{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, // orange
		{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, // sky blue
		{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
		{R: 0x8c, G: 0x6d, B: 0x31, A: 0xff}, // brown
	}

	// percentileColors shade from light to dark as the percentile rises.
	percentileColors = []color.RGBA{
		{R: 0x9e, G: 0xca, B: 0xe1, A: 0xff},
		{R: 0x42, G: 0x92, B: 0xc6, A: 0xff},
		{R: 0x08, G: 0x51, B: 0x9c, A: 0xff},
		{R: 0x08, G: 0x30, B: 0x6b, A: 0xff},
	}

	// reasonColors give each waste reason and drop cause its own colour,
	// the same in every chart.
	reasonColors = map[string]color.RGBA{
		"empty":             {R: 0xbd, G: 0xbd, B: 0xbd, A: 0xff},
		"seen_only":         {R: 0x80, G: 0x80, B: 0x80, A: 0xff},
		"not_modified":      {R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
		"rate_limited":      {R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
		"failed":            {R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		"timed_out":         {R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		"duplicate":         {R: 0x00, G: 0x72, B: 0xb2, A: 0xff},
		"retries_exhausted": {R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		"retention_expired": {R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
		"silent_loss":       {R: 0x80, G: 0x80, B: 0x80, A: 0xff},
		"crash_lost_queue":  {R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		"endpoint_disabled": {R: 0x00, G: 0x00, B: 0x00, A: 0xff},
	}
	otherColor = color.RGBA{R: 0x8c, G: 0x6d, B: 0x31, A: 0xff}
)

// clientColor is the colour of client i in every chart.
func clientColor(i int) color.RGBA { return clientColors[i%len(clientColors)] }

// clientDashes is the dash pattern of client i's lines: solid for the first
// eight, dashed when the colours come round again.
func clientDashes(i int) []vg.Length {
	if i < len(clientColors) {
		return nil
	}
	return []vg.Length{vg.Points(6), vg.Points(3)}
}

func reasonColor(name string) color.RGBA {
	if c, ok := reasonColors[name]; ok {
		return c
	}
	return otherColor
}

// textStyle is the text of a chart in the given size, colour and weight.
func textStyle(size vg.Length, c color.Color, bold bool) text.Style {
	f := sans
	if bold {
		f = sansBold
	}
	return text.Style{Font: font.From(f, size), Color: c, Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot with the charts' fonts, no title and no legend of
// its own, and light grid-friendly axes.
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.Transparent
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Label.TextStyle.Color = ink
		a.Tick.Label.Font = font.From(sans, 9)
		a.Tick.Label.Color = ink
		a.Tick.LineStyle.Color = muted
		a.LineStyle.Color = muted
		a.Padding = 0
	}
	p.Y.Label.Padding = vg.Points(4)
	p.X.Label.Padding = vg.Points(2)
	return p
}

// lineStyle is a line of the given colour, width and dashes.
func lineStyle(c color.Color, width float64, dashes []vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(width), Dashes: dashes}
}

// axisLabels takes the axis labels off p, so that the chart places them:
// gonum centres an axis label at the arithmetic middle of the axis' range,
// which on a log axis is near its far end, and pads the plot to fit it
// there. Call restore when done: a chart is drawn more than once.
func axisLabels(p *plot.Plot) (x, y string, restore func()) {
	x, y = p.X.Label.Text, p.Y.Label.Text
	p.X.Label.Text, p.Y.Label.Text = "", ""
	return x, y, func() { p.X.Label.Text, p.Y.Label.Text = x, y }
}

// labelRoom is the width of the strip an axis label takes.
func labelRoom(text string) vg.Length {
	if text == "" {
		return 0
	}
	return textStyle(10, ink, false).Height(text) + vg.Points(6)
}

// drawPlot draws p in c, its axis labels centred on its data area.
func drawPlot(c draw.Canvas, p *plot.Plot) {
	x, y, restore := axisLabels(p)
	defer restore()
	area := c
	area.Min.X += labelRoom(y)
	area.Min.Y += labelRoom(x)
	p.Draw(area)
	data := p.DataCanvas(area)
	drawXLabel(c, data, x)
	drawYLabel(c, data, y)
}

// drawXLabel writes an x axis label under the data area, at the bottom of c.
func drawXLabel(c, data draw.Canvas, text string) {
	if text == "" {
		return
	}
	ts := textStyle(10, ink, false)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YBottom
	c.FillText(ts, vg.Point{X: (data.Min.X + data.Max.X) / 2, Y: c.Min.Y}, text)
}

// drawYLabel writes a y axis label up the left edge of c, beside the data
// area.
func drawYLabel(c, data draw.Canvas, text string) {
	if text == "" {
		return
	}
	ts := textStyle(10, ink, false)
	ts.Rotation = math.Pi / 2
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
	c.FillText(ts, vg.Point{X: c.Min.X, Y: (data.Min.Y + data.Max.Y) / 2}, text)
}
