package client

import (
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// FixedPoller polls on a fixed-rate ticker: a poll leaves at every tick,
// whether or not the previous one has returned (an open model, as a load
// generator paces requests). It follows has_more at once when paging is on,
// sends nothing while it is down, and after a 429 sends nothing before the
// Retry-After has passed; a page refused with 429 is retried then.
type FixedPoller struct {
	interval time.Duration
	jitter   time.Duration
	phase    *time.Duration
	paging   bool
	outages  Outages
	rng      random.Source // phase and jitter

	cursor    int64
	nextTick  time.Duration
	holdUntil time.Duration // no request leaves before it (Retry-After)
	pageDue   bool          // a page refused with 429 is retried at holdUntil
}

var _ Poller = (*FixedPoller)(nil)

// NewFixedPoller returns the poller cfg describes, down during outages,
// drawing its phase and jitter from its own stream rng.
func NewFixedPoller(cfg scenario.Poll, outages Outages, rng random.Source) *FixedPoller {
	p := &FixedPoller{interval: cfg.Interval.D(), jitter: cfg.Jitter.D(), paging: cfg.Paging, outages: outages, rng: rng}
	if cfg.Phase != nil {
		phase := cfg.Phase.D()
		p.phase = &phase
	}
	return p
}

// Start draws the phase: the first tick is uniform in [0, interval) unless
// the scenario fixes it.
func (p *FixedPoller) Start() time.Duration {
	if p.phase != nil {
		p.nextTick = *p.phase
	} else {
		p.nextTick = time.Duration(p.rng.Float64() * float64(p.interval))
	}
	return p.nextTick
}

// Cursor is the last seq the poller holds every event up to.
func (p *FixedPoller) Cursor() int64 { return p.cursor }

// Wake sends the poll of a tick, or the retry of a refused page.
func (p *FixedPoller) Wake(now time.Duration) Action {
	var act Action
	if now >= p.nextTick {
		p.nextTick = p.followingTick(p.nextTick)
		if now >= p.holdUntil && !p.outages.Down(now) {
			act.Send, act.Req = true, Request{Kind: metrics.Poll, Cursor: p.cursor}
			p.pageDue = false // the poll carries on from the same cursor
		}
	} else if p.pageDue && now >= p.holdUntil {
		p.pageDue = false
		if !p.outages.Down(now) {
			act.Send, act.Req = true, Request{Kind: metrics.Page, Cursor: p.cursor}
		}
	}
	act.Wake = p.wake()
	return act
}

// followingTick returns the tick after tick: interval later, plus a uniform
// jitter in [−jitter, +jitter] when there is one.
func (p *FixedPoller) followingTick(tick time.Duration) time.Duration {
	if p.jitter > 0 {
		return tick + p.interval + p.jitterDraw()
	}
	return tick + p.interval
}

// jitterDraw is uniform in [−jitter, +jitter].
func (p *FixedPoller) jitterDraw() time.Duration {
	return time.Duration((2*p.rng.Float64() - 1) * float64(p.jitter))
}

func (p *FixedPoller) wake() time.Duration {
	if p.pageDue && p.holdUntil < p.nextTick {
		return p.holdUntil
	}
	return p.nextTick
}

// Receive takes in a response: it moves the cursor, follows has_more, and
// holds back after a 429.
func (p *FixedPoller) Receive(now time.Duration, req Request, resp *store.PollResponse) Action {
	var act Action
	switch resp.Status {
	case store.StatusRateLimited:
		p.holdUntil = max(p.holdUntil, now+resp.RetryAfter)
		if req.Kind == metrics.Page {
			p.pageDue = true
		}
	case store.StatusOK:
		p.cursor = max(p.cursor, resp.Cursor)
		if resp.HasMore && p.paging && now >= p.holdUntil && !p.outages.Down(now) {
			act.Send, act.Req = true, Request{Kind: metrics.Page, Cursor: resp.Cursor}
		}
	}
	act.Wake = p.wake()
	return act
}
