package des

import (
	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// startWork schedules the end of every piece of work a receiver started.
func (e *engine) startWork(ep int32, works []client.Work) {
	x := &e.endpoints[ep]
	for _, w := range works {
		ref, wf := e.works.alloc()
		*wf = workInFlight{endpoint: ep, epoch: x.epoch, work: w}
		x.working = append(x.working, ref)
		e.schedule(w.End, kindWorkDone, ep, ref, 0)
	}
}

// workDone is a receiver finishing an event: the application has it.
func (e *engine) workDone(ref int32) {
	wf := *e.works.at(ref)
	e.works.free(ref)
	x := &e.endpoints[wf.endpoint]
	if wf.epoch != x.epoch {
		return // a crash interrupted it
	}
	x.working = removeRef(x.working, ref)
	ev := &wf.work.Event
	s := int(x.sub)
	if wf.work.Holds {
		e.rec.Held(s, ev.Seq, int(ev.Resource), ev.Created, wf.work.AcceptedAt)
	}
	e.rec.Processed(s, ev.Seq, ev.Created, e.now)
	e.startWork(wf.endpoint, x.receiver.Done(e.now))
}

func removeRef(refs []int32, ref int32) []int32 {
	for i, r := range refs {
		if r == ref {
			refs[i] = refs[len(refs)-1]
			return refs[:len(refs)-1]
		}
	}
	return refs
}

// crash crashes endpoint ep's receiver, for the i-th crash of its list.
func (e *engine) crash(ep int32, i int) {
	x := &e.endpoints[ep]
	c := x.receiver.Crashes()[i]
	inProgress := make([]client.Work, 0, len(x.working))
	for _, ref := range x.working {
		inProgress = append(inProgress, e.works.at(ref).work)
	}
	x.epoch++
	x.working = x.working[:0]
	lost := x.receiver.Crash(e.now, c.Restart.D(), inProgress)
	if len(lost) == 0 {
		e.schedule(e.now+c.Restart.D(), kindRestart, ep, 0, 0)
		return
	}
	// An event the sender is still delivering is not lost yet: a retry
	// may bring it again (its first ack came too late, say). The loss is
	// recorded when the sender is done, if no later attempt was accepted.
	delivering := map[int64]*delivery{}
	e.deliveries.each(func(d *delivery) {
		if d.endpoint == ep {
			delivering[d.ev.Seq] = d
		}
	})
	for _, ev := range lost {
		if d := delivering[ev.Seq]; d != nil {
			d.crashed = true
			continue
		}
		e.pushLost(x.sub, ev.Seq, metrics.CrashLostQueue)
	}
	e.schedule(e.now+c.Restart.D(), kindRestart, ep, 0, 0)
}

// restart brings endpoint ep's receiver back after a crash.
func (e *engine) restart(ep int32) {
	e.startWork(ep, e.endpoints[ep].receiver.Restart(e.now))
}

// processAtOnce hands ev, which arrived by another path than a webhook
// (a reconciliation, a state sync), to endpoint ep's application.
func (e *engine) processAtOnce(ep int32, ev *store.Event) {
	x := &e.endpoints[ep]
	if !x.processes {
		return
	}
	if x.receiver.Seen(e.now, ev.Seq) {
		e.rec.Suppressed(int(x.sub))
		return
	}
	e.rec.Processed(int(x.sub), ev.Seq, ev.Created, e.now)
}

// fetched is the response to a thin delivery's fetch.
func (e *engine) fetched(ref int32) {
	p := e.polls.at(ref)
	x := &e.endpoints[p.endpoint]
	s := x.sub
	resp := &p.resp
	o := client.Fetched(&p.req, resp, e.store.HeaderBytes(), fetching{e, x})
	e.rec.Answered(int(s), metrics.Fetch, p.sentAt, o)
	if retry, again := client.RefetchAfter(resp.Status, resp.RetryAfter); again {
		// Keep the request in its slot and send it again later.
		p.sentAt = -1
		e.schedule(e.now+retry, kindRefetch, p.endpoint, ref, 0)
		return
	}
	e.polls.free(ref)
}

// fetching is what the subscriber of endpoint x holds, as a fetch's answer
// changes it.
type fetching struct {
	e *engine
	x *endpoint
}

func (f fetching) Hold(ev *store.Event) bool {
	s := int(f.x.sub)
	first := f.e.rec.Held(s, ev.Seq, int(ev.Resource), ev.Created, f.e.now)
	if f.x.processes {
		f.e.rec.Processed(s, ev.Seq, ev.Created, f.e.now)
	}
	return first
}

func (f fetching) Expired(seq int64) { f.e.pushLost(f.x.sub, seq, metrics.RetentionExpired) }

// refetch sends again the fetch parked in slot ref.
func (e *engine) refetch(ref int32) {
	p := e.polls.at(ref)
	req, ep := p.req, p.endpoint
	e.polls.free(ref)
	e.send(-1, ep, req)
}
