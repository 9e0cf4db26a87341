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
	kindWake     kind = iota // a polling loop's wake-up
	kindResponse             // a response reaches its client: a loop's request or a fetch
	kindEmit                 // an event is created: the sender starts on it
	kindAttempt              // the sender makes a webhook attempt (a retry, or one that waited)
	kindArrive               // a webhook attempt reaches the receiver
	kindOutcome              // the sender learns how an attempt ended
	kindWorkDone             // a receiver finishes processing an event
	kindCrash                // a receiver crashes
	kindRestart              // a receiver is back after a crash
	kindRefetch              // a thin delivery's fetch is sent again
	kindSample               // the clients' views are sampled for freshness
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

	subs      []subscriber
	loops     []loop
	endpoints []endpoint

	polls      slab[pollInFlight]
	deliveries slab[delivery]
	works      slab[workInFlight]

	webhookSubs []int32 // subscribers with an endpoint, in order
	dispatcher  store.Reader
	dispatched  int64 // the last event handed to the sender
	pushing     pushingCache

	samples metrics.SampleSchedule
}

// subscriber is one subscriber of a client row: the row itself, or one of
// its count.
type subscriber struct {
	row      int32
	net      random.Source // network delays of this subscriber's messages
	reader   store.Reader  // its identity at the API: its rate-limit bucket
	endpoint int32         // its webhook endpoint, or −1
	polls    []int32       // its polling loops (a poller's feeds)
	// Hybrids: a second path can still deliver what push lost, and push
	// what the second path found aged out; losses says when a loss is final.
	reconcile int32 // its reconciliation loop, or −1
	sync      int32 // its state-sync loop, or −1
	losses    client.Losses
}

// hybrid reports whether s has a second path beside push.
func (s *subscriber) hybrid() bool { return s.reconcile >= 0 || s.sync >= 0 }

// loop is one polling loop: a poller's feed, a reconciliation or a state
// sync.
type loop struct {
	sub     int32
	poller  *client.Poller
	wakeAt  time.Duration // the wake-up currently scheduled, or client.Never
	wakeGen uint32        // generation of that wake-up: older ones are stale
}

// pollInFlight is a request to the API whose response is on its way back:
// a loop's, or a thin delivery's fetch. Its response's buffers are reused
// from one request to the next.
type pollInFlight struct {
	loop     int32 // the loop that sent it, or −1 for a fetch
	endpoint int32 // for a fetch: the endpoint whose delivery it completes
	req      client.Request
	sentAt   time.Duration
	resp     store.PollResponse
}

// delivery is one event on its way to one webhook endpoint.
type delivery struct {
	endpoint int32
	ev       store.Event
	attempt  int32         // the current attempt, from 1
	sentAt   time.Duration // when the current attempt left
	awaiting bool          // the current attempt's outcome is not scheduled yet
	status   metrics.Status
	failure  store.Failure
	accepted int32 // the last attempt the receiver accepted
	newOn    int32 // the attempt whose arrival first gave the client the event
	reached  int32 // the last attempt that reached the receiver and was not refused
	replied  int32 // the last attempt the receiver answered (it neither hung nor crashed before its ack left)
	settled  bool  // the receiver took the event: no loss on this path any more
	// crashed: a crash lost the event from the receiver's volatile queue
	// while the sender still had it; it is lost for that cause unless a
	// later attempt is accepted before the sender is done.
	crashed bool
	done    bool  // the sender has finished with it
	refs    int32 // scheduled events that point here
}

// workInFlight is a receiver processing an event.
type workInFlight struct {
	endpoint int32
	epoch    uint32 // the receiver's crash epoch when the work started
	work     client.Work
}

func (e *engine) schedule(at time.Duration, k kind, who int32, ref int32, tag uint32) {
	e.seq++
	e.q.push(item{at: at, seq: e.seq, kind: k, client: who, ref: ref, tag: tag})
}

// delay draws a one-way network delay for subscriber s.
func (e *engine) delay(s int32) time.Duration { return e.network.Sample(&e.subs[s].net) }

func (e *engine) dispatch(it *item) {
	switch it.kind {
	case kindWake:
		l := &e.loops[it.client]
		if it.tag != l.wakeGen {
			return // replaced by a later wake-up
		}
		l.wakeAt = client.Never
		e.act(it.client, l.poller.Wake(e.now))
	case kindResponse:
		e.receive(it.ref)
	case kindEmit:
		e.emit()
	case kindAttempt:
		e.deliveries.at(it.ref).refs--
		e.attempt(it.ref)
	case kindArrive:
		e.arrive(it.ref, int32(it.tag))
	case kindOutcome:
		e.outcome(it.ref, int32(it.tag))
	case kindWorkDone:
		e.workDone(it.ref)
	case kindCrash:
		e.crash(it.client, int(it.ref))
	case kindRestart:
		e.restart(it.client)
	case kindRefetch:
		e.refetch(it.ref)
	case kindSample:
		e.sample()
	}
}
