package store

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// newStore builds a store of evenly spaced events, one a second from 0.5 s
// (offset fixed by replacing the process), answering at once.
func newStore(t testing.TB, extra string) *Store {
	t.Helper()
	sc, err := scenario.Parse("store.yaml", []byte(`
duration: 1h
network: {header_bytes: 100}
store:
  arrivals: {process: constant, rate: 1/s}
  payload_bytes: 500
  api: {latency: 0s, page_size: 3, retention: 10s`+extra+`}
clients: [{name: c, poll: {interval: 1s}}]
`))
	require.NoError(t, err)
	s, err := New(sc, 1)
	require.NoError(t, err)
	s.log = newEventLog(&Evenly{rate: intensity{base: 1}, left: 0.5}, sc.Duration.D(), s.newEvent)
	return s
}

func TestPollReturnsThePageAfterTheCursorAsOfItsArrival(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	r := s.AddReader("c", 1, ReadsFeed)

	var resp PollResponse
	s.Poll(r, 2*time.Second, PollRequest{Cursor: 0}, &resp)
	events := resp.Events
	assert.Equal(t, StatusOK, resp.Status)
	assert.Equal(t, int64(1), resp.First)
	assert.Equal(t, 2, resp.Count, "events created at 0.5 s and 1.5 s")
	assert.False(t, resp.HasMore)
	assert.Equal(t, int64(2), resp.Cursor)
	require.Len(t, events, 2)
	assert.Equal(t, 1500*time.Millisecond, events[1].Created)
	assert.Equal(t, 100+64+2*(500+1), resp.Bytes)

	s.Poll(r, 7*time.Second, PollRequest{Cursor: 2}, &resp)
	assert.Equal(t, int64(3), resp.First)
	assert.Equal(t, 3, resp.Count, "a page holds 3")
	assert.True(t, resp.HasMore, "events 6 and 7 wait")
	assert.Equal(t, int64(5), resp.Cursor)
	assert.Len(t, resp.Events, 3)
	assert.Equal(t, int64(3), resp.Events[0].Seq)

	s.Poll(r, 7*time.Second, PollRequest{Cursor: 5}, &resp)
	assert.Equal(t, 2, resp.Count)
	assert.False(t, resp.HasMore)

	s.Poll(r, 7200*time.Millisecond, PollRequest{Cursor: 7}, &resp)
	assert.Zero(t, resp.Count)
	assert.Empty(t, resp.Events)
	assert.Equal(t, int64(7), resp.Cursor, "an empty answer keeps the cursor")
	assert.Equal(t, 100+64, resp.Bytes)
}

func TestPollSkipsWhatAgedOut(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	r := s.AddReader("c", 1, ReadsFeed)
	// At 30 s, events created before 20 s are gone: seqs 1..20 (0.5 s .. 19.5 s).
	var resp PollResponse
	s.Poll(r, 30*time.Second, PollRequest{Cursor: 4}, &resp)
	assert.Equal(t, int64(16), resp.Expired, "seqs 5 to 20 aged out unread")
	assert.Equal(t, int64(21), resp.First)
	assert.Equal(t, 20500*time.Millisecond, resp.Events[0].Created)
	first, last := s.Kept(30 * time.Second)
	assert.Equal(t, int64(21), first)
	assert.Equal(t, int64(30), last)
}

func TestRateLimitAnswers429WithRetryAfterInWholeSeconds(t *testing.T) {
	t.Parallel()
	s := newStore(t, ", rate_limit: {rate: 2/s, burst: 2}")
	r := s.AddReader("c", 1, ReadsFeed)
	at := func(ms int) PollResponse {
		var resp PollResponse
		s.Poll(r, time.Duration(ms)*time.Millisecond, PollRequest{}, &resp)
		return resp
	}
	assert.Equal(t, StatusOK, at(0).Status)
	assert.Equal(t, StatusOK, at(0).Status)
	limited := at(100)
	assert.Equal(t, StatusRateLimited, limited.Status)
	assert.Equal(t, time.Second, limited.RetryAfter, "0.4 s to the next token, rounded up to 1 s")
	assert.Equal(t, 100+64, limited.Bytes)
	assert.Equal(t, StatusOK, at(500).Status, "a token after 0.5 s")
	assert.Equal(t, StatusRateLimited, at(600).Status)
	// A request that overtook an earlier one on the network is judged at the
	// earlier one's instant: the bucket does not refill twice.
	assert.Equal(t, StatusRateLimited, at(550).Status)
}

func TestRetryAfterRoundsUpASlowBucket(t *testing.T) {
	t.Parallel()
	s := newStore(t, ", rate_limit: {rate: 6/m, burst: 1}")
	r := s.AddReader("c", 1, ReadsFeed)
	var resp PollResponse
	s.Poll(r, 0, PollRequest{}, &resp)
	s.Poll(r, 2500*time.Millisecond, PollRequest{}, &resp)
	assert.Equal(t, StatusRateLimited, resp.Status)
	assert.Equal(t, 8*time.Second, resp.RetryAfter, "7.5 s to the next token at 6/m")
}

func TestAdvanceForgetsWhatEveryReaderPassed(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	fast, slow := s.AddReader("fast", 1, ReadsFeed), s.AddReader("slow", 1, ReadsFeed)
	var resp PollResponse
	s.Poll(fast, 5*time.Second, PollRequest{Cursor: 5}, &resp)
	s.Poll(slow, 5*time.Second, PollRequest{Cursor: 2}, &resp)
	s.Advance(5 * time.Second)
	assert.Equal(t, int64(3), s.log.firstSeq(), "the slow reader still needs 3")
	e, ok := s.Event(3)
	require.True(t, ok)
	assert.Equal(t, 2500*time.Millisecond, e.Created)
	// Retention forgets even what a stalled reader has not read.
	s.Advance(time.Minute)
	assert.Equal(t, int64(51), s.log.firstSeq(), "events before 50 s are older than 10 s")
	_, ok = s.Event(3)
	assert.False(t, ok)
}

func TestEmittedStopsAtDuration(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	assert.Equal(t, int64(3), s.Emitted(3*time.Second))
	assert.Equal(t, int64(3600), s.Emitted(2*time.Hour), "emission stops at duration (1h)")
	_, ok := s.Event(3601)
	assert.False(t, ok)
}

func TestSenderRetriesOnTheSvixSchedule(t *testing.T) {
	t.Parallel()
	plan := scenario.Webhooks{Retry: scenario.Retry{Preset: "svix"}}.Plan()
	snd := NewSender(plan, 0, random.New(1, "jitter"))
	assert.Equal(t, 15*time.Second, snd.Timeout())
	assert.Equal(t, 8, snd.Attempts())
	at := time.Duration(0)
	var offsets []time.Duration
	for n := 1; ; n++ {
		offsets = append(offsets, at)
		next, ok := snd.Retry(n, Refused, at) // each attempt fails at once
		if !ok {
			assert.Equal(t, 8, n, "gives up after the eighth attempt")
			break
		}
		at = next
	}
	assert.Equal(t, plan.Offsets(), offsets)
	assert.Equal(t, 27*time.Hour+35*time.Minute+5*time.Second, offsets[7])
}

func TestSenderJitterStaysWithinItsBounds(t *testing.T) {
	t.Parallel()
	plan := scenario.RetryPlan{Delays: []time.Duration{time.Minute}, Jitter: 0.2, Timeout: time.Second}
	snd := NewSender(plan, 0, random.New(1, "jitter"))
	var sum float64
	const n = 10_000
	for range n {
		next, ok := snd.Retry(1, Refused, time.Hour)
		require.True(t, ok)
		d := next - time.Hour
		require.GreaterOrEqual(t, d, 48*time.Second)
		require.LessOrEqual(t, d, 72*time.Second)
		sum += d.Seconds()
	}
	// U(48, 72): mean 60, standard deviation 24/√12.
	assert.InDelta(t, 60, sum/n, 4*24/math.Sqrt(12)/math.Sqrt(n))
}

func TestPoissonArrivalsHaveTheirRate(t *testing.T) {
	t.Parallel()
	p, err := NewArrivals(scenario.Arrivals{Process: "poisson", Rate: mustRate(t, "50/h")}, scenario.Duration(time.Hour), random.New(1, "a"))
	require.NoError(t, err)
	const n = 100_000
	var last time.Duration
	for range n {
		at, _, ok := p.Next()
		require.True(t, ok)
		require.GreaterOrEqual(t, at, last)
		last = at
	}
	mean := 72.0 // seconds between events at 50/h; exponential: sd = mean
	assert.InDelta(t, mean, last.Seconds()/n, 4*mean/math.Sqrt(n))
}

func TestConstantArrivalsAreEvenlySpaced(t *testing.T) {
	t.Parallel()
	a, err := NewArrivals(scenario.Arrivals{Process: "constant", Rate: mustRate(t, "3/s")}, scenario.Duration(time.Hour), random.New(1, "a"))
	require.NoError(t, err)
	first, _, _ := a.Next()
	assert.Less(t, first, time.Second/3)
	for k := 1; k <= 1000; k++ {
		at, _, _ := a.Next()
		assert.InDelta(t, float64(first)+float64(k)*float64(time.Second)/3, float64(at), 1, "event %d", k)
	}
}

func mustRate(t *testing.T, s string) scenario.Rate {
	t.Helper()
	r, err := scenario.ParseRate(s)
	require.NoError(t, err)
	return r
}
