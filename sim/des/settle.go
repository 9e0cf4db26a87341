package des

import "github.com/pushpull/pushpull/sim/metrics"

// pipeline collects, from the runner's own state, the events still on their
// way to each webhook subscriber: deliveries the receiver has not taken (or
// lost in a crash while the sender may still retry),
// events in a receiver's queue or in processing that will be held once
// processed, and fetches under way.
func (e *engine) pipeline() map[int32]map[int64]bool {
	pending := map[int32]map[int64]bool{}
	add := func(s int32, seq int64) {
		if pending[s] == nil {
			pending[s] = map[int64]bool{}
		}
		pending[s][seq] = true
	}
	e.deliveries.each(func(d *delivery) {
		if !d.settled || d.crashed {
			add(e.endpoints[d.endpoint].sub, d.ev.Seq)
		}
	})
	e.works.each(func(w *workInFlight) {
		x := &e.endpoints[w.endpoint]
		if w.epoch == x.epoch && w.work.Holds {
			add(x.sub, w.work.Event.Seq)
		}
	})
	for _, x := range e.endpoints {
		if !x.receiver.Durable() {
			for _, ev := range x.receiver.Queued() {
				add(x.sub, ev.Seq)
			}
		}
	}
	e.polls.each(func(p *pollInFlight) {
		if p.loop < 0 {
			add(e.endpoints[p.endpoint].sub, p.req.Fetch)
		}
	})
	return pending
}

// account accounts for subscriber s's events when the run ends: those that
// aged out unread are lost, and it returns how many are still in flight.
// pending are the events on their way to it through its webhook endpoint.
func (e *engine) account(s int32, emitted int64, pending map[int64]bool) int64 {
	sub := &e.subs[s]
	var inFlight int64
	// A poller's feeds: what it has not read is in flight, or aged out.
	for _, l := range sub.polls {
		inFlight += e.unread(s, e.loops[l].poller.Cursor(), e.loops[l].poller.Resource(), emitted, nil)
	}
	if sub.endpoint < 0 {
		return inFlight
	}
	// A webhook subscriber: what is on its way through push, plus what a
	// second path has yet to read, each event counted once.
	counted := 0
	if pending == nil {
		pending = map[int64]bool{}
	}
	for seq := e.dispatched + 1; seq <= emitted; seq++ {
		pending[seq] = true // created but not yet handed to the sender
	}
	switch {
	case sub.reconcile >= 0:
		inFlight += e.unread(s, e.loops[sub.reconcile].poller.Cursor(), -1, emitted, pending)
	case sub.sync >= 0:
		// Every event up to the last snapshot is held or lost.
		for seq := e.loops[sub.sync].poller.Cursor() + 1; seq <= emitted; seq++ {
			if !pending[seq] && !e.rec.Holds(int(s), seq) {
				inFlight++
			}
		}
	}
	for seq := range pending {
		if seq <= emitted && !e.rec.Holds(int(s), seq) {
			counted++
		}
	}
	return inFlight + int64(counted)
}

// unread settles the events of a feed after cursor: those that aged out
// unread are lost; it returns how many of the rest subscriber s does not
// hold, skipping those in skip.
func (e *engine) unread(s int32, cursor int64, resource int, emitted int64, skip map[int64]bool) int64 {
	if resource >= 0 {
		kept, aged := e.store.Unread(resource, cursor, e.now)
		for _, seq := range aged {
			e.lose(s, seq, metrics.RetentionExpired)
		}
		return kept
	}
	first, last := e.store.Kept(e.now)
	for seq := cursor + 1; seq < first && seq <= emitted; seq++ {
		if !skip[seq] {
			e.lose(s, seq, metrics.RetentionExpired)
		}
	}
	var n int64
	for seq := max(cursor+1, first); seq <= last; seq++ {
		if !skip[seq] && !e.rec.Holds(int(s), seq) {
			n++
		}
	}
	return n
}
