package live

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// maxWebhookBody is the largest webhook body a receiver reads: a larger one
// is rejected with 413.
const maxWebhookBody = 1 << 20

// receive is endpoint ep's receiver server: it reads and verifies each
// delivery, lets the receiver's model decide how to answer, and answers
// as it says, when it says.
func (w *world) receive(ep *endpoint) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		row := ep.sub.row
		pprof.SetGoroutineLabels(w.labels[row].client)
		sw := &statusWriter{ResponseWriter: rw}
		rw = sw
		defer w.wire(row, r, sw)
		seq, n, reason, status := w.admit(ep, r)
		if reason != "" {
			w.hmu.Lock()
			w.http.Rejected(row, reason)
			w.hmu.Unlock()
			http.Error(rw, reason, status)
			return
		}
		w.arrive(rw, r, ep, seq, n)
	}
}

// wire counts the bytes of a delivery and its answer for row.
func (w *world) wire(row int, r *http.Request, sw *statusWriter) {
	out := 0
	if !sw.hijacked {
		out = responseBytes(cmp.Or(sw.status, http.StatusOK), sw.Header(), sw.written)
	}
	w.hmu.Lock()
	w.http.Wire(row, requestBytes(r), out) // the receiver takes the request in and sends the answer out
	w.hmu.Unlock()
}

// statusWriter remembers what a handler answered, to count its bytes.
type statusWriter struct {
	http.ResponseWriter
	status   int
	written  int
	hijacked bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	n, err := s.ResponseWriter.Write(b)
	s.written += n
	return n, err
}

func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	s.hijacked = true
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

// admit reads and verifies a delivery. It returns the event's seq and the
// attempt's number, or why the delivery is rejected and the status to
// reject it with.
func (w *world) admit(ep *endpoint, r *http.Request) (seq int64, n int, reason string, status int) {
	if r.Method != http.MethodPost {
		return 0, 0, metrics.RejectMalformed, http.StatusMethodNotAllowed
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, 0, metrics.RejectOversized, http.StatusRequestEntityTooLarge
		}
		return 0, 0, metrics.RejectTruncated, http.StatusBadRequest
	}
	if err := verify(ep.hook, body, r.Header, w.codec.timestamp(w.clock.Now())); err != nil {
		var bad *rejection
		if errors.As(err, &bad) {
			return 0, 0, bad.reason, bad.status
		}
		return 0, 0, metrics.RejectMalformed, http.StatusBadRequest
	}
	var msg wireWebhook
	if err := json.Unmarshal(body, &msg); err != nil {
		return 0, 0, metrics.RejectMalformed, http.StatusBadRequest
	}
	id := r.Header.Get(standardwebhooks.HeaderWebhookID)
	n, err = strconv.Atoi(r.Header.Get(headerAttempt))
	if err != nil || n < 1 || id != messageID(msg.Data.Seq) || !strings.HasPrefix(msg.Data.ID, "evt_") {
		return 0, 0, metrics.RejectMalformed, http.StatusBadRequest
	}
	return msg.Data.Seq, n, "", 0
}

// arrive is attempt n of the delivery of event seq reaching ep's receiver,
// verified: the receiver's model decides, and the answer leaves when it
// says, after the modelled network delay.
func (w *world) arrive(rw http.ResponseWriter, r *http.Request, ep *endpoint, seq int64, n int) {
	w.mu.Lock()
	d := ep.bySeq[seq]
	late := !w.closed && d != nil && d.open != n && d.arrivesLate(n) // the sender gave up on it before it arrived
	if w.closed || d == nil || d.open != n && !late {
		w.mu.Unlock()
		w.hmu.Lock()
		w.http.Rejected(ep.sub.row, metrics.RejectUnknown)
		w.hmu.Unlock()
		http.Error(rw, "no such delivery under way", http.StatusConflict)
		return
	}
	now := w.clock.Now()
	if due, err := strconv.ParseInt(r.Header.Get(headerDue), 10, 64); err == nil {
		// Behind from the instant the delivery counts at.
		w.hmu.Lock()
		w.http.Behind(ep.sub.row, w.clock.Wall(now).Sub(w.clock.Wall(time.Duration(due))))
		w.hmu.Unlock()
	}
	a := ep.receiver.Arrive(now, d.ev)
	if a.Reply == client.Accept {
		w.accepted(d, n, a, now)
	}
	lostAck := a.Reply == client.Accept && ep.receiver.CrashBetween(now, a.AckAt)
	var down time.Duration
	if late {
		// Nobody awaits its answer: it is written, unread, without the way
		// back, and the delivery waits for this attempt no more.
		d.refs--
		w.release(d, now)
	} else {
		if a.Reply != client.Refuse {
			d.reached = n // the receiver took the request in
			if a.Reply != client.Hang && !lostAck {
				d.replied = n // and answers it
			}
		}
		if a.Reply != client.Hang && !lostAck {
			down = w.delay(ep.sub) // the way back, drawn as the simulation does
		}
	}
	w.mu.Unlock()

	ctx := r.Context()
	switch a.Reply {
	case client.Accept:
		if lostAck {
			<-ctx.Done() // the ack never leaves: the sender times out
			return
		}
		if sleepUntil(ctx, w.clock, a.AckAt+down) {
			rw.WriteHeader(http.StatusOK)
		}
	case client.Refuse:
		if sleepUntil(ctx, w.clock, now+down) {
			refuse(rw)
		}
	case client.Hang:
		<-ctx.Done() // until the sender gives up
	case client.Error:
		if sleepUntil(ctx, w.clock, now+down) {
			http.Error(rw, "the receiver failed", http.StatusInternalServerError)
		}
	case client.Overflow:
		if sleepUntil(ctx, w.clock, now+down) {
			http.Error(rw, "the queue is full", a.Status)
		}
	}
}

// refuse drops the connection without an answer, as a refused connection
// looks to the sender.
func refuse(rw http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(rw).Hijack(); err == nil {
		conn.Close()
		return
	}
	http.Error(rw, "refused", http.StatusServiceUnavailable)
}

// accepted records what the receiver's acceptance of attempt n of d gives
// the client, as the discrete-event runner does. The caller holds mu.
func (w *world) accepted(d *delivery, n int, a client.Arrival, now time.Duration) {
	ep := d.ep
	s := ep.sub
	d.accepted = n
	if !a.Suppressed {
		d.crashed = false // the receiver has the event again
	}
	if !a.Suppressed && !w.rec.Holds(s.index, d.ev.Seq) {
		d.newOn = n // this attempt gives the client the event, now or once fetched or processed
	}
	switch {
	case a.Suppressed:
		w.rec.Duplicate(s.index)
		w.rec.Suppressed(s.index)
	case ep.thin:
		d.settled = true // the fetch takes over
		f := &fetch{ep: ep, seq: d.ev.Seq}
		w.fetches[f] = true
		w.send(s, nil, f, client.Request{Kind: metrics.Fetch, PollRequest: store.PollRequest{Fetch: d.ev.Seq}}, time.Time{})
	case a.Holds:
		d.settled = true
		w.rec.Held(s.index, d.ev.Seq, int(d.ev.Resource), d.ev.Created, now)
		if ep.processes && !ep.receiver.Processes() {
			w.rec.Processed(s.index, d.ev.Seq, d.ev.Created, now) // no processing mode: processed on arrival
		}
	default:
		d.settled = true // queued: held once processed, or lost in a crash
	}
	w.startWork(ep, a.Work)
}

// fetch is a thin delivery's fetch of its event, under way or parked
// until it is sent again.
type fetch struct {
	ep  *endpoint
	seq int64
}

// fetched is the answer to a thin delivery's fetch. The caller holds mu.
func (w *world) fetched(p *pending, now time.Duration, resp *store.PollResponse) {
	f := p.fetch
	ep := f.ep
	s := ep.sub
	o := client.Fetched(&p.req, resp, w.store.HeaderBytes(), fetching{w, ep, now})
	w.rec.Answered(s.index, metrics.Fetch, p.sentAt, o)
	if retry, again := client.RefetchAfter(resp.Status, resp.RetryAfter); again {
		w.after(now+retry, func(time.Duration) {
			w.send(s, nil, f, p.req, time.Time{})
		})
		return
	}
	delete(w.fetches, f)
}

// fetching is what the subscriber of ep holds, as a fetch's answer read at
// now changes it.
type fetching struct {
	w   *world
	ep  *endpoint
	now time.Duration
}

func (f fetching) Hold(ev *store.Event) bool {
	s := f.ep.sub.index
	first := f.w.rec.Held(s, ev.Seq, int(ev.Resource), ev.Created, f.now)
	if f.ep.processes {
		f.w.rec.Processed(s, ev.Seq, ev.Created, f.now)
	}
	return first
}

func (f fetching) Expired(seq int64) { f.w.pushLost(f.ep.sub, seq, metrics.RetentionExpired, f.now) }

// work is a receiver processing an event.
type work struct {
	ep    *endpoint
	epoch uint32 // the receiver's crash epoch when the work started
	w     client.Work
}

// startWork schedules the end of every piece of work a receiver started.
// The caller holds mu.
func (w *world) startWork(ep *endpoint, works []client.Work) {
	for _, cw := range works {
		wk := &work{ep: ep, epoch: ep.epoch, w: cw}
		ep.working = append(ep.working, wk)
		w.after(cw.End, func(now time.Duration) { w.workDone(wk, now) })
	}
}

// workDone is a receiver finishing an event: the application has it.
func (w *world) workDone(wk *work, now time.Duration) {
	ep := wk.ep
	if wk.epoch != ep.epoch {
		return // a crash interrupted it
	}
	for i, x := range ep.working {
		if x == wk {
			ep.working = append(ep.working[:i], ep.working[i+1:]...)
			break
		}
	}
	ev := &wk.w.Event
	s := ep.sub.index
	if wk.w.Holds {
		w.rec.Held(s, ev.Seq, int(ev.Resource), ev.Created, wk.w.AcceptedAt)
	}
	w.rec.Processed(s, ev.Seq, ev.Created, now)
	w.startWork(ep, ep.receiver.Done(now))
}

// crash crashes ep's receiver, for the i-th crash of its list.
func (w *world) crash(ep *endpoint, i int, now time.Duration) {
	c := ep.receiver.Crashes()[i]
	inProgress := make([]client.Work, 0, len(ep.working))
	for _, wk := range ep.working {
		inProgress = append(inProgress, wk.w)
	}
	ep.epoch++
	ep.working = ep.working[:0]
	for _, ev := range ep.receiver.Crash(now, c.Restart.D(), inProgress) {
		// An event the sender is still delivering is not lost yet: a
		// retry may bring it again (its first ack came too late, say).
		// The loss is recorded when the sender is done, if no later
		// attempt was accepted.
		if d := ep.bySeq[ev.Seq]; d != nil {
			d.crashed = true
			continue
		}
		w.pushLost(ep.sub, ev.Seq, metrics.CrashLostQueue, now)
	}
	w.after(now+c.Restart.D(), func(now time.Duration) {
		w.startWork(ep, ep.receiver.Restart(now))
	})
}

// processAtOnce hands ev, which arrived by another path than a webhook
// (a reconciliation, a state sync), to ep's application.
func (w *world) processAtOnce(ep *endpoint, ev *store.Event, now time.Duration) {
	if !ep.processes {
		return
	}
	if ep.receiver.Seen(now, ev.Seq) {
		w.rec.Suppressed(ep.sub.index)
		return
	}
	w.rec.Processed(ep.sub.index, ev.Seq, ev.Created, now)
}
