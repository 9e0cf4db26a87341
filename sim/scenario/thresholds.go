package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/pushpull/pushpull/sim/metrics"
)

// Threshold is a limit on one metric of one client's results. A run that
// breaks it still writes its results and report; pushpull run lists every
// breach and exits 3, so that a CI job fails.
type Threshold struct {
	Client string   `yaml:"client" required:"true" doc:"Required. The name of the client the limit applies to."`
	Metric string   `yaml:"metric" required:"true" doc:"Required. The metric, by its name in docs/metrics.md: p99_latency_s, dropped_rate, wasted_fraction, requests_per_delivered_event..."`
	Max    *float64 `yaml:"max" doc:"The largest value allowed, in the metric's unit: seconds for latencies, 0 to 1 for fractions and rates. At least one of max and min."`
	Min    *float64 `yaml:"min" doc:"The smallest value allowed, in the metric's unit."`
}

func (t Threshold) String() string {
	s := t.Client + " " + t.Metric
	if t.Min != nil {
		s += " ≥ " + strconv.FormatFloat(*t.Min, 'g', -1, 64)
	}
	if t.Max != nil {
		if t.Min != nil {
			s += " and"
		}
		s += " ≤ " + strconv.FormatFloat(*t.Max, 'g', -1, 64)
	}
	return s
}

// Breach is a threshold that a run's results break.
type Breach struct {
	Threshold Threshold
	Value     float64 // the client's value of the metric
	Defined   bool    // false when the metric has no value, such as the latency of a client that delivered nothing
}

func (b Breach) String() string {
	t := b.Threshold
	if !b.Defined {
		return fmt.Sprintf("%s %s has no value (the client delivered nothing, or the metric does not apply to it); the threshold asks %s", t.Client, t.Metric, t)
	}
	v := strconv.FormatFloat(b.Value, 'g', 6, 64)
	if t.Max != nil && b.Value > *t.Max {
		return fmt.Sprintf("%s %s = %s, above the max of %s", t.Client, t.Metric, v, strconv.FormatFloat(*t.Max, 'g', -1, 64))
	}
	return fmt.Sprintf("%s %s = %s, below the min of %s", t.Client, t.Metric, v, strconv.FormatFloat(*t.Min, 'g', -1, 64))
}

// Check returns the thresholds of s that res breaks, in the order of the
// file. A metric without a value breaks any threshold on it.
func (s *Scenario) Check(res *metrics.Results) []Breach {
	var out []Breach
	for _, t := range s.Thresholds {
		m, ok := metrics.LookupMetric(t.Metric)
		c := res.Client(t.Client)
		if !ok || c == nil {
			out = append(out, Breach{Threshold: t})
			continue
		}
		v, defined := m.Of(c)
		if !defined || (t.Max != nil && v > *t.Max) || (t.Min != nil && v < *t.Min) {
			out = append(out, Breach{Threshold: t, Value: v, Defined: defined})
		}
	}
	return out
}

// validateThresholds checks that each threshold names a client of the
// scenario and a known metric, and gives a sensible range.
func (s *Scenario) validateThresholds(c *checker) {
	for i, t := range s.Thresholds {
		p := fmt.Sprintf("thresholds[%d]", i)
		names := make([]string, len(s.Clients))
		for j, cl := range s.Clients {
			names[j] = cl.Name
		}
		switch {
		case t.Client == "" && !c.given(p+".client"):
			c.add(p+".client", "required; name one of the clients: %s", joinQuoted(names))
		case !slices.Contains(names, t.Client):
			c.add(p+".client", "no client is named %q; the clients are %s", t.Client, joinQuoted(names))
		}
		if _, ok := metrics.LookupMetric(t.Metric); !ok {
			if t.Metric == "" && !c.given(p+".metric") {
				c.add(p+".metric", "required; give a metric such as p99_latency_s or dropped_rate (docs/metrics.md lists them)")
			} else {
				c.add(p+".metric", "%s", metrics.UnknownMetric(t.Metric))
			}
		}
		finite := func(field string, v *float64) {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				c.add(p+"."+field, "must be a finite number, got %v", *v)
			}
		}
		finite("max", t.Max)
		finite("min", t.Min)
		switch {
		case t.Max == nil && t.Min == nil:
			c.add(p, "give max, min or both")
		case t.Max != nil && t.Min != nil && *t.Min > *t.Max:
			c.add(p+".min", "must not be above max (%v), got %v", *t.Max, *t.Min)
		}
	}
}

func joinQuoted(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += strconv.Quote(n)
	}
	return out
}
