package client

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

func poller(t *testing.T, cfg scenario.Poll, outages ...scenario.Outage) *Poller {
	t.Helper()
	return NewPoller(cfg, -1, NewOutages(outages), random.Stream(1, "poller"))
}

func phase(d time.Duration) *scenario.Duration {
	p := scenario.Duration(d)
	return &p
}

func pollReq(kind metrics.Kind, cursor int64) Request {
	return Request{Kind: kind, PollRequest: store.PollRequest{Cursor: cursor}}
}

func ok(cursor int64, hasMore bool) *store.PollResponse {
	return &store.PollResponse{Status: store.StatusOK, Cursor: cursor, HasMore: hasMore}
}

func TestTickerPollerTicksOnItsGridWhateverTheResponses(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(10 * time.Second), Phase: phase(3 * time.Second), Paging: true})
	assert.Equal(t, 3*time.Second, p.Start())
	a := p.Wake(3 * time.Second)
	assert.Equal(t, Action{Send: true, Req: pollReq(metrics.Poll, 0), Wake: 13 * time.Second}, a)
	// The next tick leaves even though this poll has not returned (open model).
	a = p.Wake(13 * time.Second)
	assert.True(t, a.Send)
	assert.Equal(t, 23*time.Second, a.Wake)
	a = p.Receive(13100*time.Millisecond, pollReq(metrics.Poll, 0), ok(7, false))
	assert.False(t, a.Send)
	assert.Equal(t, 23*time.Second, a.Wake, "a response does not move the grid")
	assert.Equal(t, int64(7), p.Cursor())
	a = p.Wake(23 * time.Second)
	assert.Equal(t, int64(7), a.Req.Cursor)
}

func TestTickerPollerDrawsItsPhaseInTheInterval(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		p := NewPoller(scenario.Poll{Interval: scenario.Duration(10 * time.Second)}, -1, nil, random.Stream(seed, "p"))
		start := p.Start()
		require.GreaterOrEqual(t, start, time.Duration(0))
		require.Less(t, start, 10*time.Second)
	}
}

func TestTickerPollerFollowsHasMoreOnlyWithPaging(t *testing.T) {
	t.Parallel()
	cfg := scenario.Poll{Interval: scenario.Duration(10 * time.Second), Phase: phase(0), Paging: true}
	p := poller(t, cfg)
	p.Start()
	p.Wake(0)
	a := p.Receive(time.Second, pollReq(metrics.Poll, 0), ok(100, true))
	assert.Equal(t, Action{Send: true, Req: pollReq(metrics.Page, 100), Wake: 10 * time.Second}, a)

	cfg.Paging = false
	p = poller(t, cfg)
	p.Start()
	p.Wake(0)
	a = p.Receive(time.Second, pollReq(metrics.Poll, 0), ok(100, true))
	assert.False(t, a.Send, "without paging the rest waits for the next poll")
}

func TestTickerPollerHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(time.Second), Phase: phase(0), Paging: true})
	p.Start()
	p.Wake(0)
	limited := &store.PollResponse{Status: store.StatusRateLimited, RetryAfter: 3 * time.Second}
	a := p.Receive(100*time.Millisecond, pollReq(metrics.Poll, 0), limited)
	assert.False(t, a.Send)
	for _, tick := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
		a = p.Wake(tick)
		assert.False(t, a.Send, "tick %v falls before the Retry-After ends at 3.1 s", tick)
	}
	a = p.Wake(4 * time.Second)
	assert.True(t, a.Send)
	assert.Equal(t, metrics.Poll, a.Req.Kind)
}

func TestTickerPollerRetriesARefusedPageAfterRetryAfter(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(10 * time.Second), Phase: phase(0), Paging: true})
	p.Start()
	p.Wake(0)
	p.Receive(time.Second, pollReq(metrics.Poll, 0), ok(100, true))
	a := p.Receive(1200*time.Millisecond, pollReq(metrics.Page, 100),
		&store.PollResponse{Status: store.StatusRateLimited, RetryAfter: 2 * time.Second, Cursor: 100})
	assert.False(t, a.Send)
	assert.Equal(t, 3200*time.Millisecond, a.Wake, "wake when the Retry-After ends")
	a = p.Wake(3200 * time.Millisecond)
	assert.Equal(t, Action{Send: true, Req: pollReq(metrics.Page, 100), Wake: 10 * time.Second}, a)
}

func TestTickerPollerSendsNothingWhileDown(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(10 * time.Second), Phase: phase(0), Paging: true},
		scenario.Outage{At: scenario.Duration(15 * time.Second), For: scenario.Duration(20 * time.Second), Mode: "refuse"})
	p.Start()
	var sent []time.Duration
	for tick := time.Duration(0); tick < 60*time.Second; tick += 10 * time.Second {
		if p.Wake(tick).Send {
			sent = append(sent, tick)
		}
	}
	assert.Equal(t, []time.Duration{0, 10 * time.Second, 40 * time.Second, 50 * time.Second}, sent, "ticks at 20 s and 30 s are skipped")
}

func TestTickerPollerCursorNeverMovesBackwards(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(time.Second), Phase: phase(0)})
	p.Start()
	p.Receive(time.Second, pollReq(metrics.Poll, 0), ok(50, false))
	p.Receive(time.Second, pollReq(metrics.Poll, 0), ok(20, false)) // an overlapping poll with an older cursor
	assert.Equal(t, int64(50), p.Cursor())
}

func TestTickerPollerJitterIsUniformAroundTheInterval(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: scenario.Duration(10 * time.Second), Jitter: scenario.Duration(2 * time.Second), Phase: phase(0)})
	now := p.Start()
	for range 10_000 {
		next := p.Wake(now).Wake
		gap := next - now
		require.GreaterOrEqual(t, gap, 8*time.Second)
		require.LessOrEqual(t, gap, 12*time.Second)
		now = next
	}
	// 10,000 intervals of mean 10 s and standard deviation 4/√12 s.
	assert.InDelta(t, 100_000, now.Seconds(), 4*math.Sqrt(10_000)*4/math.Sqrt(12))
}
