package live

import (
	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
)

// The end-of-run accounting, settled by client.Ending as the discrete-event
// runner settles it, from this runner's own state once every goroutine has
// stopped: emitted = delivered + dropped + in flight, for every client.

// pipeline collects the events still on their way to each webhook
// subscriber: deliveries the receiver has not taken (or lost in a crash
// while the sender may still retry), events queued or in
// processing that will be held once processed, and fetches under way.
func (w *world) pipeline() client.Pipeline[*subscriber] {
	pending := client.Pipeline[*subscriber]{}
	for _, d := range w.deliveries {
		if !d.settled || d.crashed {
			pending.Add(d.ep.sub, d.ev.Seq)
		}
	}
	for _, ep := range w.endpoints {
		for _, wk := range ep.working {
			if wk.epoch == ep.epoch && wk.w.Holds {
				pending.Add(ep.sub, wk.w.Event.Seq)
			}
		}
		if !ep.receiver.Durable() {
			for _, ev := range ep.receiver.Queued() {
				pending.Add(ep.sub, ev.Seq)
			}
		}
	}
	for f := range w.fetches {
		pending.Add(f.ep.sub, f.seq)
	}
	return pending
}

// tallies settles the accounting of every client row.
func (w *world) tallies(emitted int64) []metrics.Tally {
	tallies := make([]metrics.Tally, len(w.sc.Clients))
	pending := w.pipeline()
	end := client.Ending{Store: w.store, Recorder: w.rec, At: w.stoppedAt, Emitted: emitted, Dispatched: w.dispatched}
	for _, s := range w.subs {
		st := client.Standing{Sub: s.index, Webhook: s.endpoint != nil, Pending: pending[s]}
		for _, l := range s.polls {
			st.Feeds = append(st.Feeds, l.poller)
		}
		if s.reconcile != nil {
			st.Reconcile = s.reconcile.poller
		}
		if s.sync != nil {
			st.Sync = s.sync.poller
		}
		tallies[s.row].InFlight += end.Settle(st)
	}
	return tallies
}
