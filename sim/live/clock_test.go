package live

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// Scenario time runs speedup times faster than the wall clock, and a wait
// until a scenario instant never ends before it.
func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range []float64{0, 1, 3, 60, 1000, 36000} {
		c := NewClock(start, k)
		for _, d := range []time.Duration{0, 1, 7 * time.Nanosecond, time.Millisecond, 10 * time.Second, 168 * time.Hour} {
			assert.GreaterOrEqual(t, c.Instant(c.Wall(d)), d, "k=%v: Instant(Wall(%v))", k, d)
			assert.Less(t, c.Instant(c.Wall(d))-d, time.Duration(max(k, 1))+1, "k=%v: Wall(%v) rounds up by less than a nanosecond of wall time", k, d)
		}
	}
	assert.Equal(t, 1.0, NewClock(start, 0).Speedup(), "0 means 1")
	assert.Equal(t, time.Duration(1<<62), NewClock(start, 1e-9).Scale(1<<62), "no overflow")
}

func TestSleepUntil(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := NewClock(time.Now(), 100)
		assert.True(t, sleepUntil(context.Background(), c, 10*time.Second))
		assert.Equal(t, 10*time.Second, c.Now(), "100 times faster: 10 s of scenario time in 100 ms")
		assert.True(t, sleepUntil(context.Background(), c, time.Second), "an instant that passed: at once")
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		assert.False(t, sleepUntil(ctx, c, time.Hour), "a cancelled wait")
		assert.Equal(t, 15*time.Second, c.Now())
		assert.False(t, sleepUntil(ctx, c, 0), "a done context, even for a passed instant")
	})
}
