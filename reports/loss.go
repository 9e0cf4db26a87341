package reports

import (
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// lossless reports whether no client dropped, duplicated or reordered an
// event: the loss chart would be empty, and the report says so in words.
func lossless(res *metrics.Results) bool {
	for _, c := range res.Clients {
		if c.Dropped.Total > 0 || c.Duplicates > 0 || c.OutOfOrder > 0 {
			return false
		}
	}
	return true
}

// lossBars shows what each client lost: the share of emitted events it
// never received, by cause, its duplicate and its out-of-order deliveries.
func lossBars(res *metrics.Results) *Chart {
	ch := &Chart{
		Name:  "loss",
		Title: "Loss per client: events dropped, delivered twice, delivered out of order",
		Caption: "Dropped events never reached the client: the colours say why. A duplicate is a second delivery of an event the client held; " +
			"out of order is a first delivery older than one already held. Duplicates and reordering are harmless only to a receiver that dedupes and sorts.",
		width: 720,
	}
	names := clientNames(res)
	n := len(names)
	var causes []string
	for _, c := range res.Clients {
		for k := range c.Dropped.ByCause {
			if !slices.Contains(causes, k) {
				causes = append(causes, k)
			}
		}
	}
	causes = orderedNames(causes, causeOrder)
	dropped := &hbars{stacked: true, totals: make([]string, n)}
	var top float64
	for _, cause := range causes {
		s := barSeries{color: reasonColor(cause), values: make([]float64, n)}
		for i, c := range res.Clients {
			if c.Emitted > 0 {
				s.values[i] = float64(c.Dropped.ByCause[cause]) / float64(c.Emitted)
			}
		}
		dropped.series = append(dropped.series, s)
	}
	for i, c := range res.Clients {
		dropped.totals[i] = percentPrecise(c.Dropped.Rate)
		if c.Dropped.Rate != nil {
			top = max(top, *c.Dropped.Rate)
		}
	}
	p1 := barPlot(names, dropped)
	linearRange(&p1.X, []float64{top}, 1.3)
	if top == 0 {
		p1.X.Max = 0.01
	}
	p1.X.Tick.Marker = linearTicks(3, percentLabel)
	p1.Title.Text = "dropped, % of emitted"

	counts := func(title string, value func(c metrics.ClientResults) int64) *plot.Plot {
		s := barSeries{values: make([]float64, n), labels: make([]string, n)}
		var vs []float64
		for i, c := range res.Clients {
			v := value(c)
			s.values[i] = float64(v)
			s.labels[i] = Count(v)
			vs = append(vs, float64(v))
		}
		p := barPlot(blank(n), &hbars{series: []barSeries{s}, colors: clientColorsFor(n)})
		linearRange(&p.X, vs, 1.35)
		p.X.Tick.Marker = linearTicks(3, countLabel)
		p.Title.Text = title
		return p
	}
	plots := []*plot.Plot{p1,
		counts("duplicate deliveries", func(c metrics.ClientResults) int64 { return c.Duplicates }),
		counts("out-of-order deliveries", func(c metrics.ClientResults) int64 { return c.OutOfOrder }),
	}
	for _, p := range plots {
		p.Title.TextStyle.Font = font.From(sansBold, 10)
	}
	var legend []legendEntry
	for _, cause := range causes {
		legend = append(legend, legendEntry{label: "dropped: " + humanName(cause), color: reasonColor(cause), box: true})
	}
	ch.height = barHeight(n, 1) + 30
	ch.draw = func(c draw.Canvas) { drawRow(frame(c, ch.Title, legend), plots) }
	return ch
}
