package live

import (
	"container/heap"
	"time"
)

// timers are the runner's own scheduled actions — a retry, the end of a
// receiver's work, a crash — run at their scenario instant by one
// goroutine, in (instant, order scheduled) order, as the discrete-event
// runner runs its heap. Each runs holding the world's lock.
type timers struct {
	items timerHeap
	seq   uint64
	kick  chan struct{}
}

type timer struct {
	at  time.Duration
	seq uint64
	fn  func(now time.Duration)
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].seq < h[j].seq)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// after runs fn at scenario instant at, or at once if it has passed. The
// caller holds mu.
func (w *world) after(at time.Duration, fn func(now time.Duration)) {
	t := &w.timers
	t.seq++
	heap.Push(&t.items, timer{at: at, seq: t.seq, fn: fn})
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// advanceEvery is how often, in wall-clock time, the store is told it may
// forget what no reader needs any more.
const advanceEvery = time.Second

// runTimers runs the timers as they fall due until the run stops.
func (w *world) runTimers() {
	t := &w.timers
	lastAdvance := time.Now()
	for {
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return
		}
		now := w.clock.Now()
		for len(t.items) > 0 && t.items[0].at <= now {
			it := heap.Pop(&t.items).(timer)
			it.fn(now)
			if w.closed {
				break
			}
		}
		if time.Since(lastAdvance) >= advanceEvery {
			w.store.Advance(now)
			lastAdvance = time.Now()
		}
		next := time.Duration(-1)
		if len(t.items) > 0 {
			next = t.items[0].at
		}
		w.mu.Unlock()
		wait := advanceEvery
		if next >= 0 {
			wait = min(wait, time.Until(w.clock.Wall(next)))
		}
		tm := time.NewTimer(max(wait, 0))
		select {
		case <-tm.C:
		case <-t.kick:
		case <-w.ctx.Done():
			tm.Stop()
			return
		}
		tm.Stop()
	}
}
