package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/pushpull/pushpull/sim/random"
)

// Duration is a Go duration written as text in scenario files: 300ms, 10s,
// 1.5h, 168h. A bare number is an error: it has no unit.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// ParseDuration reads a Go duration and explains what is wrong with text that
// is not one.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("%q has no unit: write a duration such as %ss", s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use Go's syntax, such as 300ms, 10s, 15m, 1.5h or 168h (a day is 24h)", s)
	}
	return Duration(d), nil
}

// UnmarshalText decodes a duration from a scenario file.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText encodes d as a Go duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Rate is a number of things per unit of time, written with its unit:
// 50/h, 2/s, 100/m, 1000/d.
type Rate struct {
	perSecond float64
	text      string
}

var rateUnits = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}

// ParseRate reads a rate such as 50/h.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return Rate{}, fmt.Errorf("%q has no unit: write a rate such as %s/h or %s/s", s, s, s)
		}
		return Rate{}, fmt.Errorf("%q is not a rate: write a number, a slash and a unit (s, m, h or d), such as 50/h", s)
	}
	per, known := rateUnits[strings.TrimSpace(unit)]
	if !known {
		return Rate{}, fmt.Errorf("%q has an unknown unit %q: use s, m, h or d, such as 50/h", s, strings.TrimSpace(unit))
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return Rate{}, fmt.Errorf("%q is not a rate: %q is not a number", s, strings.TrimSpace(num))
	}
	if n < 0 {
		return Rate{}, fmt.Errorf("%q is negative: a rate is at least 0", s)
	}
	return Rate{perSecond: n / per.Seconds(), text: s}, nil
}

// PerSecond returns the rate in units per second.
func (r Rate) PerSecond() float64 { return r.perSecond }

// IsZero reports whether the rate was never set or is zero.
func (r Rate) IsZero() bool { return r.perSecond == 0 }

func (r Rate) String() string {
	if r.text != "" {
		return r.text
	}
	return strconv.FormatFloat(r.perSecond, 'g', -1, 64) + "/s"
}

// UnmarshalText decodes a rate from a scenario file.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText encodes r as it was written.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Latency is a distribution of durations. In a file it is either a single
// duration (always that value) or a mapping: {median, p99} for a log-normal,
// {min, max} for a uniform, {mean} for an exponential.
type Latency struct {
	Value  Duration `yaml:"-"`
	Median Duration `yaml:"median,omitempty"`
	P99    Duration `yaml:"p99,omitempty"`
	Min    Duration `yaml:"min,omitempty"`
	Max    Duration `yaml:"max,omitempty"`
	Mean   Duration `yaml:"mean,omitempty"`

	keys []string // the keys given, when written as a mapping
}

// Latency forms, named by the keys that select them.
const (
	formFixed       = "fixed"
	formLogNormal   = "median, p99"
	formUniform     = "min, max"
	formExponential = "mean"
)

var latencyForms = [][]string{{"median", "p99"}, {"min", "max"}, {"mean"}}

// FixedLatency returns a latency that is always d.
func FixedLatency(d time.Duration) Latency { return Latency{Value: Duration(d)} }

// UnmarshalYAML decodes either form.
func (l *Latency) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		var d Duration
		if err := d.UnmarshalText([]byte(node.Value)); err != nil {
			return err
		}
		*l = Latency{Value: d}
		return nil
	}
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("a latency is a duration or a mapping with median and p99, min and max, or mean")
	}
	type plain Latency
	var p plain
	if err := node.Load(&p, yaml.WithKnownFields()); err != nil {
		return err
	}
	*l = Latency(p)
	l.keys = []string{} // not nil, so that {} is not taken for a fixed 0s
	for i := 0; i+1 < len(node.Content); i += 2 {
		l.keys = append(l.keys, node.Content[i].Value)
	}
	return nil
}

// MarshalYAML encodes l in the form it was written in.
func (l Latency) MarshalYAML() (any, error) {
	if l.keys == nil {
		return l.Value, nil
	}
	// The keys given, even those at zero such as min: 0s, so that the
	// output decodes to the same form.
	values := map[string]Duration{"median": l.Median, "p99": l.P99, "min": l.Min, "max": l.Max, "mean": l.Mean}
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, k := range l.keys {
		n.Content = append(n.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Value: values[k].String()})
	}
	return n, nil
}

// form returns which form l takes, or an error naming what is missing.
func (l Latency) form() (string, error) {
	if l.keys == nil {
		return formFixed, nil
	}
	keys := slices.Clone(l.keys)
	slices.Sort(keys)
	for _, f := range latencyForms {
		want := slices.Clone(f)
		slices.Sort(want)
		if slices.Equal(keys, want) {
			return strings.Join(f, ", "), nil
		}
	}
	return "", fmt.Errorf("give exactly one of {median, p99}, {min, max} or {mean}, or a single duration; got {%s}", strings.Join(l.keys, ", "))
}

// check returns the problems of l's values, in the words of its form.
func (l Latency) check() []string {
	form, err := l.form()
	if err != nil {
		return []string{err.Error()}
	}
	var bad []string
	switch form {
	case formFixed:
		if l.Value < 0 {
			bad = append(bad, fmt.Sprintf("must not be negative, got %v", l.Value))
		}
	case formLogNormal:
		if l.Median <= 0 {
			bad = append(bad, fmt.Sprintf("median must be positive, got %v", l.Median))
		} else if l.P99 <= l.Median {
			bad = append(bad, fmt.Sprintf("p99 (%v) must exceed median (%v); for a fixed value write a single duration", l.P99, l.Median))
		}
	case formUniform:
		if l.Min < 0 || l.Max < l.Min {
			bad = append(bad, fmt.Sprintf("need 0 <= min <= max, got min %v, max %v", l.Min, l.Max))
		}
	case formExponential:
		if l.Mean <= 0 {
			bad = append(bad, fmt.Sprintf("mean must be positive, got %v", l.Mean))
		}
	}
	return bad
}

// Distribution returns the distribution l describes. It assumes l is valid.
func (l Latency) Distribution() random.Durations {
	form, _ := l.form()
	switch form {
	case formLogNormal:
		return random.LogNormalFromMedianP99(l.Median.D(), l.P99.D())
	case formUniform:
		return random.Uniform{Min: l.Min.D(), Max: l.Max.D()}
	case formExponential:
		return random.Exponential{Avg: l.Mean.D()}
	default:
		return random.Constant(l.Value.D())
	}
}

func (l Latency) String() string { return l.Distribution().String() }
