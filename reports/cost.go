package reports

import (
	"image/color"
	"maps"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// costBars shows what each client's events cost: requests per delivered
// event, the share of requests wasted by reason, and bytes per event.
func costBars(res *metrics.Results) *Chart {
	ch := &Chart{
		Name:  "cost",
		Title: "Cost per client: requests and bytes per delivered event, and the requests wasted",
		Caption: "Requests per delivered event is 1 for a webhook that never fails; a poller pays for every empty poll. " +
			"A wasted request brought the client no new event: the colours say why. Bytes count both directions, headers included.",
		width: 720,
	}
	names := clientNames(res)
	n := len(names)

	perEvent := perClient(res, func(c metrics.ClientResults) *float64 { return c.RequestsPerDelivered }, func(v float64) string { return trimNum(v) })
	bytes := perClient(res, func(c metrics.ClientResults) *float64 { return c.Bytes.PerDelivered }, bytesLabel)

	var reasons []string
	for _, c := range res.Clients {
		for r := range c.Wasted.ByReason {
			if !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
	}
	reasons = orderedNames(reasons, wasteOrder)
	waste := &hbars{stacked: true, totals: make([]string, n)}
	for _, r := range reasons {
		s := barSeries{color: reasonColor(r), values: make([]float64, n)}
		for i, c := range res.Clients {
			if c.Requests.Total > 0 {
				s.values[i] = float64(c.Wasted.ByReason[r]) / float64(c.Requests.Total)
			}
		}
		waste.series = append(waste.series, s)
	}
	for i, c := range res.Clients {
		waste.totals[i] = percent(c.Wasted.Fraction)
	}

	p1 := barPlot(names, perEvent.bars)
	p1.Title.Text = "requests per delivered event" + logNote(perEvent.axis(&p1.X, logCountTicks))
	p2 := barPlot(blank(n), waste)
	p2.X.Min, p2.X.Max = 0, 1.22
	p2.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		return linearTicks(4, percentLabel).Ticks(0, 1)
	})
	p2.Title.Text = "wasted requests, % of all"
	p3 := barPlot(blank(n), bytes.bars)
	p3.Title.Text = "bytes per delivered event" + logNote(bytes.axis(&p3.X, logBytesTicks))
	plots := []*plot.Plot{p1, p2, p3}
	for _, p := range plots {
		p.Title.TextStyle.Font = font.From(sansBold, 10)
	}
	var legend []legendEntry
	for _, r := range reasons {
		legend = append(legend, legendEntry{label: "wasted: " + humanName(r), color: reasonColor(r), box: true})
	}
	ch.Notes = append(ch.Notes, perEvent.notes("requests per delivered event")...)
	ch.height = barHeight(n, 1) + 30
	ch.draw = func(c draw.Canvas) { drawRow(frame(c, ch.Title, legend), plots) }
	return ch
}

// logNote is what a panel's title says of a log axis.
func logNote(log bool) string {
	if log {
		return " (log scale)"
	}
	return ""
}

// drawRow draws plots side by side with their data areas lined up.
func drawRow(c draw.Canvas, plots []*plot.Plot) {
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(18)}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, c)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
}

// column is one figure per client drawn as bars coloured by client, with
// what has no value (a ratio of a client that delivered nothing) labelled.
type column struct {
	bars   *hbars
	values []float64
	absent []string // names of clients without a value
}

// perClient makes a column of value(c) for every client, labelled by label.
func perClient(res *metrics.Results, value func(c metrics.ClientResults) *float64, label func(float64) string) column {
	n := len(res.Clients)
	s := barSeries{values: make([]float64, n), labels: make([]string, n), color: clientColor(0)}
	col := column{}
	for i, c := range res.Clients {
		v := value(c)
		if v == nil {
			s.labels[i] = "– (nothing delivered)"
			col.absent = append(col.absent, c.Name)
			continue
		}
		s.values[i] = *v
		s.labels[i] = label(*v)
		col.values = append(col.values, *v)
	}
	col.bars = &hbars{series: []barSeries{s}, colors: clientColorsFor(n)}
	return col
}

// axis sets a log axis when the values span more than a factor of 20, a
// linear one otherwise.
func (col column) axis(a *plot.Axis, logTicks plot.Ticker) (log bool) {
	lo, hi := 0.0, 0.0
	for i, v := range col.values {
		if i == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	if lo > 0 && hi/lo > 20 {
		logRange(a, col.values, 6)
		a.Tick.Marker = logTicks
		return true
	}
	linearRange(a, col.values, 1.35)
	a.Tick.Marker = linearTicks(3, countLabel)
	return false
}

func (col column) notes(what string) []string {
	if len(col.absent) == 0 {
		return nil
	}
	return []string{joinNames(col.absent) + " delivered nothing, so " + what + " has no value."}
}

func clientColorsFor(n int) []color.Color {
	cs := make([]color.Color, n)
	for i := range cs {
		cs[i] = clientColor(i)
	}
	return cs
}

// blank is n empty labels, for a panel whose rows the panel to its left
// names.
func blank(n int) []string { return make([]string, n) }

// logBytesTicks marks a log axis of bytes at powers of ten.
var logBytesTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	ticks := logCountTicks.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = bytesLabel(ticks[i].Value)
		}
	}
	return ticks
})

// bytesLabel writes a size in bytes: 800 B, 5.6 kB, 12 MB.
func bytesLabel(v float64) string {
	switch {
	case v >= 1e9:
		return trimNum(v/1e9) + " GB"
	case v >= 1e6:
		return trimNum(v/1e6) + " MB"
	case v >= 1e3:
		return trimNum(v/1e3) + " kB"
	default:
		return trimNum(v) + " B"
	}
}

// wasteOrder and causeOrder list waste reasons and drop causes in the
// order charts stack them: the common and harmless first.
var (
	wasteOrder = []string{"empty", "seen_only", "not_modified", "rate_limited", "failed", "timed_out", "duplicate"}
	causeOrder = []string{"retries_exhausted", "retention_expired", "silent_loss", "crash_lost_queue", "endpoint_disabled"}
)

// orderedNames sorts names by their place in order, unknown names last in
// alphabetical order.
func orderedNames(names, order []string) []string {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	var out []string
	for _, n := range order {
		if set[n] {
			out = append(out, n)
			delete(set, n)
		}
	}
	return append(out, slices.Sorted(maps.Keys(set))...)
}

// humanName writes a metric key in words: seen_only is "seen only".
func humanName(key string) string {
	b := []byte(key)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// joinNames writes names as "a", "a and b" or "a, b and c".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	out := ""
	for i, n := range names[:len(names)-1] {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out + " and " + names[len(names)-1]
}
