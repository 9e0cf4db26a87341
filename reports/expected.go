package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// modelMarks reads what theory expected of one client, for its rows of the
// comparison table.
type modelMarks struct{ m *metrics.Model }

// mark appends "!" to a measured cell outside the model's tolerance.
func (mm modelMarks) mark(metric, cell string) string {
	if e, ok := mm.expected(metric); ok && e.Measured != nil && !e.Within {
		return cell + "!"
	}
	return cell
}

func (mm modelMarks) expected(metric string) (metrics.Expected, bool) {
	if mm.m == nil {
		return metrics.Expected{}, false
	}
	e, ok := mm.m.Expected[metric]
	return e, ok
}

// outside counts the client's figures measured outside tolerance.
func (mm modelMarks) outside() int {
	n := 0
	if mm.m != nil {
		for _, e := range mm.m.Expected {
			if e.Measured != nil && !e.Within {
				n++
			}
		}
	}
	return n
}

// expectedRow is the row under a client's that shows what the model
// expected in the same columns, counts scaled to the run: "-" where it
// predicts nothing. It reports false when the model predicts none of them.
func (mm modelMarks) expectedRow(durationS float64, emitted int64) ([]string, bool) {
	if mm.m == nil || len(mm.m.Expected) == 0 {
		return nil, false
	}
	cell := func(metric string, format func(float64) string) string {
		if e, ok := mm.expected(metric); ok {
			return format(e.Value)
		}
		return "-"
	}
	count := func(v float64) string {
		if v < 9.95 && v != math.Round(v) {
			return strconv.FormatFloat(v, 'f', 1, 64) // 0.9 expected, not 1
		}
		return Count(int64(math.Round(v)))
	}
	return []string{"  expected", "", "",
		cell("mean_latency_s", latency), cell("p50_latency_s", latency), cell("p90_latency_s", latency), cell("p99_latency_s", latency), "",
		cell("requests_per_s", func(v float64) string { return count(v * durationS) }),
		cell("wasted_fraction", func(v float64) string { return "(" + percent(&v) + ")" }),
		cell("requests_per_delivered_event", func(v float64) string { return fixed(&v, 2) }),
		cell("dropped_rate", func(v float64) string {
			if v == 0 {
				return "0"
			}
			return count(v*float64(emitted)) + " (" + percentPrecise(&v) + ")"
		}),
		cell("duplicates", count), cell("out_of_order", count),
	}, true
}

// modelNotes explains every figure measured outside its tolerance: the
// measurement, the expectation and the tolerance, in the metric's unit.
func modelNotes(res *metrics.Results) []string {
	var notes []string
	for _, c := range res.Clients {
		if c.Model == nil {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(c.Model.Expected)) {
			e := c.Model.Expected[name]
			if e.Measured == nil || e.Within {
				continue
			}
			unit := ""
			if m, ok := metrics.LookupMetric(name); ok {
				unit = m.Unit
			}
			notes = append(notes, fmt.Sprintf("! %s %s: measured %s, the model expects %s ± %s (%s)",
				c.Name, name, InUnit(*e.Measured, unit), InUnit(e.Value, unit), InUnit(e.Tolerance, unit), c.Model.Basis))
		}
	}
	return notes
}

// InUnit writes a value of a metric with the given unit as people read it:
// a latency in its own unit, a fraction in percent, anything else with four
// significant digits.
func InUnit(v float64, unit string) string {
	switch unit {
	case "s":
		return latency(v)
	case "fraction":
		return strings.TrimSuffix(fmt.Sprintf("%.4g", 100*v), ".") + "%"
	default:
		return fmt.Sprintf("%.4g", v)
	}
}
