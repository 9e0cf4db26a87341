package live

import (
	"context"
	"math"
	"time"
)

// Clock maps wall-clock time to scenario time. Scenario instants are
// durations since the start of the run, as everywhere in sim/; a live run
// goes speedup times faster than the wall clock. Under testing/synctest the
// wall clock is the bubble's fake clock, so the same Clock runs in virtual
// time.
type Clock interface {
	// Now is the current scenario instant.
	Now() time.Duration
	// Instant is the scenario instant of wall-clock time w.
	Instant(w time.Time) time.Duration
	// Wall is the wall-clock time of scenario instant t.
	Wall(t time.Duration) time.Time
	// Scale is the wall-clock length of scenario duration d.
	Scale(d time.Duration) time.Duration
	// Speedup is how many scenario seconds pass per wall-clock second.
	Speedup() float64
}

// scaledClock is the wall clock, speedup times faster, from start.
type scaledClock struct {
	start   time.Time
	speedup float64
}

var _ Clock = scaledClock{}

// NewClock returns a clock whose scenario time starts at start and runs
// speedup times faster than the wall clock; a speedup of 0 means 1.
func NewClock(start time.Time, speedup float64) Clock {
	if speedup <= 0 {
		speedup = 1
	}
	return scaledClock{start: start, speedup: speedup}
}

func (c scaledClock) Now() time.Duration { return c.Instant(time.Now()) }

func (c scaledClock) Instant(w time.Time) time.Duration {
	return time.Duration(float64(w.Sub(c.start)) * c.speedup)
}

// Wall rounds up, so that a goroutine woken at Wall(t) finds Now() ≥ t.
func (c scaledClock) Wall(t time.Duration) time.Time {
	return c.start.Add(c.Scale(t))
}

func (c scaledClock) Scale(d time.Duration) time.Duration {
	if c.speedup == 1 {
		return d
	}
	w := math.Ceil(float64(d) / c.speedup)
	if w >= float64(1<<62) {
		return 1 << 62
	}
	return time.Duration(w)
}

func (c scaledClock) Speedup() float64 { return c.speedup }

// sleepUntil waits until scenario instant t, and reports false if ctx was
// done first.
func sleepUntil(ctx context.Context, c Clock, t time.Duration) bool {
	d := time.Until(c.Wall(t))
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
