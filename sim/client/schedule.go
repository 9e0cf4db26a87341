package client

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// schedule decides when a poller's next poll leaves.
type schedule interface {
	// first is the longest the first poll may wait: the phase is drawn
	// uniformly below it.
	first() time.Duration
	// open reports whether polls leave on a fixed-rate ticker, whatever
	// the responses (an open model).
	open() bool
	// tick returns the tick after tick (open schedules).
	tick(tick time.Duration, rng *random.Source) time.Duration
	// next returns when the poll after a cycle that started at sent and
	// ended at now leaves, given whether the cycle brought events (closed
	// schedules).
	next(sent, now time.Duration, hit bool, rng *random.Source) time.Duration
}

var (
	_ schedule = (*ticker)(nil)
	_ schedule = (*delayLoop)(nil)
	_ schedule = (*backoff)(nil)
	_ schedule = (*aimd)(nil)
	_ schedule = (*longLoop)(nil)
)

// newSchedule returns the schedule p describes.
func newSchedule(p scenario.Poll) schedule {
	switch {
	case p.Adaptive != nil:
		a := p.Adaptive
		return &backoff{min: a.Min.D(), max: a.Max.D(), factor: a.Factor, cur: a.Min.D()}
	case p.AIMD != nil:
		a := p.AIMD
		return &aimd{min: a.Min.D(), max: a.Max.D(), step: a.Step.D(), factor: a.Factor, cur: a.Min.D()}
	case p.Long != nil:
		return &longLoop{hold: p.Long.Hold.D()}
	case p.Loop == "delay":
		return &delayLoop{interval: p.Interval.D(), jitter: p.Jitter.D()}
	default:
		return &ticker{interval: p.Interval.D(), jitter: p.Jitter.D()}
	}
}

// jittered is interval plus a uniform draw in [−jitter, +jitter].
func jittered(interval, jitter time.Duration, rng *random.Source) time.Duration {
	if jitter > 0 {
		return interval + time.Duration((2*rng.Float64()-1)*float64(jitter))
	}
	return interval
}

// ticker is a fixed-rate ticker: a poll every interval (± jitter), whether
// or not the previous one has returned.
type ticker struct{ interval, jitter time.Duration }

func (t *ticker) first() time.Duration { return t.interval }
func (t *ticker) open() bool           { return true }
func (t *ticker) tick(prev time.Duration, rng *random.Source) time.Duration {
	return prev + jittered(t.interval, t.jitter, rng)
}
func (t *ticker) next(_, now time.Duration, _ bool, _ *random.Source) time.Duration { return now }

// delayLoop polls interval (± jitter) after the previous response arrived:
// its period is the interval plus the time a poll takes.
type delayLoop struct{ interval, jitter time.Duration }

func (d *delayLoop) first() time.Duration                                    { return d.interval }
func (d *delayLoop) open() bool                                              { return false }
func (d *delayLoop) tick(prev time.Duration, _ *random.Source) time.Duration { return prev }
func (d *delayLoop) next(_, now time.Duration, _ bool, rng *random.Source) time.Duration {
	return now + jittered(d.interval, d.jitter, rng)
}

// backoff is exponential backoff: the interval is multiplied by factor after
// every empty poll, up to max, and falls back to min after a poll that
// brought events. The next poll leaves the interval after the previous one
// did, or when its response arrives if that is later.
type backoff struct {
	min, max, cur time.Duration
	factor        float64
}

func (b *backoff) first() time.Duration                                    { return b.min }
func (b *backoff) open() bool                                              { return false }
func (b *backoff) tick(prev time.Duration, _ *random.Source) time.Duration { return prev }
func (b *backoff) next(sent, now time.Duration, hit bool, _ *random.Source) time.Duration {
	if hit {
		b.cur = b.min
	} else {
		b.cur = min(time.Duration(float64(b.cur)*b.factor), b.max)
	}
	return max(now, sent+b.cur)
}

// aimd lengthens the interval by step after an empty poll, up to max, and
// multiplies it by factor after a poll that brought events, down to min.
type aimd struct {
	min, max, step, cur time.Duration
	factor              float64
}

func (a *aimd) first() time.Duration                                    { return a.min }
func (a *aimd) open() bool                                              { return false }
func (a *aimd) tick(prev time.Duration, _ *random.Source) time.Duration { return prev }
func (a *aimd) next(sent, now time.Duration, hit bool, _ *random.Source) time.Duration {
	if hit {
		a.cur = max(time.Duration(float64(a.cur)*a.factor), a.min)
	} else {
		a.cur = min(a.cur+a.step, a.max)
	}
	return max(now, sent+a.cur)
}

// longLoop asks again as soon as a long poll returns.
type longLoop struct{ hold time.Duration }

func (l *longLoop) first() time.Duration                                    { return l.hold }
func (l *longLoop) open() bool                                              { return false }
func (l *longLoop) tick(prev time.Duration, _ *random.Source) time.Duration { return prev }
func (l *longLoop) next(_, now time.Duration, _ bool, _ *random.Source) time.Duration {
	return now
}
