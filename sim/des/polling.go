package des

import (
	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// act carries out what a polling loop asked for.
func (e *engine) act(l int32, a client.Action) {
	if a.Send {
		e.send(l, -1, a.Req)
	}
	lp := &e.loops[l]
	if a.Wake != lp.wakeAt {
		lp.wakeAt = a.Wake
		lp.wakeGen++
		if a.Wake != client.Never {
			e.schedule(a.Wake, kindWake, l, 0, lp.wakeGen)
		}
	}
}

// send sends a request to the API for loop l, or for a thin delivery's
// fetch at endpoint ep when l is −1, and schedules its response.
func (e *engine) send(l, ep int32, req client.Request) {
	var s int32
	if l >= 0 {
		s = e.loops[l].sub
	} else {
		s = e.endpoints[ep].sub
	}
	e.rec.Sent(int(s), req.Kind, e.now)
	ref, p := e.polls.alloc()
	p.loop, p.endpoint, p.req, p.sentAt = l, ep, req, e.now
	arrival := e.now + e.delay(s)
	e.store.Poll(e.subs[s].reader, arrival, req.PollRequest, &p.resp)
	e.schedule(arrival+p.resp.Held+p.resp.Service+e.delay(s), kindResponse, s, ref, 0)
}

// receive takes in a response: it records what the client now holds and
// hands the response to the loop that asked.
func (e *engine) receive(ref int32) {
	p := e.polls.at(ref)
	if p.loop < 0 {
		e.fetched(ref)
		return
	}
	l := p.loop
	s := e.loops[l].sub
	resp := &p.resp
	o := client.Answered(&p.req, resp, e.store.HeaderBytes(), holdings{e, s})
	e.rec.Answered(int(s), p.req.Kind, p.sentAt, o)
	a := e.loops[l].poller.Receive(e.now, p.req, resp)
	e.polls.free(ref) // after Receive: resp lives in the slot
	e.act(l, a)
}

// holdings is what subscriber s holds, as an answer changes it.
type holdings struct {
	e *engine
	s int32
}

func (h holdings) Holds(seq int64) bool      { return h.e.rec.Holds(int(h.s), seq) }
func (h holdings) Hold(ev *store.Event) bool { return h.e.hold(h.s, ev) }
func (h holdings) Expired(seq int64)         { h.e.expired(h.s, seq) }

// expired records that event seq aged out of the store before subscriber
// s's poller, reconciliation or state sync read it: a loss for good unless
// push still has the event on its way to s (client.Losses decides), in
// which case the loss is recorded only if push loses it too.
func (e *engine) expired(s int32, seq int64) {
	if e.rec.Holds(int(s), seq) {
		return
	}
	sub := &e.subs[s]
	pushing := sub.endpoint >= 0 && e.pushingTo(s)[seq]
	if sub.losses.Second(seq, metrics.RetentionExpired, pushing) {
		e.rec.Lost(int(s), seq, e.now, metrics.RetentionExpired)
	}
}

// pushingTo returns the events push still has on their way to subscriber
// s, as pipeline collects them; collected once per processed event, during
// which they do not change.
func (e *engine) pushingTo(s int32) map[int64]bool {
	if c := &e.pushing; c.stamp != e.events+1 || c.sub != s {
		*c = pushingCache{stamp: e.events + 1, sub: s, seqs: e.pipeline()[s]}
	}
	return e.pushing.seqs
}

// pushingCache is pushingTo's last answer.
type pushingCache struct {
	stamp int64 // the processed event it was collected in, + 1
	sub   int32
	seqs  map[int64]bool
}

// hold records that subscriber s now holds ev, through a path other than
// its webhook endpoint, and lets the application process it. It reports
// whether s held it for the first time.
func (e *engine) hold(s int32, ev *store.Event) bool {
	first := e.rec.Held(int(s), ev.Seq, int(ev.Resource), ev.Created, e.now)
	if ep := e.subs[s].endpoint; ep >= 0 {
		e.processAtOnce(ep, ev)
	}
	return first
}

// lose records that subscriber s will never hold event seq, for cause,
// unless it already does.
func (e *engine) lose(s int32, seq int64, cause metrics.Cause) {
	if !e.rec.Holds(int(s), seq) {
		e.rec.Lost(int(s), seq, e.now, cause)
	}
}
