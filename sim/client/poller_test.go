package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

const sec = time.Second

func d(x time.Duration) scenario.Duration { return scenario.Duration(x) }

// hits is a 200 that brought n events up to cursor.
func hits(n int, cursor int64) *store.PollResponse {
	return &store.PollResponse{Status: store.StatusOK, Count: n, Cursor: cursor}
}

func status(s store.Status) *store.PollResponse { return &store.PollResponse{Status: s} }

func limited(retryAfter time.Duration) *store.PollResponse {
	return &store.PollResponse{Status: store.StatusRateLimited, RetryAfter: retryAfter}
}

// closedLoops are the schedules that run one cycle at a time.
var closedLoops = map[string]scenario.Poll{
	"adaptive": {Adaptive: &scenario.Adaptive{Min: d(sec), Max: d(time.Minute), Factor: 2}, Phase: phase(0), Paging: true},
	"aimd":     {AIMD: &scenario.AIMD{Min: d(sec), Max: d(time.Minute), Step: d(sec), Factor: 0.5}, Phase: phase(0), Paging: true},
	"delay":    {Interval: d(10 * sec), Loop: "delay", Phase: phase(0), Paging: true},
	"long":     {Long: &scenario.LongPoll{Hold: d(30 * sec)}, Phase: phase(0), Paging: true},
}

// TestClosedLoopsNeverHaveTwoRequestsOut checks that a closed loop's Wake
// sends nothing while its request (or a page of it) is out.
func TestClosedLoopsNeverHaveTwoRequestsOut(t *testing.T) {
	t.Parallel()
	for name, cfg := range closedLoops {
		p := poller(t, cfg)
		require.Equal(t, time.Duration(0), p.Start(), "%s: Start() with phase 0", name)
		a := p.Wake(0)
		require.True(t, a.Send, "%s: Wake(0)", name)
		assert.Equal(t, Never, a.Wake, "%s: Wake(0) asks for no wake-up: the response wakes it", name)
		for _, at := range []time.Duration{sec / 2, sec, time.Minute} {
			a = p.Wake(at)
			assert.False(t, a.Send, "%s: Wake(%v) while the request is out sends = true; want false", name, at)
			assert.Equal(t, Never, a.Wake, "%s: Wake(%v) while busy", name, at)
		}
		// A page follows has_more within the cycle; still one out at a time.
		a = p.Receive(time.Minute, a.Req, ok(100, true))
		require.True(t, a.Send, "%s: a page follows has_more", name)
		assert.Equal(t, metrics.Page, a.Req.Kind, "%s: the page's kind", name)
		assert.False(t, p.Wake(time.Minute+sec).Send, "%s: Wake while the page is out", name)
		a = p.Receive(time.Minute+2*sec, a.Req, hits(3, 103))
		assert.False(t, a.Send, "%s: the cycle ends", name)
		assert.NotEqual(t, Never, a.Wake, "%s: a next cycle is scheduled", name)
		a = p.Wake(a.Wake)
		assert.True(t, a.Send, "%s: the next cycle sends", name)
		assert.Equal(t, int64(103), a.Req.Cursor, "%s: from the new cursor", name)
	}
}

// TestAdaptivePollerSpacesCyclesFromTheirStart drives a backoff poller
// through misses, a paged hit and a miss again.
func TestAdaptivePollerSpacesCyclesFromTheirStart(t *testing.T) {
	t.Parallel()
	p := poller(t, closedLoops["adaptive"])
	p.Start()
	at := time.Duration(0)
	for _, want := range []time.Duration{2 * sec, 6 * sec, 14 * sec} { // 2, 4, 8 s after each poll left
		a := p.Wake(at)
		require.True(t, a.Send)
		a = p.Receive(at+100*time.Millisecond, a.Req, ok(0, false))
		assert.Equal(t, want, a.Wake, "after an empty poll sent at %v", at)
		at = a.Wake
	}
	a := p.Wake(at) // 14 s
	a = p.Receive(at+100*time.Millisecond, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 3, Cursor: 3, HasMore: true})
	require.True(t, a.Send, "page")
	a = p.Receive(at+200*time.Millisecond, a.Req, ok(3, false))
	assert.Equal(t, at+sec, a.Wake, "a hit anywhere in the cycle resets to min, from the cycle's start")
}

func TestFixedDelayPollerWaitsAfterTheResponse(t *testing.T) {
	t.Parallel()
	p := poller(t, closedLoops["delay"])
	p.Start()
	a := p.Wake(0)
	a = p.Receive(700*time.Millisecond, a.Req, ok(0, false))
	assert.Equal(t, 10*sec+700*time.Millisecond, a.Wake, "interval after the response")
}

func TestLongPollerAsksAgainAtOnce(t *testing.T) {
	t.Parallel()
	p := poller(t, closedLoops["long"])
	p.Start()
	a := p.Wake(0)
	require.True(t, a.Send)
	assert.Equal(t, metrics.LongPoll, a.Req.Kind)
	assert.Equal(t, 30*sec, a.Req.Hold, "the request carries the hold")
	a = p.Receive(30*sec, a.Req, ok(0, false))
	assert.Equal(t, 30*sec, a.Wake, "an empty answer at the hold's end: again at once")
	a = p.Wake(30 * sec)
	require.True(t, a.Send)
	a = p.Receive(42*sec, a.Req, hits(1, 1))
	assert.Equal(t, 42*sec, a.Wake, "an event: again at once")
	a = p.Wake(42 * sec)
	assert.Equal(t, int64(1), a.Req.Cursor)
	assert.Equal(t, 30*sec, a.Req.Hold)

	// A page that follows has_more is not held.
	a = p.Receive(43*sec, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 100, Cursor: 101, HasMore: true})
	require.True(t, a.Send)
	assert.Equal(t, metrics.Page, a.Req.Kind)
	assert.Zero(t, a.Req.Hold, "a page is answered at once")
}

// TestClosedLoopRetriesAfterRetryAfter checks that a 429 in a closed loop
// retries the same request, at Retry-After and not before.
func TestClosedLoopRetriesAfterRetryAfter(t *testing.T) {
	t.Parallel()
	for name, cfg := range closedLoops {
		p := poller(t, cfg)
		p.Start()
		first := p.Wake(0)
		require.True(t, first.Send)
		a := p.Receive(200*time.Millisecond, first.Req, limited(3*sec))
		assert.False(t, a.Send, "%s: a 429 sends nothing at once", name)
		assert.Equal(t, 3200*time.Millisecond, a.Wake, "%s: wake at Retry-After", name)
		a = p.Wake(3200 * time.Millisecond)
		require.True(t, a.Send, "%s: Wake at Retry-After sends", name)
		assert.Equal(t, first.Req, a.Req, "%s: the same request again", name)
		assert.False(t, p.Wake(3300*time.Millisecond).Send, "%s: the retry is out: nothing more", name)

		// A refused page is retried as that page.
		a = p.Receive(4*sec, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 5, Cursor: 5, HasMore: true})
		require.True(t, a.Send, "%s: page", name)
		page := a.Req
		a = p.Receive(4100*time.Millisecond, page, limited(2*sec))
		assert.Equal(t, 6100*time.Millisecond, a.Wake, "%s: page Retry-After", name)
		a = p.Wake(6100 * time.Millisecond)
		assert.Equal(t, page, a.Req, "%s: the page again", name)
		// The cycle that ends after it leaves no earlier than Retry-After.
		a = p.Receive(6200*time.Millisecond, a.Req, ok(5, false))
		assert.GreaterOrEqual(t, a.Wake, 6100*time.Millisecond, "%s: next cycle", name)
	}
}

// TestClosedLoopBacksOffAfter503 checks a backoff of 1 s doubling to 4 s:
// the same request is retried after 1, 2, 4, 4 s, and a success resets it.
func TestClosedLoopBacksOffAfter503(t *testing.T) {
	t.Parallel()
	cfg := closedLoops["delay"]
	cfg.Backoff = &scenario.Backoff{Initial: d(sec), Max: d(4 * sec)}
	p := poller(t, cfg)
	p.Start()
	a := p.Wake(0)
	first := a.Req
	now := time.Duration(0)
	for i, wait := range []time.Duration{sec, 2 * sec, 4 * sec, 4 * sec, 4 * sec} {
		now += 100 * time.Millisecond
		a = p.Receive(now, a.Req, status(store.StatusUnavailable))
		assert.Equal(t, now+wait, a.Wake, "503 #%d at %v: wake = %v; want %v later", i+1, now, a.Wake, wait)
		assert.False(t, a.Send)
		now = a.Wake
		a = p.Wake(now)
		require.True(t, a.Send, "503 #%d: retried at %v", i+1, now)
		assert.Equal(t, first, a.Req, "503 #%d: the same request again", i+1)
	}
	a = p.Receive(now+100*time.Millisecond, a.Req, ok(0, false))
	assert.Equal(t, now+100*time.Millisecond+10*sec, a.Wake, "after a success the schedule resumes")
	now = a.Wake
	a = p.Wake(now)
	a = p.Receive(now, a.Req, status(store.StatusUnavailable))
	assert.Equal(t, now+sec, a.Wake, "a success resets the backoff to initial")
}

// TestBackoffNeverOverflows checks a long run of 503s: every wait stays
// between initial and max, however many come in a row.
func TestBackoffNeverOverflows(t *testing.T) {
	t.Parallel()
	for _, initial := range []time.Duration{sec, 10 * sec, time.Hour} {
		cfg := closedLoops["adaptive"]
		cfg.Backoff = &scenario.Backoff{Initial: d(initial), Max: d(max(5*time.Minute, initial))}
		p := poller(t, cfg)
		p.Start()
		a := p.Wake(0)
		now := time.Duration(0)
		for i := range 100 {
			a = p.Receive(now, a.Req, status(store.StatusUnavailable))
			wait := a.Wake - now
			require.True(t, wait >= initial && wait <= cfg.Backoff.Max.D(),
				"initial %v: 503 #%d waits %v; want within [%v, %v]", initial, i+1, wait, initial, cfg.Backoff.Max)
			now = a.Wake
			a = p.Wake(now)
			require.True(t, a.Send)
		}
	}
}

// TestClosedLoopWithoutBackoffCarriesOnAfter503 checks that without a
// backoff a 503 ends the cycle as an empty poll would.
func TestClosedLoopWithoutBackoffCarriesOnAfter503(t *testing.T) {
	t.Parallel()
	p := poller(t, closedLoops["adaptive"])
	p.Start()
	a := p.Wake(0)
	a = p.Receive(100*time.Millisecond, a.Req, status(store.StatusUnavailable))
	assert.Equal(t, 2*sec, a.Wake, "a 503 counts as a miss: 2·min after the poll left")
	a = p.Wake(2 * sec)
	assert.Equal(t, metrics.Poll, a.Req.Kind, "a new poll, not a retry")
}

// TestOpenLoopBacksOffAfter503 checks that a ticker skips its ticks while a
// 503 backoff runs, and goes back to them after.
func TestOpenLoopBacksOffAfter503(t *testing.T) {
	t.Parallel()
	cfg := scenario.Poll{Interval: d(sec), Phase: phase(0), Paging: true, Backoff: &scenario.Backoff{Initial: d(3 * sec), Max: d(time.Minute)}}
	p := poller(t, cfg)
	p.Start()
	a := p.Wake(0)
	a = p.Receive(100*time.Millisecond, a.Req, status(store.StatusUnavailable))
	assert.Equal(t, sec, a.Wake, "the grid is kept")
	var sent []time.Duration
	for tick := sec; tick <= 5*sec; tick += sec {
		if p.Wake(tick).Send {
			sent = append(sent, tick)
		}
	}
	assert.Equal(t, []time.Duration{4 * sec, 5 * sec}, sent, "ticks before 3.1 s are skipped")

	// Without a backoff the ticker just carries on.
	cfg.Backoff = nil
	p = poller(t, cfg)
	p.Start()
	a = p.Wake(0)
	p.Receive(100*time.Millisecond, a.Req, status(store.StatusUnavailable))
	assert.True(t, p.Wake(sec).Send, "the next tick after a 503 without backoff")
}

// TestConditionalRequests checks that If-None-Match goes out only when the
// last 200 at this cursor was empty, and only on scheduled polls.
func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	p := poller(t, scenario.Poll{Interval: d(sec), Phase: phase(0), Paging: true, Conditional: true})
	p.Start()
	steps := []struct {
		resp *store.PollResponse
		want bool // the next poll carries If-None-Match
	}{
		{nil, false}, // the first poll: no ETag yet
		{ok(0, false), true},
		{status(store.StatusNotModified), true},
		{hits(2, 2), false}, // the cursor moved: the ETag was for 0
		{ok(2, false), true},
		{status(store.StatusRateLimited), true},
		{status(store.StatusUnavailable), true},
		{&store.PollResponse{Status: store.StatusOK, Cursor: 9, Expired: 7}, false}, // events aged out: not the empty answer of cursor 9
		{ok(9, false), true},
	}
	var last Request
	for i, s := range steps {
		now := time.Duration(i) * sec
		if s.resp != nil {
			p.Receive(now, last, s.resp)
		}
		a := p.Wake(now)
		require.True(t, a.Send, "step %d", i)
		assert.Equal(t, s.want, a.Req.IfNoneMatch, "step %d: after %+v, IfNoneMatch = %v; want %v", i, s.resp, a.Req.IfNoneMatch, s.want)
		last = a.Req
	}

	// A page never carries it.
	a := p.Receive(20*sec, last, &store.PollResponse{Status: store.StatusOK, Count: 100, Cursor: 109, HasMore: true})
	require.True(t, a.Send)
	assert.False(t, a.Req.IfNoneMatch, "a page is not conditional")

	// Nor does a poller that is not conditional.
	q := poller(t, scenario.Poll{Interval: d(sec), Phase: phase(0)})
	q.Start()
	a = q.Wake(0)
	q.Receive(0, a.Req, ok(0, false))
	assert.False(t, q.Wake(sec).Req.IfNoneMatch, "unconditional poller")
}

func TestConditionalRequestsOfAResourceFeed(t *testing.T) {
	t.Parallel()
	p := NewPoller(scenario.Poll{Interval: d(sec), Phase: phase(0), Conditional: true}, 0, nil, random.Stream(1, "p"))
	p.Start()
	a := p.Wake(0)
	p.Receive(0, a.Req, &store.PollResponse{Status: store.StatusOK, Cursor: 4, Skipped: []int64{4}})
	assert.False(t, p.Wake(sec).Req.IfNoneMatch, "skipped events changed the feed")
}

func TestPerResourcePollerRequestsItsFeed(t *testing.T) {
	t.Parallel()
	for _, cfg := range []scenario.Poll{
		{Interval: d(sec), Phase: phase(0), Paging: true},
		{Long: &scenario.LongPoll{Hold: d(sec)}, Phase: phase(0), Paging: true},
	} {
		p := NewPoller(cfg, 3, nil, random.Stream(1, "p"))
		assert.Equal(t, 3, p.Resource())
		p.Start()
		a := p.Wake(0)
		require.True(t, a.Send)
		assert.True(t, a.Req.ByResource, "a per-resource poll has ByResource")
		assert.Equal(t, 3, a.Req.Resource)
		a = p.Receive(0, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 2, Cursor: 17, HasMore: true})
		require.True(t, a.Send)
		assert.True(t, a.Req.ByResource, "its page too")
		assert.Equal(t, 3, a.Req.Resource)
		assert.Equal(t, int64(17), a.Req.Cursor)
	}
	p := poller(t, scenario.Poll{Interval: d(sec), Phase: phase(0)})
	assert.Equal(t, -1, p.Resource())
	p.Start()
	assert.False(t, p.Wake(0).Req.ByResource, "the feed of all events")
}

// TestClosedLoopWaitsOutAnOutage checks that a closed loop's next request
// goes out when the outage ends.
func TestClosedLoopWaitsOutAnOutage(t *testing.T) {
	t.Parallel()
	for name, cfg := range closedLoops {
		p := poller(t, cfg, scenario.Outage{At: d(5 * sec), For: d(20 * sec), Mode: "refuse"})
		p.Start()
		a := p.Wake(0)
		a = p.Receive(5*sec, a.Req, ok(0, false))
		if a.Wake < 25*sec {
			a = p.Wake(a.Wake)
			assert.False(t, a.Send, "%s: nothing while down", name)
			assert.Equal(t, 25*sec, a.Wake, "%s: wake when the outage ends", name)
		}
		a = p.Wake(a.Wake)
		assert.True(t, a.Send, "%s: the request goes out when the client is back", name)
	}
}

// TestClosedLoopDoesNotFollowHasMoreWhileDown checks that a response
// arriving in an outage ends the cycle and the rest waits.
func TestClosedLoopDoesNotFollowHasMoreWhileDown(t *testing.T) {
	t.Parallel()
	p := poller(t, closedLoops["long"], scenario.Outage{At: d(sec), For: d(10 * sec), Mode: "refuse"})
	p.Start()
	a := p.Wake(0)
	a = p.Receive(2*sec, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 100, Cursor: 100, HasMore: true})
	assert.False(t, a.Send, "no page while down")
	a = p.Wake(a.Wake)
	assert.False(t, a.Send)
	assert.Equal(t, 11*sec, a.Wake)
	a = p.Wake(11 * sec)
	require.True(t, a.Send)
	assert.Equal(t, int64(100), a.Req.Cursor)
}

func TestReconcilerAndSyncer(t *testing.T) {
	t.Parallel()
	r := NewReconciler(time.Hour, nil, random.Stream(1, "r"))
	start := r.Start()
	assert.True(t, start >= 0 && start < time.Hour, "Reconciler.Start() = %v; want within [0, 1h)", start)
	a := r.Wake(start)
	require.True(t, a.Send)
	assert.Equal(t, metrics.Reconcile, a.Req.Kind)
	assert.False(t, a.Req.State)
	assert.False(t, a.Req.ByResource)
	assert.Equal(t, start+time.Hour, a.Wake, "every hour")
	a = r.Receive(start+sec, a.Req, &store.PollResponse{Status: store.StatusOK, Count: 100, Cursor: 100, HasMore: true})
	require.True(t, a.Send, "a sweep reads page after page")
	assert.Equal(t, metrics.Reconcile, a.Req.Kind, "its pages are reconciliation requests too")
	assert.Equal(t, int64(100), a.Req.Cursor)
	a = r.Receive(start+2*sec, a.Req, ok(150, false))
	assert.False(t, a.Send)
	a = r.Wake(start + time.Hour)
	assert.Equal(t, int64(150), a.Req.Cursor, "the next sweep goes on from where the last stopped")

	s := NewSyncer(10*time.Minute, nil, random.Stream(1, "s"))
	start = s.Start()
	assert.True(t, start >= 0 && start < 10*time.Minute, "Syncer.Start() = %v", start)
	a = s.Wake(start)
	require.True(t, a.Send)
	assert.Equal(t, metrics.Sync, a.Req.Kind)
	assert.True(t, a.Req.State, "a sync asks for the state")
	assert.Equal(t, start+10*time.Minute, a.Wake)
}

func TestPollerPhaseIsDrawnBelowTheFirstInterval(t *testing.T) {
	t.Parallel()
	for name, cfg := range closedLoops {
		cfg.Phase = nil
		first := newSchedule(cfg).first()
		lowest, highest := first, time.Duration(0)
		for seed := range uint64(500) {
			start := NewPoller(cfg, -1, nil, random.Stream(seed, "p")).Start()
			require.True(t, start >= 0 && start < first, "%s: Start() = %v; want within [0, %v)", name, start, first)
			lowest, highest = min(lowest, start), max(highest, start)
		}
		assert.Less(t, lowest, first/10, "%s: 500 phases do not come near 0", name)
		assert.Greater(t, highest, first*9/10, "%s: 500 phases do not come near %v", name, first)
	}
}
