package client

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// Reply is how a webhook receiver answers a delivery.
type Reply uint8

// The replies of a receiver.
const (
	Accept   Reply = iota // takes the event; acknowledges with a 2xx at Arrival.AckAt
	Refuse                // the connection is refused: the sender learns at once
	Hang                  // the request hangs: the sender learns at its timeout
	Error                 // answers 500 and keeps nothing
	Overflow              // the queue is full: answers 503 or 429 and keeps nothing
)

func (r Reply) String() string {
	return [...]string{"accept", "refuse", "hang", "error", "overflow"}[r]
}

// Arrival is a receiver's decision about one delivery.
type Arrival struct {
	Reply Reply
	// AckAt is when the 2xx leaves: at once, or after processing for a
	// synchronous receiver.
	AckAt time.Duration
	// Status is the HTTP status of an Overflow: 503 or 429.
	Status int
	// Suppressed is true when deduplication recognised the event: it is
	// acknowledged and not processed again.
	Suppressed bool
	// Holds is true when the client holds the event from this instant: it
	// is processed at once, synchronously, or queued durably. Otherwise it
	// is held once processed (Done), and a crash before then loses it.
	Holds bool
	// Work is the processing this delivery starts, if any.
	Work []Work
}

// Work is one event's processing, from Start to End.
type Work struct {
	Event      store.Event
	AcceptedAt time.Duration // when the receiver accepted the delivery
	Start, End time.Duration
	Holds      bool // the event is held once this work ends (it was not before)
}

// queued is an accepted event waiting for a worker.
type queued struct {
	ev         store.Event
	acceptedAt time.Duration
}

// Receiver is a webhook endpoint: it accepts deliveries unless it is down,
// failing or full; processes them at once, synchronously, or from a queue
// with workers; deduplicates by event ID; and loses what waits in a
// volatile queue when it crashes.
type Receiver struct {
	outages  Outages
	crashes  []scenario.Crash // in time order
	mode     string           // "", sync or async
	workTime random.Durations
	workers  int
	capacity int
	durable  bool
	overflow int
	errors   float64
	rng      *random.Source // processing times and errors

	dedupe *dedupeSet
	ends   []time.Duration // min-heap of the ends of the work in progress since the last crash: one per busy worker
	queue  []queued
	head   int
	downTo time.Duration // restarting after a crash until then
}

// NewReceiver returns the receiver cfg describes, down during outages,
// drawing processing times and errors from rng.
func NewReceiver(cfg scenario.Webhook, outages Outages, rng *random.Source) *Receiver {
	r := &Receiver{outages: outages, crashes: sortedCrashes(cfg.Crashes), errors: cfg.Errors, rng: rng}
	if p := cfg.Processing; p != nil {
		r.mode, r.workTime = p.Mode, p.Time.Distribution()
		r.workers, r.capacity, r.durable = p.Workers, p.Queue, p.Durable
		r.overflow = 503
		if p.Overflow == "429" {
			r.overflow = 429
		}
	}
	if cfg.Dedupe != nil {
		r.dedupe = newDedupeSet(cfg.Dedupe.TTL.D())
	}
	return r
}

func sortedCrashes(list []scenario.Crash) []scenario.Crash {
	out := append([]scenario.Crash(nil), list...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].At < out[j-1].At; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Crashes are the instants the receiver crashes, in order.
func (r *Receiver) Crashes() []scenario.Crash { return r.crashes }

// down says how the receiver answers a connection at now when it is down.
func (r *Receiver) down(now time.Duration) (Reply, bool) {
	if now < r.downTo {
		return Refuse, true
	}
	if o, ok := r.outages.At(now); ok {
		if o.Mode == "hang" {
			return Hang, true
		}
		return Refuse, true
	}
	return 0, false
}

// Arrive decides how the receiver answers a delivery of ev arriving at now.
func (r *Receiver) Arrive(now time.Duration, ev store.Event) Arrival {
	if reply, down := r.down(now); down {
		return Arrival{Reply: reply}
	}
	if r.errors > 0 && r.rng.Bernoulli(r.errors) {
		return Arrival{Reply: Error}
	}
	if r.dedupe != nil && r.dedupe.seen(ev.Seq, now) {
		return Arrival{Reply: Accept, AckAt: now, Suppressed: true}
	}
	switch r.mode {
	case "sync":
		end := now + r.workTime.Sample(r.rng)
		r.remember(ev, now)
		return Arrival{Reply: Accept, AckAt: end, Holds: true,
			Work: []Work{{Event: ev, AcceptedAt: now, Start: now, End: end}}}
	case "async":
		if r.waiting() >= r.capacity {
			return Arrival{Reply: Overflow, Status: r.overflow}
		}
		r.remember(ev, now)
		r.queue = append(r.queue, queued{ev: ev, acceptedAt: now})
		return Arrival{Reply: Accept, AckAt: now, Holds: r.durable, Work: r.startWork(now)}
	default:
		r.remember(ev, now)
		return Arrival{Reply: Accept, AckAt: now, Holds: true}
	}
}

// Seen reports whether an event that arrived by another path than a
// webhook (a reconciliation, a state sync) was processed already, by its
// ID, and remembers it otherwise. Without deduplication nothing is seen.
func (r *Receiver) Seen(now time.Duration, seq int64) bool {
	if r.dedupe == nil {
		return false
	}
	if r.dedupe.seen(seq, now) {
		return true
	}
	r.dedupe.insert(seq, now)
	return false
}

// Processes reports whether the receiver has processing to measure.
func (r *Receiver) Processes() bool { return r.mode != "" }

// CrashBetween reports whether the receiver crashes in [from, to): a
// synchronous request in progress then never gets its acknowledgement.
func (r *Receiver) CrashBetween(from, to time.Duration) bool {
	for _, c := range r.crashes {
		if c.At.D() >= from && c.At.D() < to {
			return true
		}
	}
	return false
}

func (r *Receiver) remember(ev store.Event, now time.Duration) {
	if r.dedupe != nil {
		r.dedupe.insert(ev.Seq, now)
	}
}

func (r *Receiver) waiting() int { return len(r.queue) - r.head }

// startWork hands queued events to idle workers.
func (r *Receiver) startWork(now time.Duration) []Work {
	var started []Work
	for len(r.ends) < r.workers && r.waiting() > 0 && now >= r.downTo {
		q := r.queue[r.head]
		r.queue[r.head] = queued{}
		r.head++
		w := Work{Event: q.ev, AcceptedAt: q.acceptedAt, Start: now,
			End: now + r.workTime.Sample(r.rng), Holds: !r.durable}
		r.pushEnd(w.End)
		started = append(started, w)
	}
	if r.head > 64 && r.head*2 > len(r.queue) {
		n := copy(r.queue, r.queue[r.head:])
		r.queue, r.head = r.queue[:n], 0
	}
	return started
}

// Done is told that a worker finished processing at now; it returns the
// work that starts next. The worker freed is the one whose work, among that
// started since the last crash, ends first. When none of it has ended by
// now, Done frees nothing and returns nil: so a Done reported for work a
// crash lost, which the caller should not report, never lets more than
// workers process at once.
func (r *Receiver) Done(now time.Duration) []Work {
	if r.mode != "async" || len(r.ends) == 0 || r.ends[0] > now {
		return nil
	}
	r.popEnd()
	return r.startWork(now)
}

// Crash crashes the receiver at now: it restarts until now + restart and
// refuses connections meanwhile. It returns the events it loses: those
// waiting or in progress in a queue that is not durable, which it forgets
// having seen. With a durable queue, work in progress goes back to the
// queue. The work in progress at the crash is void: the caller should not
// report its Done, and Done does not count it.
func (r *Receiver) Crash(now, restart time.Duration, inProgress []Work) (lost []store.Event) {
	r.downTo = max(r.downTo, now+restart)
	if r.mode != "async" {
		return nil
	}
	r.ends = r.ends[:0]
	if r.durable {
		back := make([]queued, 0, len(inProgress)+r.waiting())
		for _, w := range inProgress {
			back = append(back, queued{ev: w.Event, acceptedAt: w.AcceptedAt})
		}
		r.queue = append(back, r.queue[r.head:]...)
		r.head = 0
		return nil
	}
	for _, w := range inProgress {
		lost = append(lost, w.Event)
	}
	for _, q := range r.queue[r.head:] {
		lost = append(lost, q.ev)
	}
	r.queue, r.head = r.queue[:0], 0
	if r.dedupe != nil {
		for _, ev := range lost {
			r.dedupe.forget(ev.Seq)
		}
	}
	return lost
}

// Restart is told that the receiver is up again at now; it returns the work
// a durable queue resumes.
func (r *Receiver) Restart(now time.Duration) []Work { return r.startWork(now) }

// pushEnd adds the end of a work that starts to the heap of ends.
func (r *Receiver) pushEnd(end time.Duration) {
	h := append(r.ends, end)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if h[parent] <= h[i] {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
	r.ends = h
}

// popEnd removes the earliest end from the heap of ends.
func (r *Receiver) popEnd() {
	h := r.ends
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < n && h[c] < h[least] {
				least = c
			}
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	r.ends = h
}

// RefetchAfter is how long a receiver of thin deliveries waits before it
// fetches an event again after a fetch answered with status: the Retry-After
// of a 429, a second after another failure. It reports false when it does
// not fetch again: the event came (200), or the store no longer has it (404).
func RefetchAfter(status store.Status, retryAfter time.Duration) (time.Duration, bool) {
	switch status {
	case store.StatusOK, store.StatusNotFound:
		return 0, false
	case store.StatusRateLimited:
		return retryAfter, true
	default:
		return time.Second, true
	}
}
