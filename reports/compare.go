package reports

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// DefaultCompareMetrics are the metrics Compare looks at unless told
// otherwise: what a change to a strategy or to the harness could worsen.
var DefaultCompareMetrics = []string{
	"delivered", "p50_latency_s", "p99_latency_s", "max_latency_s",
	"requests_per_hour", "requests_per_delivered_event", "wasted_fraction",
	"dropped_rate", "duplicates", "out_of_order", "bytes_per_delivered_event",
}

// Comparison is a newer run held against a base run, client by client.
type Comparison struct {
	Base, New  *metrics.Results
	Tolerance  float64  // a relative change for the worse beyond it is a regression
	Diffs      []Diff   // per client of the base also in the new run, per metric
	OnlyInBase []string // clients the new run lacks
	OnlyInNew  []string // clients the base lacks
	compared   int      // how many metrics each client was compared on
}

// Diff is one metric of one client in both runs.
type Diff struct {
	Client string
	Metric metrics.Metric
	Base   float64
	New    float64
	BaseOK bool // the base has a value
	NewOK  bool // the new run has a value
	// Change is (new − base) / |base|; ±Inf when the base is 0 and the new
	// value is not, 0 when both are 0.
	Change     float64
	Regression bool // worse by more than the tolerance, or no value where the base had one
}

// Compare holds next against base for the named metrics (DefaultCompareMetrics
// when none are named). An unknown metric name is an error.
func Compare(base, next *metrics.Results, names []string, tolerance float64) (*Comparison, error) {
	if base == nil || next == nil {
		return nil, errors.New("comparing: missing results")
	}
	if len(names) == 0 {
		names = DefaultCompareMetrics
	}
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return nil, fmt.Errorf("comparing: the tolerance must be a number at least 0, got %v", tolerance)
	}
	ms := make([]metrics.Metric, len(names))
	for i, n := range names {
		m, ok := metrics.LookupMetric(n)
		if !ok {
			return nil, errors.New(metrics.UnknownMetric(n))
		}
		ms[i] = m
	}
	c := &Comparison{Base: base, New: next, Tolerance: tolerance, compared: len(names)}
	for i := range base.Clients {
		b := &base.Clients[i]
		n := next.Client(b.Name)
		if n == nil {
			c.OnlyInBase = append(c.OnlyInBase, b.Name)
			continue
		}
		for _, m := range ms {
			d := Diff{Client: b.Name, Metric: m}
			d.Base, d.BaseOK = m.Of(b)
			d.New, d.NewOK = m.Of(n)
			switch {
			case d.BaseOK && !d.NewOK:
				d.Regression = true
			case d.BaseOK && d.NewOK:
				d.Change = relativeChange(d.Base, d.New)
				d.Regression = m.Better(d.New, d.Base) && math.Abs(d.Change) > tolerance
			}
			c.Diffs = append(c.Diffs, d)
		}
	}
	for _, n := range next.Clients {
		if base.Client(n.Name) == nil {
			c.OnlyInNew = append(c.OnlyInNew, n.Name)
		}
	}
	return c, nil
}

func relativeChange(base, next float64) float64 {
	switch {
	case base == next:
		return 0
	case base == 0:
		return math.Copysign(math.Inf(1), next)
	}
	return (next - base) / math.Abs(base)
}

// Regressions are the diffs that are regressions.
func (c *Comparison) Regressions() []Diff {
	var out []Diff
	for _, d := range c.Diffs {
		if d.Regression {
			out = append(out, d)
		}
	}
	return out
}

// WriteComparison prints the comparison: a heading naming both runs, one
// line per metric that changed, grouped by client, the clients only one
// run has, and a last line counting the regressions.
func WriteComparison(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "base: %s\nnew:  %s\n", describe(c.Base), describe(c.New))
	if c.Base.Scenario.SHA256 != "" && c.New.Scenario.SHA256 != "" && c.Base.Scenario.SHA256 != c.New.Scenario.SHA256 {
		b.WriteString("The scenarios differ (their files' SHA-256 do not match): some changes may come from the scenario, not the code.\n")
	}
	fmt.Fprintf(&b, "A change for the worse of more than %s is a regression.\n\n", TolerancePercent(c.Tolerance))

	t := grid{left: 2}
	t.add("client", "metric", "base", "new", "change", "")
	unchanged := map[string]int{}
	clients := []string{}
	for _, d := range c.Diffs {
		if len(clients) == 0 || clients[len(clients)-1] != d.Client {
			clients = append(clients, d.Client)
		}
		if d.BaseOK == d.NewOK && (!d.BaseOK || d.Change == 0) {
			unchanged[d.Client]++
			continue
		}
		mark := ""
		switch {
		case d.Regression:
			mark = "REGRESSION"
		case d.BaseOK && d.NewOK && d.Metric.Better(d.Base, d.New):
			mark = "better"
		}
		t.add(d.Client, d.Metric.Name, metricText(d.Metric, d.Base, d.BaseOK), metricText(d.Metric, d.New, d.NewOK), changeText(d), mark)
	}
	if len(t.rows) > 1 {
		t.write(&b)
	}
	var same []string
	for _, name := range clients {
		if unchanged[name] == c.compared {
			same = append(same, name)
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(&b, "No change in the %d metrics compared: %s.\n", c.compared, joinNames(same))
	}
	for _, n := range c.OnlyInBase {
		fmt.Fprintf(&b, "%s is only in the base run.\n", n)
	}
	for _, n := range c.OnlyInNew {
		fmt.Fprintf(&b, "%s is only in the new run.\n", n)
	}
	regs := c.Regressions()
	if len(regs) == 0 {
		fmt.Fprintf(&b, "\nNo regression beyond %s.\n", TolerancePercent(c.Tolerance))
	} else {
		var names []string
		for _, d := range regs {
			names = append(names, d.Client+" "+d.Metric.Name+" "+changeText(d))
		}
		fmt.Fprintf(&b, "\n%d regressions beyond %s: %s.\n", len(regs), TolerancePercent(c.Tolerance), strings.Join(names, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(res *metrics.Results) string {
	s := fmt.Sprintf("%s, seed %d, %s simulated", res.Scenario.Name, res.Run.Seed, seconds(res.Scenario.DurationS))
	if res.Run.Interrupted {
		s += ", INTERRUPTED"
	}
	return s
}

// TolerancePercent writes a relative tolerance as a percentage: ±5%.
func TolerancePercent(t float64) string { return "±" + trimNum(100*t) + "%" }

// metricText writes a metric's value in its unit.
func metricText(m metrics.Metric, v float64, ok bool) string {
	if !ok {
		return "–"
	}
	switch m.Unit {
	case "s":
		return latency(v)
	case "fraction":
		return percentPrecise(&v)
	case "bytes", "bytes/event":
		return bytesLabel(v)
	case "events", "requests", "deliveries":
		return Count(int64(math.Round(v)))
	}
	return perHour(v)
}

// changeText writes a relative change: +12.3%, −4.0%, new where the base
// was 0, and "no value" where the new run has none.
func changeText(d Diff) string {
	switch {
	case d.BaseOK && !d.NewOK:
		return "no value"
	case !d.BaseOK && d.NewOK:
		return "new value"
	case math.IsInf(d.Change, 0):
		return "from 0"
	}
	return fmt.Sprintf("%+.1f%%", 100*d.Change)
}
