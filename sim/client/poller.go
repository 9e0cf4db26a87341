package client

import (
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// Poller reads one feed of the store on a schedule: a fixed-rate ticker, a
// fixed-delay loop, adaptive backoff, AIMD, long polling, or the periodic
// sweep of a reconciliation or a state sync.
//
// On a ticker a poll leaves at every tick whether or not the previous one
// has returned (an open model, as a load generator paces requests); the
// other schedules run one cycle at a time (closed loops). Every schedule
// follows has_more at once when paging is on, sends nothing while the
// client is down, honours a 429's Retry-After, and backs off after a 503
// when it has a backoff.
type Poller struct {
	sched       schedule
	kind        metrics.Kind // of a scheduled request
	pageKind    metrics.Kind // of a request that follows has_more
	hold        time.Duration
	resource    int
	state       bool
	conditional bool
	paging      bool
	phase       *time.Duration
	outages     Outages
	backoff     *scenario.Backoff
	rng         random.Source // phase, jitter

	cursor  int64
	etagFor int64 // the cursor the last ETag was for, or −1

	next      time.Duration // open: the next tick; closed: when the next request leaves
	holdUntil time.Duration // no request leaves before it (Retry-After, backoff)
	pending   *Request      // closed: the request waiting for next; open: a page to retry at holdUntil
	busy      bool          // closed: a cycle is under way
	cycleAt   time.Duration // closed: when the cycle started
	cycleHit  bool          // closed: the cycle brought events
	errors    int           // 503s in a row
}

// NewPoller returns the poller of p for the feed of resource (−1: all
// events), down during outages, drawing its phase and jitter from rng.
func NewPoller(p scenario.Poll, resource int, outages Outages, rng random.Source) *Poller {
	kind := metrics.Poll
	if p.Long != nil {
		kind = metrics.LongPoll
	}
	pl := &Poller{sched: newSchedule(p), kind: kind, pageKind: metrics.Page, resource: resource,
		conditional: p.Conditional, paging: p.Paging, outages: outages, backoff: p.Backoff, rng: rng, etagFor: -1}
	if p.Long != nil {
		pl.hold = p.Long.Hold.D()
	}
	if p.Phase != nil {
		phase := p.Phase.D()
		pl.phase = &phase
	}
	return pl
}

// NewReconciler returns the reconciliation sweep of a webhook client: every
// interval, read the feed of all events from where the last sweep stopped,
// page after page.
func NewReconciler(every time.Duration, outages Outages, rng random.Source) *Poller {
	return &Poller{sched: &ticker{interval: every}, kind: metrics.Reconcile, pageKind: metrics.Reconcile,
		resource: -1, paging: true, outages: outages, rng: rng, etagFor: -1}
}

// NewSyncer returns the state sync of a webhook client: every interval,
// fetch the state of every resource.
func NewSyncer(every time.Duration, outages Outages, rng random.Source) *Poller {
	return &Poller{sched: &ticker{interval: every}, kind: metrics.Sync, pageKind: metrics.Sync,
		resource: -1, state: true, outages: outages, rng: rng, etagFor: -1}
}

// Request is a request a poller sends to the store.
type Request struct {
	Kind metrics.Kind
	store.PollRequest
}

// Action is what a poller asks its runner to do.
type Action struct {
	Send bool // send Req now
	Req  Request
	// Wake is the next instant the runner must call Wake, replacing any
	// wake-up asked for before; Never for none.
	Wake time.Duration
}

// Cursor is the last seq the poller holds every event of its feed up to.
func (p *Poller) Cursor() int64 { return p.cursor }

// Resource is the resource whose feed the poller reads, or −1 for all.
func (p *Poller) Resource() int { return p.resource }

// Start draws the phase and returns the instant of the first wake-up.
func (p *Poller) Start() time.Duration {
	if p.phase != nil {
		p.next = *p.phase
	} else {
		p.next = time.Duration(p.rng.Float64() * float64(p.sched.first()))
	}
	return p.next
}

// request is the scheduled request, or a page of it.
func (p *Poller) request(kind metrics.Kind) Request {
	r := Request{Kind: kind, PollRequest: store.PollRequest{Cursor: p.cursor, State: p.state}}
	if p.resource >= 0 {
		r.ByResource, r.Resource = true, p.resource
	}
	if kind == p.kind {
		r.Hold = p.hold
		r.IfNoneMatch = p.conditional && p.etagFor == p.cursor
	}
	return r
}

// Wake is called at the wake-up instant the poller asked for.
func (p *Poller) Wake(now time.Duration) Action {
	if p.sched.open() {
		return p.wakeOpen(now)
	}
	return p.wakeClosed(now)
}

func (p *Poller) wakeOpen(now time.Duration) Action {
	var act Action
	if now >= p.next {
		p.next = p.sched.tick(p.next, &p.rng)
		if now >= p.holdUntil && !p.outages.Down(now) {
			act.Send, act.Req = true, p.request(p.kind)
			p.pending = nil // the poll carries on from the same cursor
		}
	} else if p.pending != nil && now >= p.holdUntil {
		req := *p.pending
		p.pending = nil
		if !p.outages.Down(now) {
			act.Send, act.Req = true, req
		}
	}
	act.Wake = p.wakeOpenAt()
	return act
}

func (p *Poller) wakeOpenAt() time.Duration {
	if p.pending != nil && p.holdUntil < p.next {
		return p.holdUntil
	}
	return p.next
}

func (p *Poller) wakeClosed(now time.Duration) Action {
	if p.busy && p.pending == nil {
		return Action{Wake: Never} // a request is out: its response wakes the poller
	}
	if o, down := p.outages.At(now); down {
		return Action{Wake: (o.At + o.For).D()} // try again when the client is back
	}
	req := p.request(p.kind)
	if p.pending != nil {
		req = *p.pending
		p.pending = nil
	}
	if !p.busy {
		p.busy, p.cycleAt, p.cycleHit = true, now, false
	}
	return Action{Send: true, Req: req, Wake: Never}
}

// Receive hands the poller the store's response to req, read at now.
func (p *Poller) Receive(now time.Duration, req Request, resp *store.PollResponse) Action {
	switch resp.Status {
	case store.StatusOK:
		p.errors = 0
		if resp.Count > 0 {
			p.cycleHit = true
		}
		p.cursor = max(p.cursor, resp.Cursor)
		if resp.Count == 0 && len(resp.Skipped) == 0 && resp.Expired == 0 {
			p.etagFor = p.cursor // the ETag of an empty answer stays good until something arrives
		}
		if resp.HasMore && p.paging {
			if !p.outages.Down(now) && now >= p.holdUntil {
				return Action{Send: true, Req: p.request(p.pageKind), Wake: p.wakeAfterPage()}
			}
		}
	case store.StatusNotModified:
		p.errors = 0
	case store.StatusRateLimited:
		p.holdUntil = max(p.holdUntil, now+resp.RetryAfter)
		retry := req
		if p.sched.open() {
			if req.Kind == p.pageKind && req.Kind != p.kind {
				p.pending = &retry
			}
			return Action{Wake: p.wakeOpenAt()}
		}
		p.pending = &retry
		p.next = p.holdUntil
		return Action{Wake: p.next}
	case store.StatusUnavailable:
		p.errors++
		if p.backoff != nil {
			// Double step by step up to max: a shift by the error count
			// would overflow after a few dozen 503s in a row.
			wait := p.backoff.Initial.D()
			for i := 1; i < p.errors && wait < p.backoff.Max.D(); i++ {
				wait *= 2
			}
			wait = min(wait, p.backoff.Max.D())
			p.holdUntil = max(p.holdUntil, now+wait)
			if !p.sched.open() {
				retry := req
				p.pending = &retry
				p.next = p.holdUntil
				return Action{Wake: p.next}
			}
		}
	}
	if p.sched.open() {
		return Action{Wake: p.wakeOpenAt()}
	}
	// The cycle is over: schedule the next one.
	p.busy = false
	p.next = max(p.sched.next(p.cycleAt, now, p.cycleHit, &p.rng), p.holdUntil)
	return Action{Wake: p.next}
}

// wakeAfterPage is the wake-up to keep while a page is out.
func (p *Poller) wakeAfterPage() time.Duration {
	if p.sched.open() {
		return p.wakeOpenAt()
	}
	return Never
}
