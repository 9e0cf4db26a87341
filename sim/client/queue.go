package client

import "github.com/pushpull/pushpull/sim/store"

// Queued lists the events waiting in the receiver's queue, not yet taken by
// a worker.
func (r *Receiver) Queued() []store.Event {
	out := make([]store.Event, 0, r.waiting())
	for _, q := range r.queue[r.head:] {
		out = append(out, q.ev)
	}
	return out
}

// Durable reports whether the receiver's queue survives a crash, so that
// what it queues is held at once.
func (r *Receiver) Durable() bool { return r.durable }
