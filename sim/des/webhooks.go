package des

import (
	"time"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// endpoint is one webhook subscriber's endpoint: the sender's side and the
// receiver's.
type endpoint struct {
	sub       int32
	sender    *store.Sender
	receiver  *client.Receiver
	faults    store.Faults // what the sender loses on its own
	thin      bool
	processes bool    // its processing is measured
	epoch     uint32  // crashes so far: work started before the last one is void
	working   []int32 // work in progress, by workInFlight ref
}

// emit hands the event created now to the sender, for every webhook
// endpoint, and schedules the next creation.
func (e *engine) emit() {
	ev, _ := e.store.Event(e.dispatched + 1)
	e.dispatched = ev.Seq
	e.store.Passed(e.dispatcher, ev.Seq)
	for _, s := range e.webhookSubs {
		ep := e.subs[s].endpoint
		x := &e.endpoints[ep]
		if x.faults.LosesSilently() {
			e.pushLost(s, ev.Seq, metrics.SilentLoss)
			continue
		}
		ref, d := e.deliveries.alloc()
		*d = delivery{endpoint: ep, ev: ev, attempt: 1}
		e.attempt(ref)
	}
	e.scheduleEmit()
}

func (e *engine) scheduleEmit() {
	if next, ok := e.store.Event(e.dispatched + 1); ok {
		e.schedule(next.Created, kindEmit, 0, 0, 0)
	}
}

// pushLost records that the push path lost event seq for subscriber s: a
// loss for good unless a hybrid's other path can still deliver it
// (client.Losses decides).
func (e *engine) pushLost(s int32, seq int64, cause metrics.Cause) {
	if c, final := e.subs[s].losses.Push(seq, cause); final {
		e.lose(s, seq, c)
	}
}

// attempt starts the current attempt of delivery ref, unless the endpoint
// is disabled or every slot is taken.
func (e *engine) attempt(ref int32) {
	d := e.deliveries.at(ref)
	x := &e.endpoints[d.endpoint]
	if !x.sender.Enabled(e.now) {
		if at, ok := x.sender.EnabledAgainAt(); ok && x.sender.HoldsWhileOff() {
			d.refs++
			e.schedule(at, kindAttempt, d.endpoint, ref, 0)
			return
		}
		d.done = true
		if !d.settled {
			e.pushLost(x.sub, d.ev.Seq, metrics.EndpointDisabled)
			d.settled = true
		}
		e.release(ref)
		return
	}
	if !x.sender.Acquire(ref) {
		return // it waits for a slot; Release starts it
	}
	e.send1(ref)
}

// send1 sends the current attempt of delivery ref, which holds a slot.
func (e *engine) send1(ref int32) {
	d := e.deliveries.at(ref)
	x := &e.endpoints[d.endpoint]
	s := x.sub
	d.sentAt = e.now
	e.rec.Sent(int(s), metrics.WebhookAttempt, e.now)
	up := e.delay(s)
	d.awaiting = true
	timeout := x.sender.Timeout()
	if x.faults.FailsOnTheWay() {
		// The attempt fails on the way; the sender learns after a round trip.
		e.settleBy(ref, metrics.Failed, store.Refused, e.now+up+e.delay(s), e.now+timeout)
		return
	}
	if up >= timeout {
		// The sender gives up before the request even arrives.
		e.settle(ref, metrics.TimedOut, store.TimedOut, e.now+timeout)
	}
	d.refs++
	e.schedule(e.now+up, kindArrive, d.endpoint, ref, uint32(d.attempt))
}

// settle schedules the moment the sender learns the current attempt ended
// with status.
func (e *engine) settle(ref int32, status metrics.Status, f store.Failure, at time.Duration) {
	d := e.deliveries.at(ref)
	d.awaiting = false
	d.status, d.failure = status, f
	d.refs++
	e.schedule(at, kindOutcome, d.endpoint, ref, uint32(d.attempt))
}

// settleBy settles with status at the instant the answer reaches the
// sender, or as timed out if that is after the deadline.
func (e *engine) settleBy(ref int32, status metrics.Status, f store.Failure, at, deadline time.Duration) {
	if at > deadline {
		status, f, at = metrics.TimedOut, store.TimedOut, deadline
	}
	e.settle(ref, status, f, at)
}

// arrive is attempt n of delivery ref reaching its receiver.
func (e *engine) arrive(ref int32, n int32) {
	d := e.deliveries.at(ref)
	d.refs--
	x := &e.endpoints[d.endpoint]
	s := x.sub
	a := x.receiver.Arrive(e.now, d.ev)
	if a.Reply == client.Accept {
		d.accepted = n
		if !a.Suppressed {
			d.crashed = false // the receiver has the event again
		}
		if !a.Suppressed && !e.rec.Holds(int(s), d.ev.Seq) {
			d.newOn = n // this attempt gives the client the event, now or once fetched or processed
		}
		switch {
		case a.Suppressed:
			e.rec.Duplicate(int(s))
			e.rec.Suppressed(int(s))
		case x.thin:
			d.settled = true // the fetch takes over
			e.send(-1, d.endpoint, client.Request{Kind: metrics.Fetch, PollRequest: store.PollRequest{Fetch: d.ev.Seq}})
		case a.Holds:
			d.settled = true
			e.rec.Held(int(s), d.ev.Seq, int(d.ev.Resource), d.ev.Created, e.now)
			if x.processes && !x.receiver.Processes() {
				e.rec.Processed(int(s), d.ev.Seq, d.ev.Created, e.now) // no processing mode: processed on arrival
			}
		default:
			d.settled = true // queued: held once processed, or lost in a crash
		}
		e.startWork(d.endpoint, a.Work)
	}
	if n == d.attempt && d.awaiting {
		deadline := d.sentAt + x.sender.Timeout()
		if a.Reply != client.Refuse {
			d.reached, d.replied = n, n // the receiver took the request in, and answers unless it hangs
		}
		switch a.Reply {
		case client.Accept:
			if x.receiver.CrashBetween(e.now, a.AckAt) {
				d.replied = 0
				e.settle(ref, metrics.TimedOut, store.TimedOut, deadline) // the ack never leaves
			} else {
				e.settleBy(ref, metrics.OK, 0, a.AckAt+e.delay(s), deadline)
			}
		case client.Refuse:
			e.settleBy(ref, metrics.Failed, store.Refused, e.now+e.delay(s), deadline)
		case client.Hang:
			d.replied = 0
			e.settle(ref, metrics.TimedOut, store.TimedOut, deadline)
		case client.Error:
			e.settleBy(ref, metrics.Failed, store.ServerError, e.now+e.delay(s), deadline)
		case client.Overflow:
			if a.Status == 429 {
				e.settleBy(ref, metrics.RateLimited, store.Throttled, e.now+e.delay(s), deadline)
			} else {
				e.settleBy(ref, metrics.Failed, store.ServerError, e.now+e.delay(s), deadline)
			}
		}
	}
	e.release(ref)
}

// outcome is the sender learning how attempt n of delivery ref ended.
func (e *engine) outcome(ref int32, n int32) {
	d := e.deliveries.at(ref)
	d.refs--
	x := &e.endpoints[d.endpoint]
	s := x.sub
	o := metrics.Outcome{Status: d.status}
	if d.accepted == n {
		o.Returned = 1
	}
	if d.reached == n { // whatever the receiver answered: the request came in
		o.BytesIn = e.store.AttemptBytes(d.ev, x.thin)
	}
	if d.replied == n {
		o.BytesOut = e.store.HeaderBytes()
	}
	if d.newOn == n {
		o.New = 1
	}
	e.rec.Answered(int(s), metrics.WebhookAttempt, d.sentAt, o)
	if next, ok := x.sender.Release(); ok {
		e.send1(next)
	}
	ok := d.status == metrics.OK
	x.sender.Record(e.now, ok)
	switch {
	case ok:
		d.done = true
	default:
		if next, retry := x.sender.Retry(int(n), d.failure, e.now); retry {
			d.attempt = n + 1
			d.refs++
			e.schedule(next, kindAttempt, d.endpoint, ref, 0)
		} else {
			d.done = true
			x.sender.Exhausted(e.now)
		}
	}
	e.release(ref)
}

// release frees delivery ref once the sender is done with it and nothing
// scheduled points at it; an event its receiver never took, or lost in a
// crash and never took again, is then lost on this path.
func (e *engine) release(ref int32) {
	d := e.deliveries.at(ref)
	if !d.done || d.refs > 0 {
		return
	}
	switch {
	case !d.settled:
		e.pushLost(e.endpoints[d.endpoint].sub, d.ev.Seq, metrics.RetriesExhausted)
	case d.crashed:
		e.pushLost(e.endpoints[d.endpoint].sub, d.ev.Seq, metrics.CrashLostQueue)
	}
	e.deliveries.free(ref)
}
