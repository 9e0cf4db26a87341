package scenario

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSvixPreset checks the svix preset against its published schedule:
// attempts at 0, 5 s, 5m5s, 35m5s, 2h35m5s, 7h35m5s, 17h35m5s and 27h35m5s
// after the event, each with a 15 s timeout.
func TestSvixPreset(t *testing.T) {
	t.Parallel()
	plan := Webhooks{Retry: Retry{Preset: "svix"}}.Plan()
	h, m, s := time.Hour, time.Minute, time.Second
	want := []time.Duration{
		0,
		5 * s,
		5*m + 5*s,
		35*m + 5*s,
		2*h + 35*m + 5*s,
		7*h + 35*m + 5*s,
		17*h + 35*m + 5*s,
		27*h + 35*m + 5*s,
	}
	assert.Equal(t, want, plan.Offsets(), "svix Offsets() = %v; want %v", plan.Offsets(), want)
	assert.Equal(t, 8, plan.Attempts(), "svix Attempts() = %d; want 8", plan.Attempts())
	assert.Equal(t, 15*time.Second, plan.Timeout, "svix Timeout = %v; want 15s", plan.Timeout)
	assert.Nil(t, plan.Exponential, "svix Exponential = %v; want nil", plan.Exponential)
	assert.Zero(t, plan.Jitter, "svix Jitter = %v; want 0", plan.Jitter)
}

// TestPresetsAreUsable checks every preset against the limits Validate sets
// on a policy written in a file.
func TestPresetsAreUsable(t *testing.T) {
	t.Parallel()
	names := PresetNames()
	require.NotEmpty(t, names)
	assert.True(t, slices.IsSorted(names), "PresetNames() = %q; want them sorted", names)
	assert.Contains(t, names, "svix", "PresetNames() = %q; want svix among them", names)
	for _, name := range names {
		p := Presets[name]
		plan := Webhooks{Retry: Retry{Preset: name}}.Plan()
		assert.Positive(t, p.Timeout, "preset %s: Timeout = %v; want positive", name, p.Timeout)
		assert.NotEmpty(t, p.Source, "preset %s: Source is empty", name)
		assert.True(t, p.Jitter >= 0 && p.Jitter < 1, "preset %s: Jitter = %v; want in [0, 1)", name, p.Jitter)
		assert.LessOrEqual(t, plan.Attempts(), MaxAttempts, "preset %s: Attempts() = %d; want at most %d", name, plan.Attempts(), MaxAttempts)
		offsets := plan.Offsets()
		assert.True(t, slices.IsSorted(offsets), "preset %s: Offsets() = %v; want them non-decreasing", name, offsets)
		assert.LessOrEqual(t, offsets[len(offsets)-1], MaxDuration, "preset %s: last attempt at %v", name, offsets[len(offsets)-1])
	}
}

func TestExponentialPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		initial  time.Duration
		factor   float64
		cap      time.Duration
		attempts int
	}{
		{time.Second, 2, 0, 8},
		{time.Second, 2, 10 * time.Second, 8},
		{time.Second, 1.5, time.Minute, 12},
		{30 * time.Second, 2, 0, 11},
		{100 * time.Second, 1, 0, 11},
		{time.Minute, 10, time.Minute, 5},
		{time.Second, 3, 7 * time.Second, 2},
		{time.Second, 2, 0, 1},
	}
	for _, tt := range tests {
		e := &Exponential{Initial: Duration(tt.initial), Factor: tt.factor, Cap: Duration(tt.cap), Attempts: tt.attempts}
		plan := Webhooks{Retry: Retry{Exponential: e}}.Plan()
		assert.Equal(t, tt.attempts, plan.Attempts(), "%+v: Attempts() = %d; want %d", *e, plan.Attempts(), tt.attempts)
		assert.Equal(t, DefaultTimeout, plan.Timeout, "%+v: Timeout = %v; want %v", *e, plan.Timeout, DefaultTimeout)

		want := []time.Duration{0}
		for i := 1; i < tt.attempts; i++ {
			d := time.Duration(float64(tt.initial) * math.Pow(tt.factor, float64(i-1)))
			if tt.cap > 0 {
				d = min(d, tt.cap)
			}
			assert.Equal(t, d, plan.Delay(i), "%+v: Delay(%d) = %v; want %v", *e, i, plan.Delay(i), d)
			want = append(want, want[i-1]+d)
		}
		assert.Equal(t, want, plan.Offsets(), "%+v: Offsets() = %v; want %v", *e, plan.Offsets(), want)
	}
}

// TestPlanSaturates checks that delays too long for a time.Duration stay at
// the largest one instead of wrapping round to negative.
func TestPlanSaturates(t *testing.T) {
	t.Parallel()
	huge := RetryPlan{Exponential: &Exponential{Initial: Duration(time.Second), Factor: 1e300, Attempts: 4}}
	for i := 1; i < 4; i++ {
		assert.Positive(t, huge.Delay(i), "factor 1e300: Delay(%d) = %v; want positive", i, huge.Delay(i))
	}
	offsets := huge.Offsets()
	assert.True(t, slices.IsSorted(offsets), "factor 1e300: Offsets() = %v; want non-decreasing", offsets)
	assert.Equal(t, time.Duration(math.MaxInt64), offsets[3], "factor 1e300: last offset = %v; want the largest duration", offsets[3])

	long := RetryPlan{Delays: []time.Duration{math.MaxInt64 - 1, time.Hour}}
	got := long.Offsets()
	want := []time.Duration{0, math.MaxInt64 - 1, math.MaxInt64}
	assert.Equal(t, want, got, "delays near the largest duration: Offsets() = %v; want %v", got, want)
}

func TestDelaysPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		delays  []Duration
		offsets []time.Duration
	}{
		{[]Duration{}, []time.Duration{0}},
		{[]Duration{Duration(time.Second)}, []time.Duration{0, time.Second}},
		{[]Duration{Duration(time.Second), Duration(time.Minute), 0}, []time.Duration{0, time.Second, time.Minute + time.Second, time.Minute + time.Second}},
	}
	for _, tt := range tests {
		plan := Webhooks{Retry: Retry{Delays: tt.delays}}.Plan()
		assert.Equal(t, len(tt.delays)+1, plan.Attempts(), "delays %v: Attempts() = %d; want %d", tt.delays, plan.Attempts(), len(tt.delays)+1)
		assert.Equal(t, tt.offsets, plan.Offsets(), "delays %v: Offsets() = %v; want %v", tt.delays, plan.Offsets(), tt.offsets)
		assert.Equal(t, DefaultTimeout, plan.Timeout, "delays %v: Timeout = %v; want %v", tt.delays, plan.Timeout, DefaultTimeout)
	}
}

// TestPlanTimeoutAndJitter checks that the timeout and jitter given in the
// file win over the preset's.
func TestPlanTimeoutAndJitter(t *testing.T) {
	t.Parallel()
	const head = `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
`
	const tail = `clients:
  - {name: hook, webhook: {}}
`
	tests := []struct {
		webhooks string
		timeout  time.Duration
		jitter   float64
		attempts int
	}{
		{"", 15 * time.Second, 0, 8},
		{"  webhooks: {timeout: 10s}\n", 10 * time.Second, 0, 8},
		{"  webhooks: {timeout: 10s, retry: {preset: svix, jitter: 0.2}}\n", 10 * time.Second, 0.2, 8},
		{"  webhooks: {retry: {delays: [1s, 1m]}}\n", DefaultTimeout, 0, 3},
		{"  webhooks: {timeout: 3s, retry: {exponential: {initial: 1s, attempts: 4}}}\n", 3 * time.Second, 0, 4},
	}
	for _, tt := range tests {
		s, err := Parse("plan.yaml", []byte(head+tt.webhooks+tail))
		if !assert.NoError(t, err, "Parse with %q", tt.webhooks) {
			continue
		}
		plan := s.Store.Webhooks.Plan()
		assert.Equal(t, tt.timeout, plan.Timeout, "%q: Plan().Timeout = %v; want %v", tt.webhooks, plan.Timeout, tt.timeout)
		assert.Equal(t, tt.jitter, plan.Jitter, "%q: Plan().Jitter = %v; want %v", tt.webhooks, plan.Jitter, tt.jitter)
		assert.Equal(t, tt.attempts, plan.Attempts(), "%q: Plan().Attempts() = %d; want %d", tt.webhooks, plan.Attempts(), tt.attempts)
	}
}

func TestStrategy(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks: {timeout: 10s, retry: {delays: [1s, 1m]}}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: jittered, poll: {interval: 1m, jitter: 15s, paging: false}, outages: [{at: 1m, for: 1m}]}
  - {name: hook, webhook: {}, outages: [{at: 1m, for: 1m}, {at: 10m, for: 1m}]}
`
	s, err := Parse("strategy.yaml", []byte(src))
	require.NoError(t, err)
	want := []string{
		"poll every 10s",
		"poll every 1m ±15s, one page per poll, 1 outage",
		"webhook, custom retries (3 attempts, 10s timeout), 2 outages",
	}
	for i, w := range want {
		assert.Equal(t, w, s.Strategy(i), "Strategy(%d) = %q; want %q", i, s.Strategy(i), w)
	}
}

// TestPresetsMatchReference checks every preset's attempt offsets (each
// failure known at once), timeout and retry rules against the vendors'
// published policies, as REFERENCE.md §1 records them. Numbers a vendor
// does not publish are the preset's own choice, as its Source says.
func TestPresetsMatchReference(t *testing.T) {
	t.Parallel()
	h, m, s := time.Hour, time.Minute, time.Second
	// offsets is the running sum of gaps, from 0.
	offsets := func(gaps ...time.Duration) []time.Duration {
		out := []time.Duration{0}
		for _, g := range gaps {
			out = append(out, out[len(out)-1]+g)
		}
		return out
	}
	tests := []struct {
		preset         string
		offsets        []time.Duration // nil: checked by last instead
		attempts       int
		last           time.Duration // offset of the last attempt
		lastTolerance  time.Duration
		timeout        time.Duration
		jitter         float64
		floor          time.Duration
		connectionOnly bool
		disable        *Disable
	}{
		{
			// Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; 15 s; disabled after 5 days failing.
			preset:   "svix",
			offsets:  []time.Duration{0, 5 * s, 5*m + 5*s, 35*m + 5*s, 2*h + 35*m + 5*s, 7*h + 35*m + 5*s, 17*h + 35*m + 5*s, 27*h + 35*m + 5*s},
			attempts: 8, last: 27*h + 35*m + 5*s, timeout: 15 * s,
			disable: &Disable{AfterFailing: Duration(120 * h), WhileOff: "drop"},
		},
		{
			// Gaps 5, 300, 1800, 7200, 18000, 36000, 36000 s; ±20 % jitter; 60 s floor; 30 s; disabled after 120 h.
			preset:   "svix-oss",
			offsets:  offsets(5*s, 300*s, 1800*s, 7200*s, 18000*s, 36000*s, 36000*s),
			attempts: 8, last: 99305 * s, timeout: 30 * s, jitter: 0.2, floor: 60 * s,
			disable: &Disable{AfterFailing: Duration(120 * h), WhileOff: "drop"},
		},
		{
			// Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (≈75.6 h); 15–30 s; disable after the last.
			preset:   "standard-webhooks",
			offsets:  offsets(5*s, 5*m, 30*m, 2*h, 5*h, 10*h, 14*h, 20*h, 24*h),
			attempts: 10, last: 75*h + 35*m + 5*s, timeout: 15 * s,
			disable: &Disable{OnExhausted: true, WhileOff: "drop"},
		},
		{
			// Up to 3 days; intervals unpublished: 60 s·2^i, 13 attempts ≈ 68 h; timeout unpublished (30 s here).
			preset:   "stripe-like",
			offsets:  offsets(doubling(60*s, 12)...),
			attempts: 13, last: 245700 * s, timeout: 30 * s,
			disable: &Disable{AfterFailing: Duration(72 * h), WhileOff: "drop"},
		},
		{
			// No automatic retries; 10 s.
			preset:   "github",
			offsets:  []time.Duration{0},
			attempts: 1, last: 0, timeout: 10 * s,
		},
		{
			// 8 retries over 4 h, exponential; 5 s; subscription removed.
			preset:   "shopify",
			attempts: 9, last: 4 * h, lastTolerance: time.Microsecond, timeout: 5 * s,
			disable: &Disable{OnExhausted: true, WhileOff: "drop"},
		},
		{
			// Immediately, +1 min, +5 min; 3 s; disabled under 5 % success over the last hour.
			preset:   "slack",
			offsets:  []time.Duration{0, m, 6 * m},
			attempts: 3, last: 6 * m, timeout: 3 * s,
			disable: &Disable{FailureRate: &FailureRate{Above: 0.95, Window: Duration(h), Min: 10}, WhileOff: "drop"},
		},
		{
			// Linear, 100 s × 10 retries; 10 s; breaker at 70 % failures over 5 min, min 10 requests.
			preset:   "convoy",
			offsets:  offsets(slices.Repeat([]time.Duration{100 * s}, 10)...),
			attempts: 11, last: 1000 * s, timeout: 10 * s,
			disable: &Disable{FailureRate: &FailureRate{Above: 0.7, Window: Duration(5 * m), Min: 10}, WhileOff: "hold", Reenable: Duration(m)},
		},
		{
			// Exponential 30 s·2^n, 10 retries (≈8.5 h); 5 s; disabling optional (off).
			preset:   "outpost",
			offsets:  offsets(30*s, 60*s, 120*s, 240*s, 480*s, 960*s, 1920*s, 3840*s, 7680*s, 15360*s),
			attempts: 11, last: 30690 * s, timeout: 5 * s,
		},
		{
			// One retry, on connection failure only; 15 s in all.
			preset:   "twilio",
			offsets:  []time.Duration{0, 0},
			attempts: 2, last: 0, timeout: 15 * s, connectionOnly: true,
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.preset] = true
		require.Contains(t, Presets, tt.preset)
		plan := Webhooks{Retry: Retry{Preset: tt.preset}}.Plan()
		got := plan.Offsets()
		if tt.offsets != nil {
			assert.Equal(t, tt.offsets, got, "%s: Offsets() = %v; want %v", tt.preset, got, tt.offsets)
		}
		assert.Equal(t, tt.attempts, plan.Attempts(), "%s: Attempts() = %d; want %d", tt.preset, plan.Attempts(), tt.attempts)
		require.Len(t, got, tt.attempts, "%s: Offsets()", tt.preset)
		assert.InDelta(t, float64(tt.last), float64(got[len(got)-1]), float64(tt.lastTolerance), "%s: last attempt at %v; want %v", tt.preset, got[len(got)-1], tt.last)
		assert.Equal(t, tt.timeout, plan.Timeout, "%s: Timeout = %v; want %v", tt.preset, plan.Timeout, tt.timeout)
		assert.Equal(t, tt.jitter, plan.Jitter, "%s: Jitter = %v; want %v", tt.preset, plan.Jitter, tt.jitter)
		assert.Equal(t, tt.floor, plan.Floor, "%s: Floor = %v; want %v", tt.preset, plan.Floor, tt.floor)
		assert.Equal(t, tt.connectionOnly, plan.ConnectionOnly, "%s: ConnectionOnly = %v; want %v", tt.preset, plan.ConnectionOnly, tt.connectionOnly)
		assert.Equal(t, tt.disable, plan.Disable, "%s: Disable = %+v; want %+v", tt.preset, plan.Disable, tt.disable)
	}
	assert.Len(t, covered, len(Presets), "presets without a reference row: have %v, want every one of %v", covered, PresetNames())
}

// TestShopifyDelaysDoubleOverFourHours checks the shape REFERENCE.md §1
// gives shopify: 8 retries, exponential, over 4 h.
func TestShopifyDelaysDoubleOverFourHours(t *testing.T) {
	t.Parallel()
	plan := Webhooks{Retry: Retry{Preset: "shopify"}}.Plan()
	require.Len(t, plan.Delays, 8)
	for i := 1; i < len(plan.Delays); i++ {
		assert.Equal(t, 2*plan.Delays[i-1], plan.Delays[i], "shopify Delay(%d) = %v; want twice %v", i+1, plan.Delays[i], plan.Delays[i-1])
	}
	var sum time.Duration
	for _, d := range plan.Delays {
		sum += d
	}
	assert.InDelta(t, float64(4*time.Hour), float64(sum), float64(time.Microsecond), "shopify delays sum to %v; want 4h", sum)
}

// TestPlanKeepsWhatTheFileSets checks that a scenario's disable, floor and
// jitter win over its preset's, and that 0 keeps the preset's own.
func TestPlanKeepsWhatTheFileSets(t *testing.T) {
	t.Parallel()
	own := &Disable{Consecutive: 3, WhileOff: "drop"}
	tests := []struct {
		name    string
		w       Webhooks
		jitter  float64
		floor   time.Duration
		disable *Disable
	}{
		{"preset's own", Webhooks{Retry: Retry{Preset: "svix-oss"}}, 0.2, time.Minute, Presets["svix-oss"].Disable},
		{"file's jitter", Webhooks{Retry: Retry{Preset: "svix-oss", Jitter: 0.5}}, 0.5, time.Minute, Presets["svix-oss"].Disable},
		{"file's floor", Webhooks{Retry: Retry{Preset: "svix-oss", Floor: Duration(time.Second)}}, 0.2, time.Second, Presets["svix-oss"].Disable},
		{"file's disable", Webhooks{Retry: Retry{Preset: "svix-oss"}, Disable: own}, 0.2, time.Minute, own},
		{"delays have no disable", Webhooks{Retry: Retry{Delays: []Duration{Duration(time.Second)}}}, 0, 0, nil},
		{"delays with a file's disable", Webhooks{Retry: Retry{Delays: []Duration{Duration(time.Second)}}, Disable: own}, 0, 0, own},
	}
	for _, tt := range tests {
		plan := tt.w.Plan()
		assert.Equal(t, tt.jitter, plan.Jitter, "%s: Plan().Jitter = %v; want %v", tt.name, plan.Jitter, tt.jitter)
		assert.Equal(t, tt.floor, plan.Floor, "%s: Plan().Floor = %v; want %v", tt.name, plan.Floor, tt.floor)
		assert.Equal(t, tt.disable, plan.Disable, "%s: Plan().Disable = %+v; want %+v", tt.name, plan.Disable, tt.disable)
	}
}
