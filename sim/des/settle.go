package des

import "github.com/pushpull/pushpull/sim/client"

// pipeline collects, from the runner's own state, the events still on their
// way to each webhook subscriber: deliveries the receiver has not taken (or
// lost in a crash while the sender may still retry),
// events in a receiver's queue or in processing that will be held once
// processed, and fetches under way.
func (e *engine) pipeline() client.Pipeline[int32] {
	pending := client.Pipeline[int32]{}
	e.deliveries.each(func(d *delivery) {
		if !d.settled || d.crashed {
			pending.Add(e.endpoints[d.endpoint].sub, d.ev.Seq)
		}
	})
	e.works.each(func(w *workInFlight) {
		x := &e.endpoints[w.endpoint]
		if w.epoch == x.epoch && w.work.Holds {
			pending.Add(x.sub, w.work.Event.Seq)
		}
	})
	for _, x := range e.endpoints {
		if !x.receiver.Durable() {
			for _, ev := range x.receiver.Queued() {
				pending.Add(x.sub, ev.Seq)
			}
		}
	}
	e.polls.each(func(p *pollInFlight) {
		if p.loop < 0 {
			pending.Add(e.endpoints[p.endpoint].sub, p.req.Fetch)
		}
	})
	return pending
}

// account settles subscriber s's events when the run ends, as
// client.Ending.Settle decides, and returns how many are still in flight.
// pending are the events on their way to it through its webhook endpoint.
func (e *engine) account(s int32, emitted int64, pending map[int64]bool) int64 {
	sub := &e.subs[s]
	st := client.Standing{
		Sub: int(s), Webhook: sub.endpoint >= 0, Pending: pending,
		Reconcile: e.poller(sub.reconcile), Sync: e.poller(sub.sync),
	}
	for _, l := range sub.polls {
		st.Feeds = append(st.Feeds, e.loops[l].poller)
	}
	end := client.Ending{Store: e.store, Recorder: e.rec, At: e.now, Emitted: emitted, Dispatched: e.dispatched}
	return end.Settle(st)
}

// poller is loop l's poller, or nil when l is −1.
func (e *engine) poller(l int32) *client.Poller {
	if l < 0 {
		return nil
	}
	return e.loops[l].poller
}
