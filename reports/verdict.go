package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// verdict is what a report says first: a few sentences naming the fastest,
// the cheapest and what was lost, warnings about the run, and a table with
// the best value of each column marked.
type verdict struct {
	warnings  []string
	sentences []string
	header    []string
	rows      []row
	model     *modelPart // nil when the results carry no model
}

// row is one line of the verdict table: a client's measured figures, or
// under them what the model expected.
type row struct {
	Cells    []cell
	Expected bool // the model's expectations for the client in the row above
}

// cell is one value of the verdict table.
type cell struct {
	Text    string
	Best    bool   // the best value of its column
	Num     bool   // aligned right
	Outside bool   // measured outside the model's tolerance
	Tol     string // in an expected row: the tolerance, "" when there is none
}

// anyOutside reports whether a cell of rows is marked outside the model's
// tolerance.
func anyOutside(rows []row) bool {
	for _, r := range rows {
		for _, c := range r.Cells {
			if c.Outside {
				return true
			}
		}
	}
	return false
}

// modelLegend explains a verdict table's model marks, when it has any: what
// its expected rows are, and what ! means, tolerance naming the tolerance.
func modelLegend(rows []row, expected, tolerance string) string {
	var s string
	if anyExpected(rows) {
		s += " " + expected + "."
	}
	if anyOutside(rows) {
		s += " ! marks a figure measured outside " + tolerance + "."
	}
	return s
}

// anyExpected reports whether rows hold a row of expectations.
func anyExpected(rows []row) bool {
	return slices.ContainsFunc(rows, func(r row) bool { return r.Expected })
}

// judge builds the verdict of res.
func judge(res *metrics.Results) verdict {
	var v verdict
	if res.Run.Interrupted {
		v.warnings = append(v.warnings, fmt.Sprintf("The run was interrupted at %s of scenario time: the figures cover what ran until then.", seconds(res.Run.SimulatedS)))
	}
	if !res.Run.InvariantOK && !res.Run.Interrupted {
		v.warnings = append(v.warnings, "Emitted ≠ delivered + dropped + in flight for some client: these figures are not to be trusted.")
	}
	for _, c := range res.Clients {
		if c.InFlight > 0 {
			v.warnings = append(v.warnings, fmt.Sprintf("%s still had %s events in flight when the run ended: a longer drain would show where they land.", c.Name, Count(c.InFlight)))
		}
	}
	v.sentences = sentences(res)

	p50, _ := metrics.LookupMetric("p50_latency_s")
	p99, _ := metrics.LookupMetric("p99_latency_s")
	perHourM, _ := metrics.LookupMetric("requests_per_hour")
	perEvent, _ := metrics.LookupMetric("requests_per_delivered_event")
	wasted, _ := metrics.LookupMetric("wasted_fraction")
	droppedRate, _ := metrics.LookupMetric("dropped_rate")
	dups, _ := metrics.LookupMetric("duplicates")
	ooo, _ := metrics.LookupMetric("out_of_order")
	delivered, _ := metrics.LookupMetric("delivered")
	count := func(v float64) string { return Count(int64(v)) }
	cols := []struct {
		head   string
		metric metrics.Metric
		format func(v float64) string
		expect func(v float64) string // an expected value, when not as format
	}{
		{"delivered", delivered, count, nil},
		{"p50", p50, latency, nil},
		{"p99", p99, latency, nil},
		{"requests/h", perHourM, perHour, nil},
		{"req/event", perEvent, func(v float64) string { return fixed(&v, 2) }, nil},
		{"wasted", wasted, func(v float64) string { return percent(&v) }, nil},
		{"dropped", droppedRate, func(v float64) string { return percentPrecise(&v) }, nil},
		{"dup", dups, count, expectedCount},
		{"ooo", ooo, count, expectedCount},
	}
	v.header = []string{"client", "strategy"}
	for _, col := range cols {
		v.header = append(v.header, col.head)
	}
	measured := make([][]cell, len(res.Clients))
	expected := make([][]cell, len(res.Clients))
	predicted := make([]bool, len(res.Clients))
	for i, c := range res.Clients {
		measured[i] = []cell{{Text: c.Name}, {Text: c.Strategy}}
		expected[i] = []cell{{Text: "expected"}, {}}
	}
	for _, col := range cols {
		best, have := 0.0, false
		values := make([]float64, len(res.Clients))
		defined := make([]bool, len(res.Clients))
		for i := range res.Clients {
			values[i], defined[i] = col.metric.Of(&res.Clients[i])
			if defined[i] && (!have || col.metric.Better(best, values[i])) {
				best, have = values[i], true
			}
		}
		// A column in which every client ties marks nothing.
		ties := 0
		for i := range values {
			if defined[i] && values[i] == best {
				ties++
			}
		}
		for i := range res.Clients {
			c := cell{Text: "–", Num: true}
			if defined[i] {
				c.Text = col.format(values[i])
				c.Best = have && values[i] == best && ties < len(values)
			}
			x := cell{Num: true}
			if e, ok := expectedOf(&res.Clients[i], res.Scenario.DurationS, col.metric.Name); ok {
				c.Outside = isOutside(e)
				format := col.expect
				if format == nil {
					format = col.format
				}
				x.Text = format(e.Value)
				if e.Tolerance > 0 {
					x.Tol = ToleranceIn(e.Tolerance, col.metric.Unit)
				}
				predicted[i] = true
			}
			measured[i] = append(measured[i], c)
			expected[i] = append(expected[i], x)
		}
	}
	for i := range res.Clients {
		v.rows = append(v.rows, row{Cells: measured[i]})
		if predicted[i] {
			v.rows = append(v.rows, row{Cells: expected[i], Expected: true})
		}
	}
	v.model = judgeModel(res)
	return v
}

// sentences says in words who is fastest, who is cheapest and what was
// lost.
func sentences(res *metrics.Results) []string {
	var out []string
	fastest, slowest, cheapest := -1, -1, -1
	for i, c := range res.Clients {
		if c.Latency.Count == 0 {
			continue
		}
		if fastest < 0 || c.Latency.P99S < res.Clients[fastest].Latency.P99S {
			fastest = i
		}
		if slowest < 0 || c.Latency.P99S > res.Clients[slowest].Latency.P99S {
			slowest = i
		}
		if r := c.RequestsPerDelivered; r != nil && (cheapest < 0 || *r < *res.Clients[cheapest].RequestsPerDelivered) {
			cheapest = i
		}
	}
	if fastest < 0 {
		return []string{"No client delivered an event."}
	}
	f := res.Clients[fastest]
	if len(res.Clients) > 1 && slowest != fastest {
		s := res.Clients[slowest]
		out = append(out, fmt.Sprintf("Fastest: %s, 99 %% of its events within %s (p50 %s). Slowest: %s, p99 %s.",
			f.Name, latency(f.Latency.P99S), latency(f.Latency.P50S), s.Name, latency(s.Latency.P99S)))
	} else {
		out = append(out, fmt.Sprintf("%s delivered 99 %% of its events within %s (p50 %s).", f.Name, latency(f.Latency.P99S), latency(f.Latency.P50S)))
	}
	if cheapest >= 0 {
		c := res.Clients[cheapest]
		out = append(out, fmt.Sprintf("Cheapest: %s, %s requests per delivered event, %s of its requests wasted.",
			c.Name, fixed(c.RequestsPerDelivered, 2), percent(c.Wasted.Fraction)))
	}
	var lost []string
	for _, c := range res.Clients {
		var parts []string
		if c.Dropped.Total > 0 {
			parts = append(parts, fmt.Sprintf("dropped %s of %s events (%s: %s)", Count(c.Dropped.Total), Count(c.Emitted), percentPrecise(c.Dropped.Rate), byName(c.Dropped.ByCause)))
		}
		if c.Duplicates > 0 {
			parts = append(parts, fmt.Sprintf("%s duplicate deliveries", Count(c.Duplicates)))
		}
		if c.OutOfOrder > 0 {
			parts = append(parts, fmt.Sprintf("%s out of order", Count(c.OutOfOrder)))
		}
		if len(parts) > 0 {
			lost = append(lost, c.Name+" "+strings.Join(parts, ", "))
		}
	}
	if len(lost) == 0 {
		out = append(out, "No client dropped, duplicated or reordered an event.")
	} else {
		out = append(out, "Losses: "+strings.Join(lost, "; ")+".")
	}
	return out
}
