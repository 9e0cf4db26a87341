package scenario

import (
	"maps"
	"math"
	"slices"
	"time"
)

// Preset is a real webhook sender's retry policy, as its vendor documents it.
type Preset struct {
	Delays  []time.Duration // delay before each retry, from the failure of the previous attempt
	Jitter  float64         // each delay times U(1 - Jitter, 1 + Jitter)
	Timeout time.Duration   // how long one attempt may take
	Source  string          // where the numbers come from
}

// Presets are the named retry policies a scenario can use with
// store.webhooks.retry.preset.
var Presets = map[string]Preset{
	"svix": {
		Delays:  []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
		Timeout: 15 * time.Second,
		Source:  "Svix retry schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; 15 s timeout",
	},
}

// PresetNames lists the presets in alphabetical order.
func PresetNames() []string { return slices.Sorted(maps.Keys(Presets)) }

// DefaultTimeout is the webhook timeout when neither the scenario nor its
// preset gives one.
const DefaultTimeout = 15 * time.Second

// RetryPlan is a webhook retry policy with its preset expanded: either a
// list of delays or an exponential schedule, and the attempt timeout.
type RetryPlan struct {
	Delays      []time.Duration // used when Exponential is nil
	Exponential *Exponential
	Jitter      float64
	Timeout     time.Duration
}

// Plan expands w's retry policy and timeout. It assumes w is valid.
func (w Webhooks) Plan() RetryPlan {
	plan := RetryPlan{Jitter: w.Retry.Jitter, Timeout: DefaultTimeout}
	switch {
	case w.Retry.Preset != "":
		p := Presets[w.Retry.Preset]
		plan.Delays = p.Delays
		plan.Timeout = p.Timeout
		if w.Retry.Jitter == 0 {
			plan.Jitter = p.Jitter
		}
	case w.Retry.Exponential != nil:
		plan.Exponential = w.Retry.Exponential
	default:
		for _, d := range w.Retry.Delays {
			plan.Delays = append(plan.Delays, d.D())
		}
	}
	if w.Timeout > 0 {
		plan.Timeout = w.Timeout.D()
	}
	return plan
}

// Attempts is the number of attempts the plan makes in all, the first
// included.
func (p RetryPlan) Attempts() int {
	if p.Exponential != nil {
		return p.Exponential.Attempts
	}
	return len(p.Delays) + 1
}

// Delay is the nominal delay before retry number retry (1 for the second
// attempt), before jitter.
func (p RetryPlan) Delay(retry int) time.Duration {
	if e := p.Exponential; e != nil {
		d := float64(e.Initial)
		for range retry - 1 {
			d *= e.Factor
			if e.Cap > 0 && d >= float64(e.Cap) {
				return e.Cap.D()
			}
		}
		if e.Cap > 0 && d > float64(e.Cap) {
			return e.Cap.D()
		}
		if d >= math.MaxInt64 { // beyond time.Duration; converting would wrap
			return math.MaxInt64
		}
		return time.Duration(d)
	}
	return p.Delays[retry-1]
}

// Offsets are the nominal times of every attempt after the event's creation
// when each failure is known at once: 0, then the running sum of the delays.
// A sum beyond the largest time.Duration stays at the largest.
func (p RetryPlan) Offsets() []time.Duration {
	out := []time.Duration{0}
	for i := 1; i < p.Attempts(); i++ {
		next := out[i-1] + p.Delay(i)
		if next < out[i-1] {
			next = math.MaxInt64
		}
		out = append(out, next)
	}
	return out
}
