package live

import (
	"time"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// act carries out what loop l's poller asked for. A request asked for at a
// wake-up of a fleet's loop goes through the fleet's attack; any other
// (a loop's own, a page that follows an answer) goes on the shared client.
// due is when a request asked for at a wake-up was due. The caller holds mu.
func (w *world) act(l *loop, a client.Action, due time.Time, atWake bool) {
	if a.Send {
		if atWake && l.fleet != nil {
			l.fleet.enqueue(l, a.Req, due)
		} else {
			if !atWake {
				due = time.Time{}
			}
			w.send(l.sub, l, nil, a.Req, due)
		}
	}
	if a.Wake != l.wakeAt {
		l.wakeAt = a.Wake
		l.gen++
		if l.fleet != nil {
			l.fleet.schedule(l)
		} else {
			select {
			case l.kick <- struct{}{}:
			default:
			}
		}
	}
}

// wake is loop l's wake-up at the instant it asked for, now or a little
// later. The caller holds mu.
func (w *world) wake(l *loop, at, now time.Duration) {
	l.wakeAt = client.Never
	w.act(l, l.poller.Wake(now), w.clock.Wall(at), true)
}

// drive runs a loop that no fleet drives: it sleeps until each wake-up the
// poller asks for, until the run stops.
func (w *world) drive(l *loop) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return
		}
		at, gen := l.wakeAt, l.gen
		if at != client.Never {
			if now := w.clock.Now(); now >= at {
				w.wake(l, at, now)
				w.mu.Unlock()
				continue
			}
		}
		w.mu.Unlock()
		var fire <-chan time.Time
		if at != client.Never {
			t.Reset(time.Until(w.clock.Wall(at)))
			fire = t.C
		}
		select {
		case <-fire:
			w.mu.Lock()
			if !w.closed && l.gen == gen {
				if now := w.clock.Now(); now >= at {
					w.wake(l, at, now)
				}
			}
			w.mu.Unlock()
		case <-l.kick:
			t.Stop()
		case <-w.ctx.Done():
			return
		}
	}
}

// received takes in the answer to p, read at now: it records what the
// client now holds and hands the answer to the poller that asked, as the
// discrete-event runner does. The caller holds mu.
func (w *world) received(p *pending, now time.Duration, resp *store.PollResponse) {
	if p.fetch != nil {
		w.fetched(p, now, resp)
		return
	}
	l, s := p.loop, p.sub
	var pushing map[int64]bool
	o := client.Answered(&p.req, resp, w.store.HeaderBytes(), holdings{w, s, now, &pushing})
	w.rec.Answered(s.index, p.req.Kind, p.sentAt, o)
	w.act(l, l.poller.Receive(now, p.req, resp), time.Time{}, false)
}

// holdings is what subscriber s holds, as an answer read at now changes it.
type holdings struct {
	w   *world
	s   *subscriber
	now time.Duration
	// pushing: the events push still has on their way to s, as pipeline
	// collects them, once the answer first needs them (it does not change
	// them).
	pushing *map[int64]bool
}

func (h holdings) Holds(seq int64) bool      { return h.w.rec.Holds(h.s.index, seq) }
func (h holdings) Hold(ev *store.Event) bool { return h.w.hold(h.s, ev, h.now) }

// Expired records that event seq aged out of the store before s's poller,
// reconciliation or state sync read it: a loss for good unless push still
// has the event on its way to s (client.Losses decides), in which case the
// loss is recorded only if push loses it too, as the discrete-event runner
// does. The caller holds mu.
func (h holdings) Expired(seq int64) {
	w, s := h.w, h.s
	if w.rec.Holds(s.index, seq) {
		return
	}
	pushing := false
	if s.endpoint != nil {
		if *h.pushing == nil {
			*h.pushing = w.pipeline()[s]
			if *h.pushing == nil {
				*h.pushing = map[int64]bool{}
			}
		}
		pushing = (*h.pushing)[seq]
	}
	if s.losses.Second(seq, metrics.RetentionExpired, pushing) {
		w.rec.Lost(s.index, seq, h.now, metrics.RetentionExpired)
	}
}

// hold records that subscriber s now holds ev, through a path other than
// its webhook endpoint, and lets the application process it. It reports
// whether s held it for the first time.
func (w *world) hold(s *subscriber, ev *store.Event, now time.Duration) bool {
	first := w.rec.Held(s.index, ev.Seq, int(ev.Resource), ev.Created, now)
	if s.endpoint != nil {
		w.processAtOnce(s.endpoint, ev, now)
	}
	return first
}

// lose records that subscriber s will never hold event seq, for cause,
// unless it already does.
func (w *world) lose(s *subscriber, seq int64, cause metrics.Cause, now time.Duration) {
	if !w.rec.Holds(s.index, seq) {
		w.rec.Lost(s.index, seq, now, cause)
	}
}
