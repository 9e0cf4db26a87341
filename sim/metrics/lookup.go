package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// Metric is one figure of a client's results, named so that thresholds and
// comparisons can refer to it: p99_latency_s, dropped_rate and so on.
// docs/metrics.md lists every name with its unit.
type Metric struct {
	Name string
	Unit string // such as "s", "requests", "fraction"; "" for a plain count
	Doc  string // what it is, in a few words
	// Higher is true when a larger value is better (delivered); for every
	// other metric a smaller value is better.
	Higher bool

	value func(c *ClientResults) (float64, bool)
}

// Of returns the metric's value for c, and false when c has none: a
// latency or a ratio of a client that delivered nothing, the empty-poll
// fraction of a webhook receiver.
func (m Metric) Of(c *ClientResults) (float64, bool) { return m.value(c) }

// Better reports whether to is better than from for this metric.
func (m Metric) Better(from, to float64) bool {
	if m.Higher {
		return to > from
	}
	return to < from
}

func lookupCount(f func(c *ClientResults) int64) func(c *ClientResults) (float64, bool) {
	return func(c *ClientResults) (float64, bool) { return float64(f(c)), true }
}

func lookupRatio(f func(c *ClientResults) *float64) func(c *ClientResults) (float64, bool) {
	return func(c *ClientResults) (float64, bool) {
		if v := f(c); v != nil {
			return *v, true
		}
		return 0, false
	}
}

func lookupLatency(f func(l Latency) float64) func(c *ClientResults) (float64, bool) {
	return func(c *ClientResults) (float64, bool) {
		if c.Latency.Count == 0 {
			return 0, false
		}
		return f(c.Latency), true
	}
}

func lookupFreshness(f func(f Freshness) float64) func(c *ClientResults) (float64, bool) {
	return func(c *ClientResults) (float64, bool) {
		if c.Freshness.Samples == 0 {
			return 0, false
		}
		return f(c.Freshness), true
	}
}

// metricList is every named metric, in the order docs/metrics.md lists them.
var metricList = []Metric{
	{Name: "delivered", Unit: "events", Doc: "distinct events the client held", Higher: true, value: lookupCount(func(c *ClientResults) int64 { return c.Delivered })},
	{Name: "in_flight", Unit: "events", Doc: "events neither held nor dropped when the run ended", value: lookupCount(func(c *ClientResults) int64 { return c.InFlight })},
	{Name: "mean_latency_s", Unit: "s", Doc: "mean delivery latency", value: lookupLatency(func(l Latency) float64 { return l.MeanS })},
	{Name: "p50_latency_s", Unit: "s", Doc: "median delivery latency", value: lookupLatency(func(l Latency) float64 { return l.P50S })},
	{Name: "p90_latency_s", Unit: "s", Doc: "90th percentile of delivery latency", value: lookupLatency(func(l Latency) float64 { return l.P90S })},
	{Name: "p99_latency_s", Unit: "s", Doc: "99th percentile of delivery latency", value: lookupLatency(func(l Latency) float64 { return l.P99S })},
	{Name: "p999_latency_s", Unit: "s", Doc: "99.9th percentile of delivery latency", value: lookupLatency(func(l Latency) float64 { return l.P999S })},
	{Name: "max_latency_s", Unit: "s", Doc: "largest delivery latency", value: lookupLatency(func(l Latency) float64 { return l.MaxS })},
	{Name: "requests", Unit: "requests", Doc: "requests counted in the window", value: lookupCount(func(c *ClientResults) int64 { return c.Requests.Total })},
	{Name: "requests_per_s", Unit: "requests/s", Doc: "requests per second of duration", value: func(c *ClientResults) (float64, bool) { return c.Requests.PerS, true }},
	{Name: "requests_per_hour", Unit: "requests/h", Doc: "requests per hour of duration", value: func(c *ClientResults) (float64, bool) { return 3600 * c.Requests.PerS, true }},
	{Name: "requests_per_delivered_event", Unit: "requests/event", Doc: "requests per distinct event delivered", value: lookupRatio(func(c *ClientResults) *float64 { return c.RequestsPerDelivered })},
	{Name: "wasted", Unit: "requests", Doc: "requests that brought nothing new", value: lookupCount(func(c *ClientResults) int64 { return c.Wasted.Total })},
	{Name: "wasted_fraction", Unit: "fraction", Doc: "wasted requests / requests", value: lookupRatio(func(c *ClientResults) *float64 { return c.Wasted.Fraction })},
	{Name: "empty_poll_fraction", Unit: "fraction", Doc: "pollers only: scheduled polls answered with no event / scheduled polls answered", value: lookupRatio(func(c *ClientResults) *float64 { return c.EmptyPollFraction })},
	{Name: "dropped", Unit: "events", Doc: "events the client never held", value: lookupCount(func(c *ClientResults) int64 { return c.Dropped.Total })},
	{Name: "dropped_rate", Unit: "fraction", Doc: "dropped / emitted", value: lookupRatio(func(c *ClientResults) *float64 { return c.Dropped.Rate })},
	{Name: "duplicates", Unit: "deliveries", Doc: "deliveries of an event already held", value: lookupCount(func(c *ClientResults) int64 { return c.Duplicates })},
	{Name: "out_of_order", Unit: "deliveries", Doc: "first deliveries below the highest sequence number held", value: lookupCount(func(c *ClientResults) int64 { return c.OutOfOrder })},
	{Name: "bytes_in", Unit: "bytes", Doc: "bytes the client received", value: lookupCount(func(c *ClientResults) int64 { return c.Bytes.In })},
	{Name: "bytes_out", Unit: "bytes", Doc: "bytes the client sent", value: lookupCount(func(c *ClientResults) int64 { return c.Bytes.Out })},
	{Name: "bytes_per_delivered_event", Unit: "bytes/event", Doc: "(in + out) / distinct events delivered", value: lookupRatio(func(c *ClientResults) *float64 { return c.Bytes.PerDelivered })},
	{Name: "fresh_fraction", Unit: "fraction", Doc: "share of sampled instants at which the client's view lacked no event", Higher: true, value: lookupFreshness(func(f Freshness) float64 { return f.Fresh })},
	{Name: "mean_age_s", Unit: "s", Doc: "mean age of the client's view: 0 when fresh, else the time since the oldest event it lacked was created", value: lookupFreshness(func(f Freshness) float64 { return f.AgeMeanS })},
	{Name: "mean_unseen", Unit: "events", Doc: "mean number of events the client's view lacked", value: lookupFreshness(func(f Freshness) float64 { return f.UnseenMean })},
}

// LookupMetric returns the metric named name.
func LookupMetric(name string) (Metric, bool) {
	i := slices.IndexFunc(metricList, func(m Metric) bool { return m.Name == name })
	if i < 0 {
		return Metric{}, false
	}
	return metricList[i], true
}

// Metrics returns every named metric, in a fixed order.
func Metrics() []Metric { return slices.Clone(metricList) }

// MetricNames returns the name of every metric, in the order of Metrics.
func MetricNames() []string {
	names := make([]string, len(metricList))
	for i, m := range metricList {
		names[i] = m.Name
	}
	return names
}

// UnitOf is the unit of the metric named name, or "" for a plain number or
// a name that is no metric.
func UnitOf(name string) string {
	m, _ := LookupMetric(name)
	return m.Unit
}

// UnknownMetric explains that name is not a metric, suggesting the closest
// one when there is a near miss.
func UnknownMetric(name string) string {
	best := Closest(name, MetricNames(), 3)
	for _, m := range metricList {
		if best == "" && name != "" && strings.HasPrefix(m.Name, name+"_") {
			best = m.Name // p99 for p99_latency_s
		}
	}
	msg := fmt.Sprintf("unknown metric %q", name)
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", best)
	}
	return msg + "; the metrics are " + strings.Join(MetricNames(), ", ")
}

// Closest returns the first of names nearest to name, if it is within the
// given number of edits (insertions, deletions, substitutions), or "". It
// makes the "did you mean" of an unknown metric, and of an unknown field
// of a scenario file.
func Closest(name string, names []string, within int) string {
	best, bestDist := "", within+1
	for _, n := range names {
		if d := editDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
