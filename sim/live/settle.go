package live

import (
	"github.com/pushpull/pushpull/sim/metrics"
)

// The end-of-run accounting, as the discrete-event runner settles it
// (sim/des/settle.go), from this runner's own state once every goroutine has
// stopped: emitted = delivered + dropped + in flight, for every client.

// pipeline collects the events still on their way to each webhook
// subscriber: deliveries the receiver has not taken (or lost in a crash
// while the sender may still retry), events queued or in
// processing that will be held once processed, and fetches under way.
func (w *world) pipeline() map[*subscriber]map[int64]bool {
	pending := map[*subscriber]map[int64]bool{}
	add := func(s *subscriber, seq int64) {
		if pending[s] == nil {
			pending[s] = map[int64]bool{}
		}
		pending[s][seq] = true
	}
	for _, d := range w.deliveries {
		if !d.settled || d.crashed {
			add(d.ep.sub, d.ev.Seq)
		}
	}
	for _, ep := range w.endpoints {
		for _, wk := range ep.working {
			if wk.epoch == ep.epoch && wk.w.Holds {
				add(ep.sub, wk.w.Event.Seq)
			}
		}
		if !ep.receiver.Durable() {
			for _, ev := range ep.receiver.Queued() {
				add(ep.sub, ev.Seq)
			}
		}
	}
	for f := range w.fetches {
		add(f.ep.sub, f.seq)
	}
	return pending
}

// account accounts for subscriber s's events when the run ends: those that
// aged out unread are lost, and it returns how many are still in flight.
func (w *world) account(s *subscriber, emitted int64, pending map[int64]bool) int64 {
	var inFlight int64
	for _, l := range s.polls {
		inFlight += w.unread(s, l.poller.Cursor(), l.poller.Resource(), emitted, nil)
	}
	if s.endpoint == nil {
		return inFlight
	}
	if pending == nil {
		pending = map[int64]bool{}
	}
	for seq := w.dispatched + 1; seq <= emitted; seq++ {
		pending[seq] = true // created but not yet handed to the sender
	}
	switch {
	case s.reconcile != nil:
		inFlight += w.unread(s, s.reconcile.poller.Cursor(), -1, emitted, pending)
	case s.sync != nil:
		// Every event up to the last snapshot is held or lost.
		for seq := s.sync.poller.Cursor() + 1; seq <= emitted; seq++ {
			if !pending[seq] && !w.rec.Holds(s.index, seq) {
				inFlight++
			}
		}
	}
	var counted int64
	for seq := range pending {
		if seq <= emitted && !w.rec.Holds(s.index, seq) {
			counted++
		}
	}
	return inFlight + counted
}

// unread settles the events of a feed after cursor: those that aged out
// unread are lost; it returns how many of the rest s does not hold,
// skipping those in skip.
func (w *world) unread(s *subscriber, cursor int64, resource int, emitted int64, skip map[int64]bool) int64 {
	now := w.stoppedAt
	if resource >= 0 {
		kept, aged := w.store.Unread(resource, cursor, now)
		for _, seq := range aged {
			w.lose(s, seq, metrics.RetentionExpired, now)
		}
		return kept
	}
	first, last := w.store.Kept(now)
	for seq := cursor + 1; seq < first && seq <= emitted; seq++ {
		if !skip[seq] {
			w.lose(s, seq, metrics.RetentionExpired, now)
		}
	}
	var n int64
	for seq := max(cursor+1, first); seq <= last; seq++ {
		if !skip[seq] && !w.rec.Holds(s.index, seq) {
			n++
		}
	}
	return n
}

// tallies settles the accounting of every client row.
func (w *world) tallies(emitted int64) []metrics.Tally {
	tallies := make([]metrics.Tally, len(w.sc.Clients))
	pending := w.pipeline()
	for _, s := range w.subs {
		tallies[s.row].InFlight += w.account(s, emitted, pending[s])
	}
	return tallies
}
