package client

import "github.com/pushpull/pushpull/sim/metrics"

// Losses decides, for one subscriber, when a path's loss of an event is
// final: a drop is recorded only once no path left can still deliver the
// event. Both runners ask it alike, each from its own state.
//
// A subscriber with one path loses an event for good when that path loses
// it. A hybrid (a webhook endpoint with a reconciliation or a state sync)
// has two: what push loses, the second path may still bring, so a push loss
// alone is not final; and what the second path finds aged out of the store,
// push may still deliver (a retry on its way, an event waiting in the
// receiver's queue or being fetched), so that loss is deferred while push
// has the event, and becomes final, with its cause, once push loses it too.
type Losses struct {
	hybrid   bool
	deferred map[int64]metrics.Cause // second-path losses push may still undo
}

// NewLosses returns the Losses of a subscriber; hybrid says whether it has
// a webhook endpoint and a second path.
func NewLosses(hybrid bool) Losses { return Losses{hybrid: hybrid} }

// Push reports whether push's loss of event seq, for cause, is final, and
// the cause to record: for a hybrid, only when the second path lost the
// event already, for the cause it found.
func (l *Losses) Push(seq int64, cause metrics.Cause) (metrics.Cause, bool) {
	if !l.hybrid {
		return cause, true
	}
	if c, ok := l.deferred[seq]; ok {
		delete(l.deferred, seq)
		return c, true
	}
	return cause, false
}

// Second reports whether the second path's loss of event seq, for cause, is
// final: not while push still has the event under way (pushing), which
// may yet deliver it. A deferred loss is recorded when push loses the event
// too (Push says so); if push delivers the event, it is simply delivered.
func (l *Losses) Second(seq int64, cause metrics.Cause, pushing bool) bool {
	if !pushing {
		return true
	}
	if l.deferred == nil {
		l.deferred = map[int64]metrics.Cause{}
	}
	l.deferred[seq] = cause
	return false
}
