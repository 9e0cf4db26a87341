package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"sync"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI is the resolution of the PNG charts: sharp on a projector, small
// enough to paste into a document.
const pngDPI = 144

// Chart is one figure of a report: drawn once as SVG for the HTML page and
// the files beside it, and once as PNG for slides.
type Chart struct {
	Name    string   // file name without extension, such as latency-cdf
	Title   string   // drawn at the top of the chart
	Caption string   // how to read it, shown under the chart
	Notes   []string // what the chart had to leave out or clamp, and why

	width, height vg.Length
	draw          func(c draw.Canvas)
	// mu serialises drawings of the chart: gonum's plots are changed while
	// they are drawn, so its SVG and its PNG are not drawn at once.
	mu sync.Mutex
}

// SVG draws the chart as a standalone SVG document. The fonts are not
// embedded: the text names Liberation Sans and its metric-compatible
// stand-ins, so a reader without it sees the same layout.
func (ch *Chart) SVG() ([]byte, error) {
	c := vgsvg.NewWith(vgsvg.UseWH(ch.width, ch.height))
	ch.paint(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("drawing %s as SVG: %w", ch.Name, err)
	}
	return []byte(fontFallbacks.Replace(b.String())), nil
}

// fontFallbacks adds fonts with the same metrics as Liberation Sans, and
// the generic family, to every font-family of an SVG.
var fontFallbacks = strings.NewReplacer(
	"font-family:Liberation Sans;", "font-family:Liberation Sans,Arimo,Arial,Helvetica,sans-serif;",
)

// PNG draws the chart as a PNG image at pngDPI.
func (ch *Chart) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(ch.width, ch.height), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
	ch.paint(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("drawing %s as PNG: %w", ch.Name, err)
	}
	return b.Bytes(), nil
}

// paint fills the background and draws the chart inside a margin.
func (ch *Chart) paint(c draw.Canvas) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	m := vg.Points(10)
	ch.draw(draw.Crop(c, m, -m, m, -m))
}

// legendEntry is one item of a chart's legend: a line, a marker, a box, or
// a line with a marker.
type legendEntry struct {
	label  string
	color  color.Color
	line   bool
	dashes []vg.Length
	glyph  draw.GlyphDrawer // nil: no marker
	box    bool
	faded  bool // a reference drawn lighter, such as a model curve
}

// frame draws a chart's title and its legend, in rows under the title, at
// the top of c, and returns the area left below them.
func frame(c draw.Canvas, title string, legend []legendEntry) draw.Canvas {
	ts := textStyle(12, ink, true)
	top := c.Max.Y
	if title != "" {
		h := ts.Height(title)
		c.FillText(ts, vg.Point{X: c.Min.X, Y: top - h + ts.FontExtents().Descent}, title)
		top -= h + vg.Points(6)
	}
	if len(legend) > 0 {
		top = drawLegend(c, legend, top)
	}
	c.Max.Y = top
	return c
}

// drawLegend lays the entries out left to right from the top of c down,
// starting a row when one is full, and returns the y under the last row.
func drawLegend(c draw.Canvas, entries []legendEntry, top vg.Length) vg.Length {
	ls := textStyle(9, ink, false)
	const swatch, gap = 18, 14
	rowH := ls.Height("Mg") + vg.Points(4)
	x, y := c.Min.X, top-rowH
	for _, e := range entries {
		w := vg.Points(swatch+4) + ls.Width(e.label)
		if x > c.Min.X && x+w > c.Max.X {
			x, y = c.Min.X, y-rowH
		}
		mid := y + rowH/2 - vg.Points(1)
		col := e.color
		if e.faded {
			col = fade(col)
		}
		switch {
		case e.box:
			c.FillPolygon(col, []vg.Point{{X: x + 3, Y: mid - 4}, {X: x + swatch - 3, Y: mid - 4}, {X: x + swatch - 3, Y: mid + 4}, {X: x + 3, Y: mid + 4}})
		case e.line:
			c.StrokeLine2(lineStyle(col, 1.6, e.dashes), x, mid, x+swatch, mid)
		}
		if e.glyph != nil {
			c.DrawGlyphNoClip(draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: e.glyph}, vg.Point{X: x + swatch/2, Y: mid})
		}
		c.FillText(ls, vg.Point{X: x + swatch + 4, Y: y + vg.Points(3)}, e.label)
		x += w + gap
	}
	return y - vg.Points(4)
}

// fade lightens a colour for a reference line drawn behind the data.
func fade(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)/2 + 0x80) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xff}
}

// noteText draws a short message in the middle of c, for a panel that has
// nothing to show.
func noteText(c draw.Canvas, msg string) {
	ts := textStyle(10, muted, false)
	ts.XAlign = draw.XCenter
	ts.YAlign = draw.YCenter
	c.FillText(ts, c.Center(), msg)
}
