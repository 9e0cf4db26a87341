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
	count := expectedCount
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
func modelNotes(res *metrics.Results) []string { return modelNotesAt(res, "") }

// modelNotesAt is modelNotes with where after each metric's name, such as
// " at 10s" for a point of a sweep.
func modelNotesAt(res *metrics.Results, where string) []string {
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
			unit := metrics.UnitOf(name)
			notes = append(notes, fmt.Sprintf("! %s %s%s: measured %s, the model expects %s ± %s (%s)",
				c.Name, name, where, InUnit(*e.Measured, unit), InUnit(e.Value, unit), ToleranceIn(e.Tolerance, unit), c.Model.Basis))
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

// scaledMetrics are metrics that are a fixed multiple of one the models
// predict, so that the expectation of one is the other's, scaled: requests
// per hour are 3600 times requests per second.
var scaledMetrics = map[string]struct {
	from  string
	scale func(c *metrics.ClientResults, durationS float64) float64
}{
	"requests_per_hour": {"requests_per_s", func(*metrics.ClientResults, float64) float64 { return 3600 }},
	"requests":          {"requests_per_s", func(_ *metrics.ClientResults, durationS float64) float64 { return durationS }},
	"dropped":           {"dropped_rate", func(c *metrics.ClientResults, _ float64) float64 { return float64(c.Emitted) }},
}

// expectedOf is what the model expected of c's metric in a run of
// durationS seconds, and false when it predicted nothing of it. A metric
// that is a fixed multiple of a predicted one (scaledMetrics) takes its
// expectation, scaled, and whether the measurement was within it.
func expectedOf(c *metrics.ClientResults, durationS float64, metric string) (metrics.Expected, bool) {
	if c.Model == nil {
		return metrics.Expected{}, false
	}
	if e, ok := c.Model.Expected[metric]; ok {
		return e, true
	}
	s, ok := scaledMetrics[metric]
	if !ok {
		return metrics.Expected{}, false
	}
	e, ok := c.Model.Expected[s.from]
	if !ok {
		return metrics.Expected{}, false
	}
	k := s.scale(c, durationS)
	out := metrics.Expected{Value: k * e.Value, Tolerance: k * e.Tolerance, Within: e.Within}
	if e.Measured != nil {
		if m, ok := metrics.LookupMetric(metric); ok {
			if v, ok := m.Of(c); ok {
				out.Measured = &v
			}
		}
	}
	return out, true
}

// isOutside reports whether a figure was measured outside the model's
// tolerance.
func isOutside(e metrics.Expected) bool { return e.Measured != nil && !e.Within }

// expectedNames are the metrics m predicts, in the order of
// metrics.Metrics, any the list does not know last by name.
func expectedNames(m *metrics.Model) []string {
	if m == nil {
		return nil
	}
	order := metrics.MetricNames()
	names := slices.Collect(maps.Keys(m.Expected))
	slices.SortFunc(names, func(a, b string) int {
		i, j := slices.Index(order, a), slices.Index(order, b)
		switch {
		case i < 0 && j < 0:
			return strings.Compare(a, b)
		case i < 0:
			return 1
		case j < 0:
			return -1
		}
		return i - j
	})
	return names
}

// expectedCount writes an expected count as the tables do: 0.9, not 1,
// below ten; thousands separated above.
func expectedCount(v float64) string {
	if v < 9.95 && v != math.Round(v) {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return Count(int64(math.Round(v)))
}

// spread writes a tolerance with two significant digits below 100, which
// is all a tolerance means, without trailing zeros: 0.014, 1.3, 1, 260;
// from 1,000 with separators.
func spread(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 999.5:
		return Count(int64(math.Round(v)))
	}
	digits := max(0, 1-int(math.Floor(math.Log10(math.Abs(v)))))
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".") // ± 1, not ± 1.0
	}
	return s
}

// spreadPercent writes a tolerance on a fraction in percent, with two
// significant digits: 0.0112 is 1.1%.
func spreadPercent(v float64) string { return spread(100*v) + "%" }

// ToleranceIn writes a tolerance on a metric with the given unit, with two
// significant digits: ± 144ms, ± 1.1%.
func ToleranceIn(v float64, unit string) string {
	switch unit {
	case "s":
		return latency(v)
	case "fraction":
		return spreadPercent(v)
	}
	return spread(v)
}

// plusMinus writes an expected value and its tolerance: "9.98s ± 144ms",
// or the value alone when the model allows no spread.
func plusMinus(value, tolerance string, exact bool) string {
	if exact {
		return value
	}
	return value + " ± " + tolerance
}
