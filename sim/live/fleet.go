package live

import (
	"container/heap"
	"context"
	"math"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pushpull/pushpull/sim/client"
)

// fleet drives the fixed-rate polling loops of one client row through one
// vegeta attack: an open model, so a poll leaves when it is due whether or
// not the previous one has returned.
//
// The fleet is the attack's Pacer. Pace wakes every loop that is due, as
// the discrete-event runner does, and lets a hit go only once a poller has
// asked to send: a wake-up that sends nothing (the client is down, or
// waits out a Retry-After) makes no hit, since a vegeta hit cannot be
// skipped. The targeter hands each hit the request a poller asked for.
// Answers come back on the attack's results and go to the same decision
// core as every other answer; a page that follows an answer goes on the
// shared client.
type fleet struct {
	w         *world
	row       int
	name      string
	rate      float64 // polls per wall-clock second, nominal
	attacker  *vegeta.Attacker
	transport *http.Transport
	ctx       context.Context

	wakes wakeHeap // guarded by w.mu

	qmu      sync.Mutex // guards the queue
	queue    []queued
	head     int
	enqueued uint64
	kick     chan struct{}
}

var _ vegeta.Pacer = (*fleet)(nil)

// queued is a request a poller asked for, waiting for its hit.
type queued struct {
	l   *loop
	req client.Request
	due time.Time
}

type wakeEntry struct {
	at  time.Duration
	l   *loop
	gen uint32
}

type wakeHeap []wakeEntry

func (h wakeHeap) Len() int           { return len(h) }
func (h wakeHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h wakeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *wakeHeap) Push(x any)        { *h = append(*h, x.(wakeEntry)) }
func (h *wakeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newFleet returns the fleet of client row row, whose loops poll at rate
// polls per scenario second in all, on connections to the store bounded by
// conns.
func (w *world) newFleet(row int, rate float64, conns int) *fleet {
	f := &fleet{w: w, row: row, name: w.sc.Clients[row].Name, rate: rate * w.clock.Speedup(), kick: make(chan struct{}, 1), ctx: w.ctx}
	tr := &http.Transport{
		DialContext:         w.net.DialContext,
		MaxConnsPerHost:     conns,
		MaxIdleConnsPerHost: conns,
		DisableCompression:  true,
	}
	f.transport = tr
	hc := &http.Client{Transport: tracing{w: w, base: tr}, Timeout: w.requestTimeout()}
	// vegeta.MaxConnections would set the same bound, but its options
	// assume vegeta's own transport; the bound is set on ours above.
	f.attacker = vegeta.NewAttacker(
		vegeta.Client(hc),
		vegeta.Workers(uint64(min(conns, 64))),
		vegeta.MaxBody(maxAnswer),
		vegeta.Redirects(vegeta.NoFollow),
	)
	w.fleets = append(w.fleets, f)
	return f
}

// schedule notes loop l's new wake-up. The caller holds mu.
func (f *fleet) schedule(l *loop) {
	if l.wakeAt == client.Never {
		return
	}
	heap.Push(&f.wakes, wakeEntry{at: l.wakeAt, l: l, gen: l.gen})
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// enqueue queues a request a poller asked for at a wake-up. The caller
// holds mu.
func (f *fleet) enqueue(l *loop, req client.Request, due time.Time) {
	f.qmu.Lock()
	f.queue = append(f.queue, queued{l: l, req: req, due: due})
	f.enqueued++
	f.qmu.Unlock()
}

// ready reports whether a request waits that no hit has been let go for.
func (f *fleet) ready(hits uint64) bool {
	f.qmu.Lock()
	defer f.qmu.Unlock()
	return f.enqueued > hits
}

// Pace lets the next hit go when a poller has asked to send: it wakes the
// loops as they fall due and waits in between. It stops the attack when
// the run stops.
func (f *fleet) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	w := f.w
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if f.ready(hits) {
			return 0, false
		}
		w.mu.Lock()
		if w.closed || f.ctx.Err() != nil {
			w.mu.Unlock()
			return 0, true
		}
		now := w.clock.Now()
		for len(f.wakes) > 0 && f.wakes[0].at <= now {
			e := heap.Pop(&f.wakes).(wakeEntry)
			if e.gen == e.l.gen && e.l.wakeAt == e.at {
				w.wake(e.l, e.at, now)
			}
		}
		next := client.Never
		if len(f.wakes) > 0 {
			next = f.wakes[0].at
		}
		w.mu.Unlock()
		if f.ready(hits) {
			return 0, false
		}
		var fire <-chan time.Time
		if next != client.Never {
			t.Reset(time.Until(w.clock.Wall(next)))
			fire = t.C
		}
		select {
		case <-fire:
		case <-f.kick:
			t.Stop()
		case <-f.ctx.Done():
			return 0, true
		}
	}
}

// Rate is the fleet's nominal rate, in polls per wall-clock second.
func (f *fleet) Rate(time.Duration) float64 { return f.rate }

// target hands a hit the request a poller asked for.
func (f *fleet) target(t *vegeta.Target) error {
	f.qmu.Lock()
	if f.head == len(f.queue) {
		f.qmu.Unlock()
		return vegeta.ErrNoTargets // cannot happen: Pace lets a hit go only for a queued request
	}
	q := f.queue[f.head]
	f.queue[f.head] = queued{}
	f.head++
	if f.head > 1024 && f.head*2 > len(f.queue) {
		n := copy(f.queue, f.queue[f.head:])
		f.queue, f.head = f.queue[:n], 0
	}
	f.qmu.Unlock()
	w := f.w
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return vegeta.ErrNoTargets // the run is over: this stops the attack
	}
	p := w.newPending(q.l.sub, q.l, nil, q.req, w.clock.Now(), q.due)
	w.mu.Unlock()
	t.Method, t.URL = http.MethodGet, p.url
	if p.etag != "" {
		t.Header = http.Header{"If-None-Match": {p.etag}}
	}
	return nil
}

// attack runs the fleet's attack until the run stops, taking in every
// answer. Stopping is by ctx: an attack takes no context, so a watcher
// stops it.
func (f *fleet) attack(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { f.attacker.Stop() })
	defer stop()
	for res := range f.attacker.Attack(f.target, f, 0, f.name) {
		f.take(res)
	}
}

// take takes in one result of the attack, cheaply: the attack's workers
// wait on it.
func (f *fleet) take(res *vegeta.Result) {
	w := f.w
	p := w.takePending(requestID(res.URL))
	if p == nil {
		return // a hit without a request: the targeter stopped the attack
	}
	body, headers := res.Body, res.Headers
	res.Body, res.Headers = nil, nil // vegeta.bin keeps neither
	if w.results != nil {
		w.results.write(res)
	}
	x := exchange{code: int(res.Code), header: headers, body: body, start: res.Timestamp, end: res.End()}
	w.answered(p, x, false)
}

// tracing is the fleets' transport: it traces when a scheduled request is
// written to its connection, to measure how late it left.
type tracing struct {
	w    *world
	base http.RoundTripper
}

func (t tracing) RoundTrip(req *http.Request) (*http.Response, error) {
	if p := t.w.peekPending(requestID(req.URL.RawQuery)); p != nil && !p.due.IsZero() {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), t.w.lateness(p)))
	}
	return t.base.RoundTrip(req)
}

// fleetConnections bounds a fleet's connections to the store: twice what
// its rate needs with every answer as slow as the model's 99th percentile,
// and at least a few.
func fleetConnections(ratePerWallS float64, slowest time.Duration) int {
	n := math.Ceil(ratePerWallS*(slowest+5*time.Millisecond).Seconds()) * 2
	return int(min(max(n, 8), 1024))
}
