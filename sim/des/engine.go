package des

import (
	"time"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/store"
)

// kind is the kind of a scheduled event.
type kind uint8

const (
	kindWake     kind = iota // a poller's wake-up
	kindResponse             // a poll response reaches its client
	kindEmit                 // an event is created: the sender starts on it
	kindAttempt              // the sender makes a webhook retry
	kindArrive               // a webhook attempt reaches the receiver
	kindOutcome              // the sender learns how an attempt ended
)

// engine is one run in virtual time: the store, the clients, and the heap of
// everything scheduled. It runs on one goroutine.
type engine struct {
	now     time.Duration
	end     time.Duration // duration + drain: nothing at or after it happens
	seq     uint64
	events  int64 // processed
	q       eventHeap
	store   *store.Store
	rec     *metrics.Recorder
	network random.Durations
	clients []clientState

	polls      slab[pollInFlight]
	deliveries slab[delivery]

	webhookClients []int32
	dispatcher     store.Reader
	dispatched     int64 // the last event handed to the sender
}

// clientState is the runner's side of one client.
type clientState struct {
	name     string
	poller   client.Poller // nil for a webhook receiver
	reader   store.Reader
	wakeAt   time.Duration // the wake-up currently scheduled, or client.Never
	wakeGen  uint32        // generation of that wake-up: older ones are stale
	receiver *client.Receiver
	sender   *store.Sender
	net      random.Source      // network delays of this client's messages
	fixed    client.FixedPoller // the poller itself, when it is a fixed one: kept here, next to the rest
}

// pollInFlight is a poll request whose response is on its way back. Its
// response's event buffer is reused from one poll to the next.
type pollInFlight struct {
	req    client.Request
	sentAt time.Duration
	resp   store.PollResponse
}

// delivery is one event on its way to one webhook endpoint.
type delivery struct {
	client   int32
	ev       store.Event
	attempt  int32         // the current attempt, from 1
	sentAt   time.Duration // when the current attempt left
	awaiting bool          // the current attempt's outcome is not scheduled yet
	status   metrics.Status
	accepted int32 // the last attempt the receiver accepted
	newOn    int32 // the attempt whose arrival first gave the client the event
	held     bool  // the client holds the event
	done     bool  // the sender has finished with it
	refs     int32 // scheduled events that point here
}

func (e *engine) schedule(at time.Duration, k kind, c int32, ref int32, tag uint32) {
	e.seq++
	e.q.push(item{at: at, seq: e.seq, kind: k, client: c, ref: ref, tag: tag})
}

func (e *engine) delay(c int32) time.Duration { return e.network.Sample(&e.clients[c].net) }

func (e *engine) dispatch(it item) {
	switch it.kind {
	case kindWake:
		cs := &e.clients[it.client]
		if it.tag != cs.wakeGen {
			return // replaced by a later wake-up
		}
		cs.wakeAt = client.Never
		e.act(it.client, cs.poller.Wake(e.now))
	case kindResponse:
		e.receive(it.client, it.ref)
	case kindEmit:
		e.emit()
	case kindAttempt:
		e.deliveries.at(it.ref).refs--
		e.attempt(it.ref)
	case kindArrive:
		e.arrive(it.ref, int32(it.tag))
	case kindOutcome:
		e.outcome(it.ref, int32(it.tag))
	}
}

// act carries out what a poller asked for.
func (e *engine) act(c int32, a client.Action) {
	if a.Send {
		e.sendPoll(c, a.Req)
	}
	cs := &e.clients[c]
	if a.Wake != cs.wakeAt {
		cs.wakeAt = a.Wake
		cs.wakeGen++
		if a.Wake != client.Never {
			e.schedule(a.Wake, kindWake, c, 0, cs.wakeGen)
		}
	}
}

func (e *engine) sendPoll(c int32, req client.Request) {
	cs := &e.clients[c]
	e.rec.Sent(int(c), req.Kind, e.now)
	ref, p := e.polls.alloc()
	p.req, p.sentAt = req, e.now
	arrival := e.now + e.delay(c)
	e.store.Poll(cs.reader, arrival, store.PollRequest{Cursor: req.Cursor}, &p.resp)
	e.schedule(arrival+p.resp.Service+e.delay(c), kindResponse, c, ref, 0)
}

func (e *engine) receive(c int32, ref int32) {
	p := e.polls.at(ref)
	resp := &p.resp
	o := metrics.Outcome{BytesIn: resp.Bytes, BytesOut: e.store.HeaderBytes()}
	switch resp.Status {
	case store.StatusOK:
		o.Returned = resp.Count
		for seq := resp.First - resp.Expired; seq < resp.First; seq++ {
			if !e.rec.Holds(int(c), seq) {
				e.rec.Lost(int(c), seq, e.now, metrics.RetentionExpired)
			}
		}
		for i := range resp.Events {
			ev := &resp.Events[i]
			if e.rec.Held(int(c), ev.Seq, int(ev.Resource), ev.Created, e.now) {
				o.New++
			}
		}
	case store.StatusRateLimited:
		o.Status = metrics.RateLimited
	}
	e.rec.Answered(int(c), p.req.Kind, p.sentAt, o)
	a := e.clients[c].poller.Receive(e.now, p.req, resp)
	e.polls.free(ref) // after Receive: resp lives in the slot
	e.act(c, a)
}

// emit hands the event created now to the sender, for every webhook client,
// and schedules the next creation.
func (e *engine) emit() {
	ev, _ := e.store.Event(e.dispatched + 1)
	e.dispatched = ev.Seq
	e.store.Passed(e.dispatcher, ev.Seq)
	for _, c := range e.webhookClients {
		ref, d := e.deliveries.alloc()
		*d = delivery{client: c, ev: ev, attempt: 1}
		e.attempt(ref)
	}
	e.scheduleEmit()
}

func (e *engine) scheduleEmit() {
	if next, ok := e.store.Event(e.dispatched + 1); ok {
		e.schedule(next.Created, kindEmit, 0, 0, 0)
	}
}

// attempt sends the current attempt of delivery ref.
func (e *engine) attempt(ref int32) {
	d := e.deliveries.at(ref)
	cs := &e.clients[d.client]
	d.sentAt = e.now
	e.rec.Sent(int(d.client), metrics.WebhookAttempt, e.now)
	up := e.delay(d.client)
	d.awaiting = true
	if timeout := cs.sender.Timeout(); up >= timeout {
		// The sender gives up before the request even arrives.
		e.settle(ref, metrics.TimedOut, e.now+timeout)
	}
	d.refs++
	e.schedule(e.now+up, kindArrive, d.client, ref, uint32(d.attempt))
}

// settle schedules the moment the sender learns the current attempt ended
// with status.
func (e *engine) settle(ref int32, status metrics.Status, at time.Duration) {
	d := e.deliveries.at(ref)
	d.awaiting = false
	d.status = status
	d.refs++
	e.schedule(at, kindOutcome, d.client, ref, uint32(d.attempt))
}

// arrive is attempt n of delivery ref reaching its receiver.
func (e *engine) arrive(ref int32, n int32) {
	d := e.deliveries.at(ref)
	d.refs--
	c := d.client
	reply := e.clients[c].receiver.Reply(e.now)
	if reply == client.Accept {
		d.accepted = n
		if e.rec.Held(int(c), d.ev.Seq, int(d.ev.Resource), d.ev.Created, e.now) {
			d.held, d.newOn = true, n
		}
	}
	if n == d.attempt && d.awaiting {
		deadline := d.sentAt + e.clients[c].sender.Timeout()
		switch reply {
		case client.Accept:
			e.settleBy(ref, metrics.OK, e.now+e.delay(c), deadline)
		case client.Refuse:
			e.settleBy(ref, metrics.Failed, e.now+e.delay(c), deadline)
		case client.Hang:
			e.settle(ref, metrics.TimedOut, deadline)
		}
	}
	e.release(ref)
}

// settleBy settles with status at the instant the answer reaches the sender,
// or as timed out if that is after the deadline.
func (e *engine) settleBy(ref int32, status metrics.Status, at, deadline time.Duration) {
	if at > deadline {
		status, at = metrics.TimedOut, deadline
	}
	e.settle(ref, status, at)
}

// outcome is the sender learning how attempt n of delivery ref ended.
func (e *engine) outcome(ref int32, n int32) {
	d := e.deliveries.at(ref)
	d.refs--
	c := d.client
	cs := &e.clients[c]
	o := metrics.Outcome{Status: d.status}
	if d.accepted == n {
		o.Returned = 1
		o.BytesIn = e.store.AttemptBytes(d.ev)
		o.BytesOut = e.store.HeaderBytes()
	}
	if d.newOn == n {
		o.New = 1
	}
	e.rec.Answered(int(c), metrics.WebhookAttempt, d.sentAt, o)
	if d.status == metrics.OK {
		d.done = true
	} else if next, retry := cs.sender.Retry(int(n), e.now); retry {
		d.attempt = n + 1
		d.refs++
		e.schedule(next, kindAttempt, c, ref, 0)
	} else {
		d.done = true
	}
	e.release(ref)
}

// release frees delivery ref once the sender is done with it and nothing
// scheduled points at it; an event it never delivered is then lost.
func (e *engine) release(ref int32) {
	d := e.deliveries.at(ref)
	if !d.done || d.refs > 0 {
		return
	}
	if !d.held {
		e.rec.Lost(int(d.client), d.ev.Seq, e.now, metrics.RetriesExhausted)
	}
	e.deliveries.free(ref)
}
