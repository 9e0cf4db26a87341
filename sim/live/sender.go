package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// endpoint is one webhook subscriber's endpoint: the store's sender on one
// side, the client's receiver server on the other.
type endpoint struct {
	sub       *subscriber
	sender    *store.Sender
	receiver  *client.Receiver
	faults    store.Faults // what the sender loses on its own
	thin      bool
	processes bool
	epoch     uint32              // crashes so far: work started before the last one is void
	working   []*work             // work in progress
	bySeq     map[int64]*delivery // deliveries under way, by event
	hook      *standardwebhooks.Webhook
	url       string
	out       *http.Client // the sender's connections to this endpoint
}

// delivery is one event on its way to one endpoint.
type delivery struct {
	id       int32
	ep       *endpoint
	ev       store.Event
	attempt  int           // the current attempt, from 1
	open     int           // the attempt the receiver may still take, or 0
	due      time.Duration // when the current attempt was to leave: its lateness is counted from there
	sentAt   time.Duration
	accepted int  // the last attempt the receiver accepted
	newOn    int  // the attempt whose arrival first gave the client the event
	reached  int  // the last attempt that reached the receiver and was not refused
	replied  int  // the last attempt the receiver answered (it neither hung nor crashed before its ack left)
	settled  bool // the receiver took the event: no loss on this path any more
	// crashed: a crash lost the event from the receiver's volatile queue
	// while the sender still had it; it is lost for that cause unless a
	// later attempt is accepted before the sender is done.
	crashed bool
	done    bool // the sender has finished with it
	refs    int  // attempts under way and timers that point here
	// late are the attempts the sender gave up on before they could
	// arrive: they are still on their way, and the receiver takes them in.
	late []int
}

// arrivesLate reports whether attempt n is one the sender gave up on
// before it arrived, and forgets it: it has arrived, or never will.
func (d *delivery) arrivesLate(n int) bool {
	i := slices.Index(d.late, n)
	if i < 0 {
		return false
	}
	d.late = slices.Delete(d.late, i, i+1)
	return true
}

func (w *world) addEndpoint(s *subscriber, cl scenario.Client, outages client.Outages, plan scenario.RetryPlan, name string) *endpoint {
	wh := w.sc.Store.Webhooks
	seed := w.sc.Seed
	ep := &endpoint{
		sub:       s,
		sender:    store.NewSender(plan, wh.Concurrency, random.New(seed, "store/sender/"+name)),
		receiver:  client.NewReceiver(*cl.Webhook, outages, random.New(seed, "client/"+name+"/receiver")),
		faults:    store.NewFaults(wh, random.Stream(seed, "store/sender-faults/"+name)),
		thin:      cl.Webhook.Thin,
		processes: client.Processes(cl),
		bySeq:     map[int64]*delivery{},
	}
	w.endpoints = append(w.endpoints, ep)
	return ep
}

// dispatch hands every event to the sender at its creation instant, for
// every endpoint, until the store emits no more or the run stops.
func (w *world) dispatch() {
	for {
		w.mu.Lock()
		ev, ok := w.store.Event(w.dispatched + 1)
		w.mu.Unlock()
		if !ok || !sleepUntil(w.ctx, w.clock, ev.Created) {
			return
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return
		}
		w.emit(ev, w.clock.Now())
		w.mu.Unlock()
	}
}

// emit starts the delivery of ev to every endpoint. The caller holds mu.
func (w *world) emit(ev store.Event, now time.Duration) {
	w.dispatched = ev.Seq
	w.store.Passed(w.dispatcher, ev.Seq)
	for _, ep := range w.endpoints {
		if ep.faults.LosesSilently() {
			w.pushLost(ep.sub, ev.Seq, metrics.SilentLoss, now)
			continue
		}
		w.lastID++
		d := &delivery{id: w.lastID, ep: ep, ev: ev, attempt: 1, due: ev.Created}
		w.deliveries[d.id] = d
		ep.bySeq[ev.Seq] = d
		w.attempt(d, now)
	}
}

// pushLost records that the push path lost event seq for subscriber s: a
// loss for good unless a hybrid's other path can still deliver it
// (client.Losses decides).
func (w *world) pushLost(s *subscriber, seq int64, cause metrics.Cause, now time.Duration) {
	if c, final := s.losses.Push(seq, cause); final {
		w.lose(s, seq, c, now)
	}
}

// attempt starts the current attempt of d, unless the endpoint is disabled
// or every slot is taken. The caller holds mu.
func (w *world) attempt(d *delivery, now time.Duration) {
	ep := d.ep
	if !ep.sender.Enabled(now) {
		if at, ok := ep.sender.EnabledAgainAt(); ok && ep.sender.HoldsWhileOff() {
			d.refs++
			d.due = at
			w.after(at, func(now time.Duration) {
				d.refs--
				w.attempt(d, now)
			})
			return
		}
		d.done = true
		if !d.settled {
			w.pushLost(ep.sub, d.ev.Seq, metrics.EndpointDisabled, now)
			d.settled = true
		}
		w.release(d, now)
		return
	}
	if !ep.sender.Acquire(d.id) {
		d.due = -1 // it waits for a slot, and is due when Release starts it
		return
	}
	w.sendAttempt(d, now)
}

// sendAttempt sends the current attempt of d, which holds a slot. The
// caller holds mu.
func (w *world) sendAttempt(d *delivery, now time.Duration) {
	ep := d.ep
	s := ep.sub
	d.sentAt = now
	d.open = d.attempt
	d.refs++
	w.rec.Sent(s.index, metrics.WebhookAttempt, now)
	w.storeReqs++
	// The draws follow the simulation's order: the way there, then, for
	// an attempt that fails on the way, the way back.
	// A timer that fired late makes the attempt late from the timer's
	// instant; one that waited for a slot was due when it got one.
	due := now
	if d.due >= 0 && d.due < now {
		due = d.due
	}
	d.due = -1
	a := attemptPlan{d: d, n: d.attempt, due: due, sentAt: now, up: w.delay(s), timeout: ep.sender.Timeout()}
	switch {
	case ep.faults.FailsOnTheWay():
		a.failed, a.down = true, w.delay(s)
	case a.up >= a.timeout:
		// The sender gives up before the request arrives; it arrives all
		// the same, and the delivery waits for that too.
		d.late = append(d.late, d.attempt)
		d.refs++
	}
	a.body = w.codec.appendWebhook(nil, d.ev, ep.thin, now)
	w.spawn(w.labels[s.row].store, func() { w.post(a) })
}

// attemptPlan is one webhook attempt as the sender makes it.
type attemptPlan struct {
	d        *delivery
	n        int
	due      time.Duration // when it was to leave: creation, the retry's instant, or when a slot freed
	sentAt   time.Duration
	up, down time.Duration // modelled network delays each way
	timeout  time.Duration
	failed   bool // it fails on the way: the sender learns after a round trip
	body     []byte
}

// post makes one attempt: a signed POST to the receiver, after the
// modelled network delay, within the sender's timeout; then tells the
// sender how it ended.
func (w *world) post(a attemptPlan) {
	deadline := a.sentAt + a.timeout
	switch {
	case a.failed:
		status, failure := metrics.Failed, store.Refused
		at := a.sentAt + a.up + a.down
		if at > deadline {
			status, failure, at = metrics.TimedOut, store.TimedOut, deadline
		}
		if sleepUntil(w.ctx, w.clock, at) {
			w.ended(a, status, failure)
		}
	case a.up >= a.timeout:
		// The sender gives up before the request arrives; the request
		// still reaches the receiver, which takes it in, and its answer
		// goes unread.
		if !sleepUntil(w.ctx, w.clock, deadline) {
			return
		}
		w.ended(a, metrics.TimedOut, store.TimedOut)
		arrival := a.sentAt + a.up
		if !sleepUntil(w.ctx, w.clock, arrival) {
			return
		}
		w.postNow(a, arrival+a.timeout)
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.closed && a.d.arrivesLate(a.n) { // it never reached the receiver after all
			a.d.refs--
			w.release(a.d, w.clock.Now())
		}
	default:
		if sleepUntil(w.ctx, w.clock, a.sentAt+a.up) {
			status, failure := w.postNow(a, deadline)
			w.ended(a, status, failure)
		}
	}
}

// ended tells the sender how attempt a ended.
func (w *world) ended(a attemptPlan, status metrics.Status, f store.Failure) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	a.d.open = 0
	w.outcome(a.d, a.n, a.sentAt, status, f, w.clock.Now())
}

// postNow signs and POSTs attempt a, and classifies how it ended.
func (w *world) postNow(a attemptPlan, deadline time.Duration) (metrics.Status, store.Failure) {
	ep := a.d.ep
	ctx, cancel := context.WithDeadline(w.ctx, w.clock.Wall(deadline))
	defer cancel()
	// Late from when it was due, the timers that started it included.
	due := w.clock.Wall(a.due + a.up)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		late := time.Since(due)
		w.hmu.Lock()
		w.http.Late(ep.sub.row, late)
		w.hmu.Unlock()
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url, bytes.NewReader(a.body))
	if err != nil {
		return metrics.Failed, store.Refused
	}
	id := messageID(a.d.ev.Seq)
	ts := w.codec.timestamp(w.clock.Now())
	sig, err := ep.hook.Sign(id, ts, a.body)
	if err != nil {
		return metrics.Failed, store.Refused
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set(standardwebhooks.HeaderWebhookID, id)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	h.Set(headerAttempt, strconv.Itoa(a.n))
	h.Set(headerDue, strconv.FormatInt(int64(a.due+a.up), 10))
	x := exchange{start: time.Now()}
	resp, err := ep.out.Do(req)
	if err == nil {
		x.code, x.header = resp.StatusCode, resp.Header
		x.body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		resp.Body.Close()
	}
	x.err, x.end = err, time.Now()
	w.hmu.Lock()
	w.http.Exchange(ep.sub.row, x.code, x.end.Sub(x.start))
	w.hmu.Unlock()
	if w.results != nil {
		w.results.exchange(w.sc.Clients[ep.sub.row].Name, http.MethodPost, ep.url, x)
	}
	switch {
	case x.code == 0 && (errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil):
		return metrics.TimedOut, store.TimedOut
	case x.code == 0:
		return metrics.Failed, store.Refused
	case x.code >= 200 && x.code < 300:
		return metrics.OK, 0
	case x.code == http.StatusTooManyRequests:
		return metrics.RateLimited, store.Throttled
	default:
		return metrics.Failed, store.ServerError
	}
}

// outcome is the sender learning how attempt n of d, sent at sentAt, ended.
// The caller holds mu.
func (w *world) outcome(d *delivery, n int, sentAt time.Duration, status metrics.Status, f store.Failure, now time.Duration) {
	d.refs--
	ep := d.ep
	s := ep.sub
	o := metrics.Outcome{Status: status}
	if d.accepted == n {
		o.Returned = 1
	}
	if d.reached == n { // whatever the receiver answered: the request came in
		o.BytesIn = w.store.AttemptBytes(d.ev, ep.thin)
	}
	if d.replied == n {
		o.BytesOut = w.store.HeaderBytes()
	}
	if d.newOn == n {
		o.New = 1
	}
	w.rec.Answered(s.index, metrics.WebhookAttempt, sentAt, o)
	if next, ok := ep.sender.Release(); ok {
		if nd := w.deliveries[next]; nd != nil {
			w.sendAttempt(nd, now)
		}
	}
	ok := status == metrics.OK
	ep.sender.Record(now, ok)
	switch {
	case ok:
		d.done = true
	default:
		if next, retry := ep.sender.Retry(n, f, now); retry {
			d.attempt = n + 1
			d.refs++
			d.due = next
			w.after(next, func(now time.Duration) {
				d.refs--
				w.attempt(d, now)
			})
		} else {
			d.done = true
			ep.sender.Exhausted(now)
		}
	}
	w.release(d, now)
}

// release forgets d once the sender is done with it and nothing points at
// it; an event its receiver never took, or lost in a crash and never took
// again, is then lost on this path.
func (w *world) release(d *delivery, now time.Duration) {
	if !d.done || d.refs > 0 {
		return
	}
	switch {
	case !d.settled:
		w.pushLost(d.ep.sub, d.ev.Seq, metrics.RetriesExhausted, now)
	case d.crashed:
		w.pushLost(d.ep.sub, d.ev.Seq, metrics.CrashLostQueue, now)
	}
	delete(w.deliveries, d.id)
	if d.ep.bySeq[d.ev.Seq] == d {
		delete(d.ep.bySeq, d.ev.Seq)
	}
}
