package reports

import (
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/pushpull/pushpull/sim/metrics"
)

// latencyBars shows each client's p50, p90, p99 and maximum latency side by
// side, on a log axis so that milliseconds and hours both read.
func latencyBars(res *metrics.Results) *Chart {
	ch := &Chart{
		Name:    "latency-percentiles",
		Title:   "Delivery latency percentiles per client",
		Caption: "Half of the events arrived within the p50, 99 in 100 within the p99; max is the slowest delivery. The axis is logarithmic, so that milliseconds and hours fit on one chart.",
		width:   720,
	}
	levels := []struct {
		name  string
		value func(l metrics.Latency) float64
	}{
		{"p50", func(l metrics.Latency) float64 { return l.P50S }},
		{"p90", func(l metrics.Latency) float64 { return l.P90S }},
		{"p99", func(l metrics.Latency) float64 { return l.P99S }},
		{"max", func(l metrics.Latency) float64 { return l.MaxS }},
	}
	names := clientNames(res)
	var all []float64
	series := make([]barSeries, len(levels))
	zero := false
	for j, lv := range levels {
		s := barSeries{color: percentileColors[j], values: make([]float64, len(names)), labels: make([]string, len(names))}
		for i, c := range res.Clients {
			if c.Latency.Count == 0 {
				if j == 0 {
					s.labels[i] = "nothing delivered"
				}
				continue
			}
			v := lv.value(c.Latency)
			s.values[i] = v
			s.labels[i] = latency(v)
			all = append(all, v)
			zero = zero || v <= 0
		}
		series[j] = s
	}
	bars := &hbars{series: series}
	p := barPlot(names, bars)
	logRange(&p.X, all, 4)
	p.X.Tick.Marker = logDurationTicks
	p.X.Label.Text = "delivery latency (log scale)"
	if zero {
		ch.Notes = append(ch.Notes, fmt.Sprintf("A latency of 0 has no place on a log axis: its bar is empty and its label reads 0."))
	}
	var legend []legendEntry
	for j, lv := range levels {
		legend = append(legend, legendEntry{label: lv.name, color: percentileColors[j], box: true})
	}
	ch.height = barHeight(len(names), len(levels))
	ch.draw = func(c draw.Canvas) { drawPlot(frame(c, ch.Title, legend), p) }
	return ch
}

// barHeight is the height of a bar chart of n categories of k bars each,
// title, legend and axis included.
func barHeight(n, k int) vg.Length {
	return vg.Length(90 + float64(n)*(10+11*float64(k)))
}

func clientNames(res *metrics.Results) []string {
	names := make([]string, len(res.Clients))
	for i, c := range res.Clients {
		names[i] = c.Name
	}
	return names
}
