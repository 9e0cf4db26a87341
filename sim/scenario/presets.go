package scenario

import (
	"maps"
	"math"
	"slices"
	"time"
)

// Preset is a real webhook sender's retry policy, as its vendor documents it.
// Numbers a vendor does not publish are parameters of the preset, and its
// Source says so.
type Preset struct {
	Delays         []time.Duration // delay before each retry, from the failure of the previous attempt
	Jitter         float64         // each delay times U(1 - Jitter, 1 + Jitter)
	Floor          time.Duration   // least delay after a timeout or a 429
	Timeout        time.Duration   // how long one attempt may take
	ConnectionOnly bool            // retry only when the connection failed, not after a timeout or an error status
	Disable        *Disable        // when the endpoint is disabled, or nil for never
	Source         string          // where the numbers come from
}

// hours is a shorthand for the schedules below.
func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// doubling is n delays first, 2·first, 4·first, ...
func doubling(first time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = first << i
	}
	return out
}

// Presets are the named retry policies a scenario can use with
// store.webhooks.retry.preset (REFERENCE: the vendors' documentation).
var Presets = map[string]Preset{
	"svix": {
		Delays:  []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
		Timeout: 15 * time.Second,
		Disable: &Disable{AfterFailing: Duration(5 * 24 * time.Hour), WhileOff: "drop"},
		Source:  "Svix: immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts, the last 27 h 35 min 5 s after the first); 15 s timeout; the endpoint is disabled after 5 days of failures",
	},
	"svix-oss": {
		Delays:  []time.Duration{5 * time.Second, 300 * time.Second, 1800 * time.Second, 7200 * time.Second, 18000 * time.Second, 36000 * time.Second, 36000 * time.Second},
		Jitter:  0.2,
		Floor:   60 * time.Second,
		Timeout: 30 * time.Second,
		Disable: &Disable{AfterFailing: Duration(120 * time.Hour), WhileOff: "drop"},
		Source:  "Svix open source server: gaps of 5, 300, 1800, 7200, 18000, 36000, 36000 s with ±20 % jitter, at least 60 s after a timeout or a 429; 30 s timeout; disabled after 120 h of failures",
	},
	"standard-webhooks": {
		Delays:  []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour},
		Timeout: 15 * time.Second,
		Disable: &Disable{OnExhausted: true, WhileOff: "drop"},
		Source:  "Standard Webhooks: immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (10 attempts over about 75.6 h); the specification's timeout is 15 to 30 s, taken here as 15 s; the endpoint is disabled after the last attempt fails",
	},
	"stripe-like": {
		Delays:  doubling(60*time.Second, 12),
		Timeout: 30 * time.Second,
		Disable: &Disable{AfterFailing: Duration(72 * time.Hour), WhileOff: "drop"},
		Source:  "Stripe-like: exponential retries for up to 3 days. Stripe publishes neither the intervals nor the timeout: taken here as 60 s·2^i (13 attempts over about 68 h), a 30 s timeout, and disabling after 72 h of failures; events created while disabled are not sent",
	},
	"github": {
		Delays:  []time.Duration{},
		Timeout: 10 * time.Second,
		Source:  "GitHub: no automatic retries; 10 s timeout; a failed delivery is lost unless redelivered by hand",
	},
	"shopify": {
		Delays:  doubling(hours(4)/255, 8),
		Timeout: 5 * time.Second,
		Disable: &Disable{OnExhausted: true, WhileOff: "drop"},
		Source:  "Shopify: 8 retries over 4 h, exponential (taken as doubling delays from 4 h/255 ≈ 56.5 s, whose sum is 4 h); 5 s timeout; the subscription is removed after the last retry fails",
	},
	"slack": {
		Delays:  []time.Duration{time.Minute, 5 * time.Minute},
		Timeout: 3 * time.Second,
		Disable: &Disable{FailureRate: &FailureRate{Above: 0.95, Window: Duration(time.Hour), Min: 10}, WhileOff: "drop"},
		Source:  "Slack: immediately, then after 1 min and 5 min; 3 s timeout, after which the retry goes out while the first request may still run (duplicates); disabled when fewer than 5 % of the last hour's deliveries got a 200 (at least 10 deliveries taken here)",
	},
	"convoy": {
		Delays:  slices.Repeat([]time.Duration{100 * time.Second}, 10),
		Timeout: 10 * time.Second,
		Disable: &Disable{FailureRate: &FailureRate{Above: 0.7, Window: Duration(5 * time.Minute), Min: 10}, WhileOff: "hold", Reenable: Duration(time.Minute)},
		Source:  "Convoy: linear, 10 retries 100 s apart; 10 s timeout; a circuit breaker opens at 70 % failures over 5 min (at least 10 requests) and holds deliveries; its reset time is not published, taken here as 1 min",
	},
	"outpost": {
		Delays:  doubling(30*time.Second, 10),
		Timeout: 5 * time.Second,
		Source:  "Outpost: exponential, 30 s·2^n, 10 retries (about 8.5 h); 5 s timeout; disabling after 100 consecutive failures is optional there and off here (add disable: {consecutive: 100})",
	},
	"twilio": {
		Delays:         []time.Duration{0},
		Timeout:        15 * time.Second,
		ConnectionOnly: true,
		Source:         "Twilio: one retry, at once, and only when the connection failed; 15 s timeout in all (5 s to connect); the fallback URL is not modelled",
	},
}

// PresetNames lists the presets in alphabetical order.
func PresetNames() []string { return slices.Sorted(maps.Keys(Presets)) }

// DefaultTimeout is the webhook timeout when neither the scenario nor its
// preset gives one.
const DefaultTimeout = 15 * time.Second

// RetryPlan is a webhook retry policy with its preset expanded: either a
// list of delays or an exponential schedule, the attempt timeout, and when
// the endpoint is disabled.
type RetryPlan struct {
	Delays         []time.Duration // used when Exponential is nil
	Exponential    *Exponential
	Jitter         float64
	Floor          time.Duration // least delay after a timeout or a 429
	Timeout        time.Duration
	ConnectionOnly bool     // retry only after a failed connection
	Disable        *Disable // nil: never
}

// Plan expands w's retry policy, timeout and disable policy: what the
// scenario sets wins over its preset. It assumes w is valid.
func (w Webhooks) Plan() RetryPlan {
	plan := RetryPlan{Jitter: w.Retry.Jitter, Floor: w.Retry.Floor.D(), Timeout: DefaultTimeout}
	switch {
	case w.Retry.Preset != "":
		p := Presets[w.Retry.Preset]
		plan.Delays = p.Delays
		plan.Timeout = p.Timeout
		plan.ConnectionOnly = p.ConnectionOnly
		plan.Disable = p.Disable
		if w.Retry.Jitter == 0 {
			plan.Jitter = p.Jitter
		}
		if w.Retry.Floor == 0 {
			plan.Floor = p.Floor
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
	if w.Disable != nil {
		plan.Disable = w.Disable
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
