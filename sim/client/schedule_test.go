package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// cycle is one closed-loop cycle: sent, answered at now, with or without
// events, and when the schedule says the next poll leaves.
type cycle struct {
	sent, now time.Duration
	hit       bool
	next      time.Duration
}

func runCycles(t *testing.T, name string, s schedule, cycles []cycle) {
	t.Helper()
	rng := random.New(1, "schedule")
	for i, c := range cycles {
		got := s.next(c.sent, c.now, c.hit, rng)
		assert.Equal(t, c.next, got, "%s: cycle %d next(sent %v, now %v, hit %v) = %v; want %v", name, i, c.sent, c.now, c.hit, got, c.next)
	}
}

func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	s := time.Second
	b := newSchedule(scenario.Poll{Adaptive: &scenario.Adaptive{Min: scenario.Duration(s), Max: scenario.Duration(8 * s), Factor: 2}})
	assert.False(t, b.open(), "backoff is a closed loop")
	assert.Equal(t, s, b.first(), "first() is min")
	runCycles(t, "backoff", b, []cycle{
		{0, s / 10, false, 2 * s},            // interval doubles: 2 s after the poll left
		{2 * s, 2*s + s/10, false, 6 * s},    // 4 s
		{6 * s, 6*s + s/10, false, 14 * s},   // 8 s, the max
		{14 * s, 14*s + s/10, false, 22 * s}, // stays at the max
		{22 * s, 22*s + s/10, true, 23 * s},  // a hit: back to min
		{23 * s, 23*s + s/10, false, 25 * s}, // and doubles again from there
		{25 * s, 30 * s, false, 30 * s},      // a response later than the interval: at once
		{30 * s, 31 * s, true, 31 * s},       // min (1 s) has passed when the response comes
	})
}

func TestBackoffScheduleWithAFactorOf3(t *testing.T) {
	t.Parallel()
	s := time.Second
	b := newSchedule(scenario.Poll{Adaptive: &scenario.Adaptive{Min: scenario.Duration(s), Max: scenario.Duration(20 * s), Factor: 3}})
	runCycles(t, "backoff ×3", b, []cycle{
		{0, 0, false, 3 * s},
		{3 * s, 3 * s, false, 12 * s},
		{12 * s, 12 * s, false, 32 * s}, // 27 s capped at 20 s
		{32 * s, 32 * s, true, 33 * s},
	})
}

func TestAIMDSchedule(t *testing.T) {
	t.Parallel()
	s := time.Second
	a := newSchedule(scenario.Poll{AIMD: &scenario.AIMD{Min: scenario.Duration(s), Max: scenario.Duration(10 * s), Step: scenario.Duration(3 * s), Factor: 0.5}})
	assert.False(t, a.open(), "AIMD is a closed loop")
	assert.Equal(t, s, a.first(), "first() is min")
	runCycles(t, "aimd", a, []cycle{
		{0, 0, false, 4 * s},          // 1 + 3
		{4 * s, 4 * s, false, 11 * s}, // 7
		{11 * s, 11 * s, false, 21 * s},
		{21 * s, 21 * s, false, 31 * s},                     // capped at 10
		{31 * s, 31 * s, true, 36 * s},                      // ×0.5: 5
		{36 * s, 36 * s, true, 38*s + 500*time.Millisecond}, // 2.5
		{40 * s, 40 * s, true, 41*s + 250*time.Millisecond}, // 1.25
		{50 * s, 50 * s, true, 51 * s},                      // 0.625, raised to min
		{60 * s, 60 * s, false, 64 * s},                     // + 3 from min
		{70 * s, 80 * s, false, 80 * s},                     // the response came after the interval
	})
}

func TestFixedDelaySchedule(t *testing.T) {
	t.Parallel()
	s := time.Second
	d := newSchedule(scenario.Poll{Interval: scenario.Duration(10 * s), Loop: "delay"})
	assert.False(t, d.open(), "a fixed-delay loop is closed")
	assert.Equal(t, 10*s, d.first())
	runCycles(t, "delay", d, []cycle{
		{0, 300 * time.Millisecond, false, 10*s + 300*time.Millisecond},
		{10 * s, 15 * s, true, 25 * s},
	})
}

func TestFixedDelayScheduleWithJitter(t *testing.T) {
	t.Parallel()
	s := time.Second
	d := newSchedule(scenario.Poll{Interval: scenario.Duration(10 * s), Jitter: scenario.Duration(2 * s), Loop: "delay"})
	rng := random.New(1, "jitter")
	low, high := false, false
	for range 1000 {
		gap := d.next(0, s, false, rng) - s
		assert.True(t, gap >= 8*s && gap <= 12*s, "delay with jitter = %v; want within [8s, 12s]", gap)
		low, high = low || gap < 8500*time.Millisecond, high || gap > 11500*time.Millisecond
	}
	assert.True(t, low && high, "1000 delays do not reach both ends of [8s, 12s]")
}

func TestLongPollSchedule(t *testing.T) {
	t.Parallel()
	s := time.Second
	l := newSchedule(scenario.Poll{Long: &scenario.LongPoll{Hold: scenario.Duration(30 * s)}})
	assert.False(t, l.open())
	assert.Equal(t, 30*s, l.first())
	runCycles(t, "long", l, []cycle{
		{0, 30 * s, false, 30 * s},
		{30 * s, 31 * s, true, 31 * s},
	})
}

func TestTickerSchedule(t *testing.T) {
	t.Parallel()
	s := time.Second
	tk := newSchedule(scenario.Poll{Interval: scenario.Duration(10 * s), Loop: "rate"})
	assert.True(t, tk.open(), "a ticker is open")
	assert.Equal(t, 10*s, tk.first())
	rng := random.New(1, "t")
	assert.Equal(t, 13*s, tk.tick(3*s, rng), "tick(3s)")
	assert.Equal(t, 13*s, newSchedule(scenario.Poll{Interval: scenario.Duration(10 * s)}).tick(3*s, rng), "the default loop is a ticker")
}
