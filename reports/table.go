// Package reports turns Results into what people read: the comparison table
// printed after a run, and the report files written beside results.json.
// It reads Results only; it never runs anything.
package reports

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
)

// WriteTable prints the comparison of res: a heading, one aligned row per
// client, and notes on whatever a row cannot show (drops by cause, events
// still in flight, an interrupted run).
func WriteTable(w io.Writer, res *metrics.Results) error {
	var b strings.Builder
	sc := res.Scenario
	fmt.Fprintf(&b, "%s", sc.Name)
	if sc.Description != "" {
		fmt.Fprintf(&b, ": %s", sc.Description)
	}
	b.WriteString("\n")
	b.WriteString(strings.TrimSuffix(runLine(res), ".") + "\n")
	if res.Run.Interrupted {
		fmt.Fprintf(&b, "INTERRUPTED at %s of scenario time: the figures cover what ran until then\n", seconds(res.Run.SimulatedS))
	}
	b.WriteString("\n")

	t := grid{left: 2}
	t.add("client", "strategy", "delivered", "mean", "p50", "p90", "p99", "max", "requests", "wasted", "req/event", "dropped", "dup", "ooo")
	outside := 0
	for _, c := range res.Clients {
		l := c.Latency
		lat := func(v float64) string {
			if l.Count == 0 {
				return "-"
			}
			return latency(v)
		}
		m := modelMarks{c.Model}
		t.add(c.Name, c.Strategy, Count(c.Delivered),
			m.mark("mean_latency_s", lat(l.MeanS)), m.mark("p50_latency_s", lat(l.P50S)),
			m.mark("p90_latency_s", lat(l.P90S)), m.mark("p99_latency_s", lat(l.P99S)), lat(l.MaxS),
			m.mark("requests_per_s", Count(c.Requests.Total)), m.mark("wasted_fraction", wasted(c.Wasted)),
			m.mark("requests_per_delivered_event", fixed(c.RequestsPerDelivered, 2)),
			m.mark("dropped_rate", dropped(c.Dropped)), m.mark("duplicates", Count(c.Duplicates)),
			m.mark("out_of_order", Count(c.OutOfOrder)))
		if row, ok := m.expectedRow(res.Scenario.DurationS, c.Emitted); ok {
			t.add(row...)
		}
		outside += m.outside()
	}
	t.write(&b)
	if outside > 0 {
		b.WriteString("! measured outside the model's tolerance (see below)\n")
	}
	text := b.String()

	var notes []string
	for _, c := range res.Clients {
		if c.Dropped.Total > 0 {
			notes = append(notes, fmt.Sprintf("%s dropped %s of %s events: %s", c.Name, Count(c.Dropped.Total), Count(c.Emitted), byName(c.Dropped.ByCause)))
		}
		if c.InFlight > 0 {
			notes = append(notes, fmt.Sprintf("%s still had %s events in flight when the run ended: lengthen drain to see where they land", c.Name, Count(c.InFlight)))
		}
		if c.Wasted.Total > 0 && len(c.Wasted.ByReason) > 1 {
			notes = append(notes, fmt.Sprintf("%s wasted requests: %s", c.Name, byName(c.Wasted.ByReason)))
		}
	}
	notes = append(notes, modelNotes(res)...)
	if !res.Run.InvariantOK && !res.Run.Interrupted {
		notes = append(notes, "WARNING: emitted ≠ delivered + dropped + in flight for some client: these figures are not to be trusted")
	}
	if len(notes) > 0 {
		text += "\n" + strings.Join(notes, "\n") + "\n"
	}
	_, err := io.WriteString(w, text)
	return err
}

func seconds(s float64) string {
	return shortDuration(time.Duration(s * float64(time.Second)))
}

// shortDuration writes a duration without zero units: 168h, 1h30m, 10s,
// 30s (a zero is dropped only with the unit it counts).
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// latency writes a latency in seconds with three significant digits and a
// unit people read at a glance: 24ms, 5.07s, 82.4m, 1.2h.
func latency(s float64) string {
	switch {
	case s == 0:
		return "0"
	case s < 1e-3:
		return sig(s*1e6) + "µs"
	case s < 1:
		return sig(s*1e3) + "ms"
	case s < 120:
		return sig(s) + "s"
	case s < 2*3600:
		return sig(s/60) + "m"
	case s < 2*86400:
		return sig(s/3600) + "h"
	default:
		return sig(s/86400) + "d"
	}
}

// sig writes v with three significant digits, without an exponent.
func sig(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// perHour writes a rate with three significant digits, and thousands
// separators from 1,000 up: 7.68, 360, 3,600.
func perHour(v float64) string {
	if v >= 999.5 {
		return Count(int64(v + 0.5))
	}
	return sig(v)
}

// Count writes n with thousands separators, as the tables do: 12,345.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fixed(v *float64, digits int) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', digits, 64)
}

func percent(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(100**v, 'f', 1, 64) + "%"
}

func wasted(w metrics.Wasted) string {
	return Count(w.Total) + " (" + percent(w.Fraction) + ")"
}

func dropped(d metrics.Dropped) string {
	if d.Total == 0 {
		return "0"
	}
	return Count(d.Total) + " (" + percentPrecise(d.Rate) + ")"
}

// percentPrecise writes a rate as a percentage with enough digits to show a
// small one: 0.0012 is 0.12%, not 0.0%.
func percentPrecise(v *float64) string {
	if v == nil {
		return "-"
	}
	p := 100 * *v
	if p >= 1 || p == 0 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

// byName writes a map of counts as "a 3, b 5" in name order.
func byName(m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+" "+Count(m[k]))
	}
	return strings.Join(parts, ", ")
}
