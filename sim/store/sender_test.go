package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

func presetSender(name string) *Sender {
	plan := scenario.Webhooks{Retry: scenario.Retry{Preset: name}}.Plan()
	return NewSender(plan, 0, random.New(1, "jitter/"+name))
}

var failures = []Failure{Refused, TimedOut, Throttled, ServerError}

func failureName(f Failure) string {
	return [...]string{"Refused", "TimedOut", "Throttled", "ServerError"}[f]
}

// TestSenderGivesUpAfterTheLastAttempt checks every preset: no retry
// follows the last attempt, whatever the failure.
func TestSenderGivesUpAfterTheLastAttempt(t *testing.T) {
	t.Parallel()
	for _, name := range scenario.PresetNames() {
		snd := presetSender(name)
		for _, f := range failures {
			_, ok := snd.Retry(snd.Attempts(), f, time.Hour)
			assert.False(t, ok, "%s: Retry(%d, %s) after the last attempt = true; want false", name, snd.Attempts(), failureName(f))
		}
	}
}

// TestSenderJitterAndFloor checks svix-oss: each delay is the nominal one
// times U(0.8, 1.2), and at least 60 s after a timeout or a 429 but not
// after a refusal or an error status.
func TestSenderJitterAndFloor(t *testing.T) {
	t.Parallel()
	snd := presetSender("svix-oss")
	plan := scenario.Webhooks{Retry: scenario.Retry{Preset: "svix-oss"}}.Plan()
	failedAt := 10 * time.Hour
	for n := 1; n < snd.Attempts(); n++ {
		nominal := plan.Delay(n)
		for _, f := range failures {
			lo, hi := time.Duration(float64(nominal)*0.8), time.Duration(float64(nominal)*1.2)
			if f == TimedOut || f == Throttled {
				lo, hi = max(lo, time.Minute), max(hi, time.Minute)
			}
			seenLow, seenHigh := false, false
			for range 2000 {
				at, ok := snd.Retry(n, f, failedAt)
				require.True(t, ok, "Retry(%d, %s)", n, failureName(f))
				d := at - failedAt
				require.True(t, d >= lo && d <= hi, "Retry(%d, %s) waits %v; want within [%v, %v]", n, failureName(f), d, lo, hi)
				seenLow = seenLow || d < lo+(hi-lo)/10
				seenHigh = seenHigh || d > hi-(hi-lo)/10
			}
			if hi > lo {
				assert.True(t, seenLow && seenHigh, "Retry(%d, %s): 2000 draws do not reach both ends of [%v, %v]", n, failureName(f), lo, hi)
			}
		}
	}
	// The first gap, 5 s ± 20 %, is raised to the 60 s floor after a
	// timeout or a 429 only.
	for _, tt := range []struct {
		f     Failure
		floor bool
	}{{Refused, false}, {ServerError, false}, {TimedOut, true}, {Throttled, true}} {
		at, _ := snd.Retry(1, tt.f, 0)
		assert.Equal(t, tt.floor, at == time.Minute, "Retry(1, %s) = %v; want the floor: %v", failureName(tt.f), at, tt.floor)
	}
}

// TestSenderFloorWithoutJitter checks a floor on a plain delay list: it
// raises short delays after a timeout or a 429 and leaves long ones alone.
func TestSenderFloorWithoutJitter(t *testing.T) {
	t.Parallel()
	plan := scenario.RetryPlan{Delays: []time.Duration{time.Second, 5 * time.Minute}, Floor: time.Minute, Timeout: time.Second}
	snd := NewSender(plan, 0, random.New(1, "j"))
	tests := []struct {
		n    int
		f    Failure
		want time.Duration
	}{
		{1, Refused, time.Second},
		{1, ServerError, time.Second},
		{1, TimedOut, time.Minute},
		{1, Throttled, time.Minute},
		{2, TimedOut, 5 * time.Minute},
		{2, Refused, 5 * time.Minute},
	}
	for _, tt := range tests {
		at, ok := snd.Retry(tt.n, tt.f, time.Hour)
		require.True(t, ok)
		assert.Equal(t, time.Hour+tt.want, at, "Retry(%d, %s, 1h) = %v; want %v", tt.n, failureName(tt.f), at, time.Hour+tt.want)
	}
}

// TestSenderRetriesOnlyFailedConnectionsForTwilio checks a connection-only
// policy: it retries a refusal at once and nothing else.
func TestSenderRetriesOnlyFailedConnectionsForTwilio(t *testing.T) {
	t.Parallel()
	snd := presetSender("twilio")
	require.Equal(t, 2, snd.Attempts())
	for _, tt := range []struct {
		f  Failure
		ok bool
	}{{Refused, true}, {TimedOut, false}, {Throttled, false}, {ServerError, false}} {
		at, ok := snd.Retry(1, tt.f, 3*time.Second)
		assert.Equal(t, tt.ok, ok, "twilio Retry(1, %s) = %v; want %v", failureName(tt.f), ok, tt.ok)
		if ok {
			assert.Equal(t, 3*time.Second, at, "twilio retries at once")
		}
	}
	_, ok := snd.Retry(2, Refused, 0)
	assert.False(t, ok, "twilio Retry(2, Refused): one retry only")
}

func TestSenderExponentialSchedule(t *testing.T) {
	t.Parallel()
	plan := scenario.Webhooks{Retry: scenario.Retry{Exponential: &scenario.Exponential{
		Initial: scenario.Duration(time.Second), Factor: 3, Cap: scenario.Duration(time.Minute), Attempts: 6}}}.Plan()
	snd := NewSender(plan, 0, random.New(1, "j"))
	at := time.Duration(0)
	var delays []time.Duration
	for n := 1; ; n++ {
		next, ok := snd.Retry(n, ServerError, at)
		if !ok {
			assert.Equal(t, 6, n, "attempts")
			break
		}
		delays = append(delays, next-at)
		at = next
	}
	s := time.Second
	assert.Equal(t, []time.Duration{s, 3 * s, 9 * s, 27 * s, 60 * s}, delays, "delays 1 s ×3 capped at 1 min")
}

// TestSenderConcurrency checks that with a limit of 2 the third attempt
// waits for a slot, and waiting attempts get released slots oldest first.
func TestSenderConcurrency(t *testing.T) {
	t.Parallel()
	snd := NewSender(scenario.RetryPlan{Timeout: time.Second}, 2, random.New(1, "j"))
	assert.True(t, snd.Acquire(1), "Acquire(1)")
	assert.True(t, snd.Acquire(2), "Acquire(2)")
	assert.False(t, snd.Acquire(3), "Acquire(3) with both slots taken")
	assert.False(t, snd.Acquire(4), "Acquire(4)")
	assert.Equal(t, 2, snd.Waiting())

	ticket, ok := snd.Release()
	assert.Equal(t, int32(3), ticket, "Release() hands the slot to the oldest waiting")
	assert.True(t, ok)
	assert.False(t, snd.Acquire(5), "the slot passed on: still full")
	ticket, ok = snd.Release()
	assert.True(t, ok)
	assert.Equal(t, int32(4), ticket)
	ticket, ok = snd.Release()
	assert.True(t, ok)
	assert.Equal(t, int32(5), ticket)
	assert.Zero(t, snd.Waiting())

	// Two in flight (4 and 5): releasing both frees the slots.
	_, ok = snd.Release()
	assert.False(t, ok, "nobody waits")
	_, ok = snd.Release()
	assert.False(t, ok)
	assert.True(t, snd.Acquire(6), "a free slot")
	assert.True(t, snd.Acquire(7), "a second free slot")
	assert.False(t, snd.Acquire(8), "two in flight again")
}

// TestSenderSaturatedKeepsOnlyWhatWaits checks a sender with one slot
// kept busy for 100,000 attempts with three waiting at any time: the
// queue's memory follows what waits, and slots go oldest first.
func TestSenderSaturatedKeepsOnlyWhatWaits(t *testing.T) {
	t.Parallel()
	snd := NewSender(scenario.RetryPlan{Timeout: time.Second}, 1, random.New(1, "j"))
	require.True(t, snd.Acquire(0), "Acquire(0) takes the free slot")
	for ticket := int32(1); ticket <= 3; ticket++ {
		require.False(t, snd.Acquire(ticket), "Acquire(%d) with the slot taken", ticket)
	}
	for want := int32(1); want <= 100_000; want++ {
		require.False(t, snd.Acquire(want+3), "Acquire(%d) with the slot taken", want+3)
		got, ok := snd.Release()
		require.True(t, ok, "Release() #%d with attempts waiting", want)
		require.Equal(t, want, got, "Release() #%d = %d; want %d, the oldest waiting", want, got, want)
	}
	assert.Equal(t, 3, snd.Waiting())
	assert.LessOrEqual(t, cap(snd.waiting), 1024, "cap of the waiting queue after 100,000 tickets, 3 waiting")
}

func TestSenderWithoutALimit(t *testing.T) {
	t.Parallel()
	snd := NewSender(scenario.RetryPlan{Timeout: time.Second}, 0, random.New(1, "j"))
	for i := range int32(1000) {
		require.True(t, snd.Acquire(i), "Acquire(%d) with no limit", i)
	}
	assert.Zero(t, snd.Waiting())
}

// ending is one attempt's end in a disable test, and whether it disables.
type ending struct {
	at       time.Duration
	ok       bool
	disables bool
}

func runEndings(t *testing.T, name string, snd *Sender, endings []ending) {
	t.Helper()
	for i, e := range endings {
		got := snd.Record(e.at, e.ok)
		assert.Equal(t, e.disables, got, "%s: Record(%v, ok %v) (#%d) = %v; want %v", name, e.at, e.ok, i, got, e.disables)
	}
}

func disabling(d scenario.Disable) *Sender {
	if d.WhileOff == "" {
		d.WhileOff = "drop"
	}
	return NewSender(scenario.RetryPlan{Timeout: time.Second, Delays: []time.Duration{time.Second}, Disable: &d}, 0, random.New(1, "j"))
}

func TestSenderDisableTriggers(t *testing.T) {
	t.Parallel()
	m, s := time.Minute, time.Second
	tests := []struct {
		name    string
		disable scenario.Disable
		endings []ending
	}{
		{
			name:    "after_failing: at the first failure a full D after the run began",
			disable: scenario.Disable{AfterFailing: scenario.Duration(time.Hour)},
			endings: []ending{{0, false, false}, {30 * m, false, false}, {60*m - 1, false, false}, {60 * m, false, true}},
		},
		{
			name:    "after_failing: a failure later than D after the start",
			disable: scenario.Disable{AfterFailing: scenario.Duration(time.Hour)},
			endings: []ending{{10 * m, false, false}, {3 * time.Hour, false, true}},
		},
		{
			name:    "after_failing: a success resets the run",
			disable: scenario.Disable{AfterFailing: scenario.Duration(time.Hour)},
			endings: []ending{{0, false, false}, {50 * m, true, false}, {60 * m, false, false}, {119 * m, false, false}, {120 * m, false, true}},
		},
		{
			name:    "after_failing: successes alone never disable",
			disable: scenario.Disable{AfterFailing: scenario.Duration(time.Hour)},
			endings: []ending{{0, false, false}, {2 * time.Hour, true, false}, {3 * time.Hour, true, false}},
		},
		{
			name:    "consecutive 3",
			disable: scenario.Disable{Consecutive: 3},
			endings: []ending{{0, false, false}, {s, false, false}, {2 * s, true, false}, {3 * s, false, false}, {4 * s, false, false}, {5 * s, false, true}},
		},
		{
			name:    "failure_rate: never below min attempts",
			disable: scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.5, Window: scenario.Duration(m), Min: 4}},
			endings: []ending{{0, false, false}, {s, false, false}, {2 * s, false, false}},
		},
		{
			name:    "failure_rate: above the share once min attempts are in",
			disable: scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.5, Window: scenario.Duration(m), Min: 4}},
			endings: []ending{{0, false, false}, {s, false, false}, {2 * s, false, false}, {3 * s, false, true}},
		},
		{
			name:    "failure_rate: exactly the share is not above it",
			disable: scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.5, Window: scenario.Duration(m), Min: 4}},
			endings: []ending{{0, true, false}, {s, true, false}, {2 * s, false, false}, {3 * s, false, false}, {4 * s, false, true}},
		},
		{
			// Three failures at 0–2 s leave the window by 100 s: 1 failure
			// in 4 then, not 4 in 7.
			name:    "failure_rate: old outcomes leave the window",
			disable: scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.5, Window: scenario.Duration(m), Min: 4}},
			endings: []ending{{0, false, false}, {s, false, false}, {2 * s, false, false}, {100 * s, true, false}, {101 * s, true, false}, {102 * s, true, false}, {103 * s, false, false}},
		},
		{
			// At 1 min the failure at 0 is a full window old: out.
			name:    "failure_rate: the window's edge is out",
			disable: scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.4, Window: scenario.Duration(m), Min: 2}},
			endings: []ending{{0, false, false}, {m, true, false}, {m + s, false, true}},
		},
		{
			name:    "on_exhausted alone: failures never disable",
			disable: scenario.Disable{OnExhausted: true},
			endings: []ending{{0, false, false}, {s, false, false}, {time.Hour, false, false}},
		},
	}
	for _, tt := range tests {
		runEndings(t, tt.name, disabling(tt.disable), tt.endings)
	}
}

func TestSenderDisablesWhenAnEventIsExhausted(t *testing.T) {
	t.Parallel()
	snd := disabling(scenario.Disable{OnExhausted: true})
	assert.True(t, snd.Enabled(0))
	assert.True(t, snd.Exhausted(time.Minute), "Exhausted with on_exhausted")
	assert.False(t, snd.Enabled(time.Minute), "Enabled after Exhausted")
	assert.False(t, snd.Exhausted(2*time.Minute), "Exhausted when already disabled")

	snd = disabling(scenario.Disable{Consecutive: 5})
	assert.False(t, snd.Exhausted(time.Minute), "Exhausted without on_exhausted")
	assert.True(t, snd.Enabled(time.Minute))

	snd = presetSender("github") // no disable policy
	assert.False(t, snd.Exhausted(time.Minute), "Exhausted with no disable policy")
	for i := range 1000 {
		assert.False(t, snd.Record(time.Duration(i)*time.Second, false), "Record with no disable policy")
	}
	assert.True(t, snd.Enabled(time.Hour))
}

// TestSenderReenables checks a circuit breaker: disabled until reenable has
// passed, then enabled with its failure counts reset.
func TestSenderReenables(t *testing.T) {
	t.Parallel()
	m := time.Minute
	snd := disabling(scenario.Disable{Consecutive: 2, Reenable: scenario.Duration(5 * m), WhileOff: "hold"})
	assert.True(t, snd.HoldsWhileOff())
	_, ok := snd.EnabledAgainAt()
	assert.False(t, ok, "EnabledAgainAt while enabled")

	runEndings(t, "breaker", snd, []ending{{0, false, false}, {m, false, true}})
	at, ok := snd.EnabledAgainAt()
	assert.True(t, ok)
	assert.Equal(t, 6*m, at, "EnabledAgainAt() = %v; want disabled at 1m + 5m", at)
	assert.False(t, snd.Record(2*m, false), "Record while disabled does not disable again")
	assert.False(t, snd.Enabled(2*m), "Enabled(2m)")
	assert.False(t, snd.Enabled(6*m-1), "Enabled just before reenable")
	assert.True(t, snd.Enabled(6*m), "Enabled at reenable")
	_, ok = snd.EnabledAgainAt()
	assert.False(t, ok, "EnabledAgainAt once enabled again")

	// The counts were reset: one failure is not two in a row.
	runEndings(t, "after reenable", snd, []ending{{7 * m, false, false}, {8 * m, true, false}, {9 * m, false, false}, {10 * m, false, true}})
	at, _ = snd.EnabledAgainAt()
	assert.Equal(t, 15*m, at)
}

func TestSenderReenableResetsTheFailureRateWindow(t *testing.T) {
	t.Parallel()
	s := time.Second
	snd := disabling(scenario.Disable{FailureRate: &scenario.FailureRate{Above: 0.5, Window: scenario.Duration(time.Hour), Min: 2}, Reenable: scenario.Duration(10 * s), WhileOff: "hold"})
	runEndings(t, "before", snd, []ending{{0, false, false}, {s, false, true}})
	require.True(t, snd.Enabled(11*s))
	// Without the reset the two failures above would still be in the hour.
	runEndings(t, "after", snd, []ending{{12 * s, true, false}, {13 * s, true, false}, {14 * s, false, false}})
}

func TestSenderStaysDisabledWithoutReenable(t *testing.T) {
	t.Parallel()
	snd := disabling(scenario.Disable{Consecutive: 1})
	assert.False(t, snd.HoldsWhileOff(), "while_off: drop")
	assert.True(t, snd.Record(0, false))
	_, ok := snd.EnabledAgainAt()
	assert.False(t, ok, "EnabledAgainAt without reenable")
	assert.False(t, snd.Enabled(100*24*time.Hour), "Enabled long after, without reenable")
	assert.False(t, presetSender("github").HoldsWhileOff(), "no disable policy holds nothing")
}

// TestSenderReenableStartsANewRunOfFailures checks after_failing across a
// reenable: the run of failures that disabled the endpoint is forgotten.
func TestSenderReenableStartsANewRunOfFailures(t *testing.T) {
	t.Parallel()
	m := time.Minute
	snd := disabling(scenario.Disable{AfterFailing: scenario.Duration(time.Hour), Reenable: scenario.Duration(5 * m), WhileOff: "hold"})
	runEndings(t, "before", snd, []ending{{0, false, false}, {60 * m, false, true}})
	require.True(t, snd.Enabled(65*m))
	runEndings(t, "after", snd, []ending{{66 * m, false, false}, {125*m + 59*time.Second, false, false}, {126 * m, false, true}})
}
