package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/scenario"
)

// replayStore builds a store whose events are created at the given
// instants, with the given resources (nil: all 0), answering at once, with
// 100-byte headers, 500-byte payloads, pages of 3 and a 10 s retention.
// api adds fields to store.api.
func replayStore(t testing.TB, resources int, api string, at []time.Duration, res []int) *Store {
	t.Helper()
	sc, err := scenario.Parse("store.yaml", fmt.Appendf(nil, `
duration: 1h
network: {header_bytes: 100}
store:
  arrivals: {process: constant, rate: 1/s}
  resources: %d
  payload_bytes: 500
  api: {latency: 0s, page_size: 3, retention: 10s%s}
clients: [{name: c, poll: {interval: 1s}}]
`, resources, api))
	require.NoError(t, err)
	s, err := New(sc, 1)
	require.NoError(t, err)
	instants := make([]scenario.Duration, len(at))
	for i, d := range at {
		instants[i] = scenario.Duration(d)
	}
	if res == nil {
		res = make([]int, len(at))
	}
	s.log = newEventLog(&Replayed{instants: instants, resources: res}, sc.Duration.D(), s.newEvent)
	return s
}

// atSeconds returns instants given in seconds.
func atSeconds(ss ...float64) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

func seqs(events []Event) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, e.Seq)
	}
	return out
}

func TestLongPoll(t *testing.T) {
	t.Parallel()
	s := time.Second
	// Events at 1 s, 5 s (two at once), 5 s, 40 s.
	at := atSeconds(1, 5, 5, 40)
	tests := []struct {
		name      string
		arrive    time.Duration
		cursor    int64
		hold      time.Duration
		held      time.Duration
		events    []int64
		newCursor int64
	}{
		{"events already there: answered at once", 2 * s, 0, 30 * s, 0, []int64{1}, 1},
		{"answered at the first event after the cursor", 2 * s, 1, 30 * s, 3 * s, []int64{2, 3}, 3},
		{"answered the instant the event is created", 5 * s, 1, 30 * s, 0, []int64{2, 3}, 3},
		{"empty at the hold's end", 6 * s, 3, 30 * s, 30 * s, nil, 3},
		{"the event at the hold's end is in", 10 * s, 3, 30 * s, 30 * s, []int64{4}, 4},
		{"a hold of 0 is a plain poll", 2 * s, 1, 0, 0, nil, 1},
		{"empty at the hold's end after the last event", 41 * s, 4, 20 * s, 20 * s, nil, 4},
	}
	for _, tt := range tests {
		st := replayStore(t, 1, "", at, nil)
		r := st.AddReader("c", 1, ReadsFeed)
		var resp PollResponse
		st.Poll(r, tt.arrive, PollRequest{Cursor: tt.cursor, Hold: tt.hold}, &resp)
		assert.Equal(t, StatusOK, resp.Status, "%s: Status", tt.name)
		assert.Equal(t, tt.held, resp.Held, "%s: Poll(at %v, cursor %d, hold %v).Held = %v; want %v", tt.name, tt.arrive, tt.cursor, tt.hold, resp.Held, tt.held)
		assert.Equal(t, tt.events, seqs(resp.Events), "%s: Poll(at %v, cursor %d, hold %v) events", tt.name, tt.arrive, tt.cursor, tt.hold)
		assert.Equal(t, len(tt.events), resp.Count, "%s: Count", tt.name)
		assert.Equal(t, tt.newCursor, resp.Cursor, "%s: Cursor", tt.name)
	}
}

func TestLongPollOfAResourceFeedWaitsForThatResource(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 2, "", atSeconds(1, 2, 3, 7), []int{1, 1, 0, 0})
	r := st.AddReader("c", 1, ReadsResources)
	var resp PollResponse
	st.Poll(r, 0, PollRequest{ByResource: true, Resource: 0, Hold: 30 * time.Second}, &resp)
	assert.Equal(t, 3*time.Second, resp.Held, "Held for resource 0: its first event is seq 3 at 3 s")
	assert.Equal(t, []int64{3}, seqs(resp.Events))
	assert.Equal(t, int64(3), resp.Cursor)

	st.Poll(r, 4*time.Second, PollRequest{ByResource: true, Resource: 1, Cursor: 2, Hold: 30 * time.Second}, &resp)
	assert.Equal(t, 30*time.Second, resp.Held, "resource 1 has nothing after seq 2: held to the end")
	assert.Empty(t, resp.Events)
	assert.Equal(t, int64(2), resp.Cursor)
}

func TestResourceFeeds(t *testing.T) {
	t.Parallel()
	// Resource 1 gets seqs 2, 3, 5, 6, 8; resource 0 gets 1, 4, 7.
	at := atSeconds(1, 2, 3, 4, 5, 6, 20, 21)
	res := []int{0, 1, 1, 0, 1, 1, 0, 1}
	tests := []struct {
		name     string
		resource int
		cursor   int64
		arrive   time.Duration
		events   []int64
		skipped  []int64
		hasMore  bool
		next     int64
	}{
		{"first page", 1, 0, 7 * time.Second, []int64{2, 3, 5}, nil, true, 5},
		{"a full page with nothing more yet", 1, 0, 5500 * time.Millisecond, []int64{2, 3, 5}, nil, false, 5},
		{"second page", 1, 5, 7 * time.Second, []int64{6}, nil, false, 6},
		{"not yet created", 1, 6, 7 * time.Second, nil, nil, false, 6},
		{"the other resource", 0, 0, 7 * time.Second, []int64{1, 4}, nil, false, 4},
		{"a cursor between a resource's seqs", 0, 2, 7 * time.Second, []int64{4}, nil, false, 4},
		// At 20.5 s events before 10.5 s aged out.
		{"aged out are skipped", 1, 0, 20500 * time.Millisecond, nil, []int64{2, 3, 5, 6}, false, 6},
		{"aged out, then kept", 0, 0, 20500 * time.Millisecond, []int64{7}, []int64{1, 4}, false, 7},
		{"skipped do not fill the page", 1, 0, 22 * time.Second, []int64{8}, []int64{2, 3, 5, 6}, false, 8},
		{"nothing after the cursor", 1, 8, 22 * time.Second, nil, nil, false, 8},
	}
	// The store creates events lazily; a long poll or a fetch may have made
	// it create later ones already. The answer is the same either way.
	for _, tt := range tests {
		for _, ahead := range []bool{false, true} {
			st := replayStore(t, 2, "", at, res)
			r := st.AddReader("c", 1, ReadsResources)
			if ahead {
				st.Emitted(time.Hour)
			}
			var resp PollResponse
			st.Poll(r, tt.arrive, PollRequest{ByResource: true, Resource: tt.resource, Cursor: tt.cursor}, &resp)
			call := fmt.Sprintf("Poll(resource %d, cursor %d, at %v, log created ahead %v)", tt.resource, tt.cursor, tt.arrive, ahead)
			assert.Equal(t, StatusOK, resp.Status, "%s: %s.Status", tt.name, call)
			assert.Equal(t, tt.events, seqs(resp.Events), "%s: %s events", tt.name, call)
			for _, e := range resp.Events {
				assert.Equal(t, int32(tt.resource), e.Resource, "%s: %s returned seq %d of resource %d", tt.name, call, e.Seq, e.Resource)
			}
			if tt.skipped == nil {
				assert.Empty(t, resp.Skipped, "%s: %s.Skipped = %v; want none", tt.name, call, resp.Skipped)
			} else {
				assert.Equal(t, tt.skipped, resp.Skipped, "%s: %s.Skipped", tt.name, call)
			}
			assert.Equal(t, tt.hasMore, resp.HasMore, "%s: %s.HasMore", tt.name, call)
			assert.Equal(t, tt.next, resp.Cursor, "%s: %s.Cursor = %d; want %d", tt.name, call, resp.Cursor, tt.next)
			assert.Zero(t, resp.Expired, "%s: %s.Expired is for the global feed", tt.name, call)
			if len(tt.events) > 0 {
				assert.Equal(t, tt.events[0], resp.First, "%s: %s.First", tt.name, call)
			}
		}
	}
}

func TestPollLimit(t *testing.T) {
	t.Parallel()
	// Seqs 1 to 9, one a second from 1 s; resource 1 gets 2, 3, 5, 6, 8, 9
	// and resource 0 gets 1, 4, 7. Pages hold 3; events older than 10 s
	// aged out.
	at := atSeconds(1, 2, 3, 4, 5, 6, 20, 21, 22)
	res := []int{0, 1, 1, 0, 1, 1, 0, 1, 1}
	const all = -1
	tests := []struct {
		name     string
		resource int // all: the global feed
		cursor   int64
		limit    int
		arrive   time.Duration
		events   []int64
		skipped  []int64
		expired  int64
		hasMore  bool
		next     int64
	}{
		{"no limit: the page size", all, 0, 0, 7 * time.Second, []int64{1, 2, 3}, nil, 0, true, 3},
		{"a limit below the page size", all, 0, 2, 7 * time.Second, []int64{1, 2}, nil, 0, true, 2},
		{"a limit of one", all, 2, 1, 7 * time.Second, []int64{3}, nil, 0, true, 3},
		{"a limit above the page size is the page size", all, 0, 5, 7 * time.Second, []int64{1, 2, 3}, nil, 0, true, 3},
		{"a limit the rest fits in", all, 4, 2, 7 * time.Second, []int64{5, 6}, nil, 0, false, 6},
		// At 20.5 s events before 10.5 s aged out: seqs 1 to 6.
		{"aged out events do not fill the limit", all, 0, 1, 21500 * time.Millisecond, []int64{7}, nil, 6, true, 7},
		{"a resource feed, limited", 1, 0, 2, 7 * time.Second, []int64{2, 3}, nil, 0, true, 3},
		{"a resource feed, the rest fits", 1, 3, 2, 7 * time.Second, []int64{5, 6}, nil, 0, false, 6},
		{"skipped do not fill the limit", 1, 0, 1, 22500 * time.Millisecond, []int64{8}, []int64{2, 3, 5, 6}, 0, true, 8},
	}
	for _, tt := range tests {
		st := replayStore(t, 2, "", at, res)
		r := st.AddReader("c", 1, ReadsResources)
		req := PollRequest{Cursor: tt.cursor, Limit: tt.limit}
		if tt.resource != all {
			req.ByResource, req.Resource = true, tt.resource
		}
		var resp PollResponse
		st.Poll(r, tt.arrive, req, &resp)
		call := fmt.Sprintf("Poll(resource %d, cursor %d, limit %d, at %v)", tt.resource, tt.cursor, tt.limit, tt.arrive)
		assert.Equal(t, StatusOK, resp.Status, "%s: %s.Status", tt.name, call)
		assert.Equal(t, tt.events, seqs(resp.Events), "%s: %s events", tt.name, call)
		assert.Equal(t, len(tt.events), resp.Count, "%s: %s.Count", tt.name, call)
		assert.Equal(t, tt.events[0], resp.First, "%s: %s.First", tt.name, call)
		if tt.skipped == nil {
			assert.Empty(t, resp.Skipped, "%s: %s.Skipped = %v; want none", tt.name, call, resp.Skipped)
		} else {
			assert.Equal(t, tt.skipped, resp.Skipped, "%s: %s.Skipped", tt.name, call)
		}
		assert.Equal(t, tt.expired, resp.Expired, "%s: %s.Expired", tt.name, call)
		assert.Equal(t, tt.hasMore, resp.HasMore, "%s: %s.HasMore", tt.name, call)
		assert.Equal(t, tt.next, resp.Cursor, "%s: %s.Cursor = %d; want %d", tt.name, call, resp.Cursor, tt.next)
		assert.Equal(t, 100+64+len(tt.events)*(500+1), resp.Bytes, "%s: %s.Bytes: only what is returned", tt.name, call)
	}
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name   string
		cursor int64
		arrive time.Duration
		status Status
		bytes  int
	}{
		{"nothing yet", 0, s / 2, StatusNotModified, 100},
		{"nothing new", 2, 3 * s, StatusNotModified, 100},
		{"a new event", 1, 3 * s, StatusOK, 100 + 64 + 501},
		{"the first event", 0, 3 * s, StatusOK, 100 + 64 + 2*501},
		// At 12.5 s event 1 (1 s) aged out unread: the answer changed.
		{"events after the cursor aged out", 0, 12500 * time.Millisecond, StatusOK, 100 + 64 + 501},
		{"all aged out but the cursor is past them", 2, 12500 * time.Millisecond, StatusNotModified, 100},
	}
	for _, tt := range tests {
		st := replayStore(t, 1, "", atSeconds(1, 2.5), nil)
		r := st.AddReader("c", 1, ReadsFeed)
		var resp PollResponse
		st.Poll(r, tt.arrive, PollRequest{Cursor: tt.cursor, IfNoneMatch: true}, &resp)
		assert.Equal(t, tt.status, resp.Status, "%s: Poll(cursor %d, if-none-match, at %v).Status = %d; want %d", tt.name, tt.cursor, tt.arrive, resp.Status, tt.status)
		assert.Equal(t, tt.bytes, resp.Bytes, "%s: Bytes", tt.name)
		if tt.status == StatusNotModified {
			assert.Empty(t, resp.Events, "%s: a 304 has no body", tt.name)
			assert.Equal(t, tt.cursor, resp.Cursor, "%s: a 304 keeps the cursor", tt.name)
		}
	}
}

func TestConditionalRequestOfAResourceFeed(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 2, "", atSeconds(1, 2), []int{0, 1})
	r := st.AddReader("c", 1, ReadsResources)
	var resp PollResponse
	st.Poll(r, 3*time.Second, PollRequest{ByResource: true, Resource: 0, Cursor: 1, IfNoneMatch: true}, &resp)
	assert.Equal(t, StatusNotModified, resp.Status, "resource 0 after seq 1: seq 2 is resource 1's")
	st.Poll(r, 3*time.Second, PollRequest{ByResource: true, Resource: 1, Cursor: 1, IfNoneMatch: true}, &resp)
	assert.Equal(t, StatusOK, resp.Status, "resource 1 after seq 1")
	assert.Equal(t, []int64{2}, seqs(resp.Events))
	// At 11.5 s seq 1 aged out unread: resource 0's feed changed.
	st.Poll(r, 11500*time.Millisecond, PollRequest{ByResource: true, Resource: 0, Cursor: 0, IfNoneMatch: true}, &resp)
	assert.Equal(t, StatusOK, resp.Status, "resource 0 after an event aged out unread")
	assert.Equal(t, []int64{1}, resp.Skipped)
}

// TestFree304TakesNoToken checks that with rate_limit.free_304 a 304 is
// answered before the bucket is consulted, while a 200 takes a token; and
// that without it a conditional request takes one either way.
func TestFree304TakesNoToken(t *testing.T) {
	t.Parallel()
	s := time.Second
	type step struct {
		arrive time.Duration
		cursor int64
		want   Status
	}
	tests := []struct {
		name  string
		api   string
		steps []step
	}{
		{
			name: "free_304",
			api:  ", rate_limit: {rate: 1/m, burst: 1, free_304: true}",
			steps: []step{
				{2 * s, 0, StatusOK}, // takes the only token
				{2100 * time.Millisecond, 1, StatusNotModified},
				{2200 * time.Millisecond, 1, StatusNotModified},
				{2300 * time.Millisecond, 1, StatusNotModified},
				{3 * s, 1, StatusRateLimited}, // event 2 is new: a 200 needs a token
				{62 * s, 1, StatusOK},         // a token came back after a minute
			},
		},
		{
			name: "not free",
			api:  ", rate_limit: {rate: 1/m, burst: 1}",
			steps: []step{
				{2 * s, 0, StatusOK},
				{2100 * time.Millisecond, 1, StatusRateLimited}, // a 304 would take a token too
				{62 * s, 1, StatusOK},
				{63 * s, 2, StatusRateLimited},
			},
		},
		{
			name: "free_304 with tokens to spare",
			api:  ", rate_limit: {rate: 1/m, burst: 2, free_304: true}",
			steps: []step{
				{2 * s, 0, StatusOK},
				{2100 * time.Millisecond, 1, StatusNotModified},
				{3 * s, 1, StatusOK}, // the second token: no 304 spent it
				{4 * s, 2, StatusNotModified},
				{5 * s, 2, StatusNotModified},
			},
		},
	}
	for _, tt := range tests {
		st := replayStore(t, 1, tt.api, atSeconds(1, 2.5, 100), nil)
		r := st.AddReader("c", 1, ReadsFeed)
		for _, step := range tt.steps {
			var resp PollResponse
			st.Poll(r, step.arrive, PollRequest{Cursor: step.cursor, IfNoneMatch: true}, &resp)
			assert.Equal(t, step.want, resp.Status, "%s: Poll(cursor %d, if-none-match, at %v).Status = %d; want %d", tt.name, step.cursor, step.arrive, resp.Status, step.want)
		}
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name   string
		seq    int64
		arrive time.Duration
		status Status
		bytes  int
	}{
		{"an event", 2, 3 * s, StatusOK, 100 + 500},
		{"before it exists", 3, 3 * s, StatusNotFound, 100 + 64},
		{"never created", 9, time.Hour, StatusNotFound, 100 + 64},
		{"on the edge of retention", 2, 12 * s, StatusOK, 100 + 500},
		{"aged out", 2, 12*s + 1, StatusNotFound, 100 + 64},
		{"the one before aged out", 1, 3*s + 500*time.Millisecond, StatusOK, 100 + 500},
	}
	for _, tt := range tests {
		st := replayStore(t, 1, "", atSeconds(1, 2, 4), nil)
		r := st.AddReader("c", 1, Fetches)
		var resp PollResponse
		st.Poll(r, tt.arrive, PollRequest{Fetch: tt.seq}, &resp)
		assert.Equal(t, tt.status, resp.Status, "%s: Poll(fetch %d at %v).Status = %d; want %d", tt.name, tt.seq, tt.arrive, resp.Status, tt.status)
		assert.Equal(t, tt.bytes, resp.Bytes, "%s: Bytes", tt.name)
		if tt.status == StatusOK {
			require.Len(t, resp.Events, 1, "%s", tt.name)
			assert.Equal(t, tt.seq, resp.Events[0].Seq, "%s: the event fetched", tt.name)
			assert.Equal(t, 1, resp.Count, "%s: Count", tt.name)
		} else {
			assert.Empty(t, resp.Events, "%s: a 404 has no event", tt.name)
		}
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	for _, resources := range []int{1, 7} {
		st := replayStore(t, resources, "", atSeconds(1, 2, 4), nil)
		r := st.AddReader("c", 1, ReadsFeed)
		for _, tt := range []struct {
			arrive time.Duration
			last   int64
		}{{0, 0}, {2 * time.Second, 2}, {time.Hour, 3}} {
			var resp PollResponse
			st.Poll(r, tt.arrive, PollRequest{State: true}, &resp)
			assert.Equal(t, StatusOK, resp.Status)
			assert.Equal(t, tt.last, resp.Cursor, "Poll(state at %v).Cursor = %d; want %d", tt.arrive, resp.Cursor, tt.last)
			want := 100 + 64 + resources*(500+1)
			assert.Equal(t, want, resp.Bytes, "Poll(state, %d resources).Bytes = %d; want %d", resources, resp.Bytes, want)
			assert.Zero(t, resp.Count, "a state returns no events")
		}
	}
}

// A state tells which events after the last snapshot it reflects and which
// aged out, as of the instant the store answers, whenever the log was
// trimmed.
func TestStateJudgesRetentionWhenItAnswers(t *testing.T) {
	t.Parallel()
	for _, trim := range []bool{false, true} {
		st := replayStore(t, 1, "", atSeconds(1, 2, 4, 20, 25), nil) // retention 10s
		r := st.AddReader("c", 1, ReadsFeed)
		if trim {
			st.Advance(30 * time.Second) // forgets 1, 2 and 3
		}
		var resp PollResponse
		st.Poll(r, 30*time.Second, PollRequest{State: true, Cursor: 1}, &resp)
		require.Equal(t, StatusOK, resp.Status)
		assert.Equal(t, int64(5), resp.Cursor, "trim %v: the snapshot", trim)
		assert.Equal(t, int64(4), resp.First, "trim %v: the first event reflected", trim)
		assert.Equal(t, int64(2), resp.Expired, "trim %v: 2 and 3 aged out", trim)
		require.Len(t, resp.Events, 2, "trim %v", trim)
		assert.Equal(t, int64(4), resp.Events[0].Seq)
		assert.Equal(t, 20*time.Second, resp.Events[0].Created)
		assert.Zero(t, resp.Count)

		// A later state reflects only what came since that snapshot.
		st.Poll(r, 40*time.Second, PollRequest{State: true, Cursor: 5}, &resp)
		assert.Equal(t, int64(5), resp.Cursor)
		assert.Empty(t, resp.Events)
		assert.Zero(t, resp.Expired)
	}
}

func TestErrorsAnswer503(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 2, ", errors: 1", atSeconds(1, 2), []int{0, 1})
	r := st.AddReader("c", 1, ReadsFeed|ReadsResources|Fetches)
	for _, req := range []PollRequest{
		{},
		{Cursor: 1, IfNoneMatch: true},
		{Hold: time.Minute},
		{ByResource: true, Resource: 1},
		{Fetch: 1},
		{State: true},
	} {
		for _, at := range []time.Duration{0, 3 * time.Second, time.Minute} {
			var resp PollResponse
			st.Poll(r, at, req, &resp)
			assert.Equal(t, StatusUnavailable, resp.Status, "Poll(%+v at %v).Status with api.errors = 1", req, at)
			assert.Equal(t, 100+64, resp.Bytes, "Poll(%+v).Bytes of a 503", req)
			assert.Empty(t, resp.Events)
		}
	}
}

func TestErrorsAreDrawnAtTheirProbability(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 1, ", errors: 0.25", atSeconds(1), nil)
	r := st.AddReader("c", 1, ReadsFeed)
	const n = 20_000
	failed := 0
	for i := range n {
		var resp PollResponse
		st.Poll(r, time.Duration(i)*time.Millisecond, PollRequest{}, &resp)
		if resp.Status == StatusUnavailable {
			failed++
		}
	}
	// Binomial(n, 0.25): sd = √(n·p(1 − p)).
	assert.InDelta(t, 0.25*n, failed, 4*61.24, "503s among %d requests = %d; want %d", n, failed, n/4)
}

// TestResourceFeedOfAReaderWithoutIt checks that a request for a resource's
// feed from a reader that did not register for resource feeds is answered
// 404, never a panic, whether or not another reader reads them.
func TestResourceFeedOfAReaderWithoutIt(t *testing.T) {
	t.Parallel()
	for _, other := range []bool{false, true} {
		for _, api := range []string{"", ", rate_limit: {rate: 1/s, burst: 100, free_304: true}"} {
			st := replayStore(t, 2, api, atSeconds(1, 2), []int{0, 1})
			r := st.AddReader("c", 1, ReadsFeed|Fetches)
			if other {
				st.AddReader("other", 1, ReadsResources)
			}
			for _, req := range []PollRequest{
				{ByResource: true, Resource: 0},
				{ByResource: true, Resource: 1, Cursor: 5, IfNoneMatch: true},
				{ByResource: true, Resource: 1, Hold: time.Minute},
			} {
				var resp PollResponse
				require.NotPanics(t, func() { st.Poll(r, 3*time.Second, req, &resp) }, "Poll(%+v)", req)
				assert.Equal(t, StatusNotFound, resp.Status, "Poll(%+v).Status (another reader reads resource feeds: %v, api %q) = %d; want 404", req, other, api, resp.Status)
				assert.Empty(t, resp.Events)
				assert.Zero(t, resp.Held, "a 404 is not held")
			}
		}
	}
}

// TestResourceOutOfRange checks that a resource the store does not have is
// answered 404 whatever else the request asks.
func TestResourceOutOfRange(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 2, ", rate_limit: {rate: 1/s, burst: 100, free_304: true}", atSeconds(1, 2), []int{0, 1})
	r := st.AddReader("c", 1, ReadsResources)
	for _, res := range []int{-1, 2, 100} {
		for _, req := range []PollRequest{
			{ByResource: true, Resource: res},
			{ByResource: true, Resource: res, IfNoneMatch: true},
			{ByResource: true, Resource: res, Hold: time.Minute},
		} {
			var resp PollResponse
			require.NotPanics(t, func() { st.Poll(r, 3*time.Second, req, &resp) }, "Poll(%+v)", req)
			assert.Equal(t, StatusNotFound, resp.Status, "Poll(%+v).Status = %d; want 404", req, resp.Status)
		}
	}
}

func TestAdvanceKeepsWhatAFetchingReaderMayStillFetch(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 1, "", atSeconds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13), nil)
	feed := st.AddReader("feed", 1, ReadsFeed)
	fetcher := st.AddReader("fetcher", 1, Fetches)
	var resp PollResponse
	st.Poll(feed, 13*time.Second, PollRequest{Cursor: 12}, &resp)
	require.Equal(t, []int64{13}, seqs(resp.Events))
	st.Advance(13 * time.Second)
	// The feed reader holds up to 12 (the cursor it sent); the fetcher may
	// still fetch what has not aged out: created at or after 3 s.
	assert.Equal(t, int64(3), st.log.firstSeq(), "Advance(13 s): first kept seq")
	st.Poll(fetcher, 13*time.Second, PollRequest{Fetch: 3}, &resp)
	assert.Equal(t, StatusOK, resp.Status, "fetch 3 at 13 s")
	st.Poll(fetcher, 13*time.Second, PollRequest{Fetch: 2}, &resp)
	assert.Equal(t, StatusNotFound, resp.Status, "fetch 2 at 13 s: aged out")

	// Without a fetcher, what every feed reader passed goes.
	st = replayStore(t, 1, "", atSeconds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13), nil)
	feed = st.AddReader("feed", 1, ReadsFeed)
	st.Poll(feed, 13*time.Second, PollRequest{Cursor: 12}, &resp)
	st.Advance(13 * time.Second)
	assert.Equal(t, int64(13), st.log.firstSeq(), "Advance(13 s) with feed readers only")
}

func TestAdvanceKeepsWhatAResourceReaderHasNotRead(t *testing.T) {
	t.Parallel()
	// Resource 0: seqs 1, 3, 5; resource 1: 2, 4, 6.
	st := replayStore(t, 2, "", atSeconds(1, 2, 3, 4, 5, 6), []int{0, 1, 0, 1, 0, 1})
	r := st.AddReader("c", 1, ReadsResources)
	st.Advance(time.Hour)
	assert.Equal(t, int64(1), st.log.firstSeq(), "nothing read: everything kept, even past retention")

	kept, aged := st.Unread(1, 0, time.Hour)
	assert.Zero(t, kept, "Unread(1, 0, 1h) kept")
	assert.Equal(t, []int64{2, 4, 6}, aged, "Unread(1, 0, 1h) aged")

	var resp PollResponse
	st.Poll(r, time.Hour, PollRequest{ByResource: true, Resource: 1}, &resp)
	assert.Equal(t, []int64{2, 4, 6}, resp.Skipped, "the reader learns which it lost")
	assert.Equal(t, int64(6), resp.Cursor)
	st.Poll(r, time.Hour, PollRequest{ByResource: true, Resource: 1, Cursor: 6}, &resp)
	st.Advance(time.Hour)
	assert.Equal(t, int64(1), st.log.firstSeq(), "resource 0 has read nothing")

	st.Poll(r, time.Hour, PollRequest{ByResource: true, Resource: 0, Cursor: 3}, &resp)
	assert.Equal(t, []int64{5}, resp.Skipped)
	st.Advance(time.Hour)
	assert.Equal(t, int64(5), st.log.firstSeq(), "resource 0 holds up to 3 and needs 5 next; resource 1 holds all of its own")
}

func TestUnreadCountsKeptAndAgedEvents(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 2, "", atSeconds(1, 2, 15, 16, 30), []int{1, 0, 1, 1, 1})
	st.AddReader("c", 1, ReadsResources)
	tests := []struct {
		cursor int64
		at     time.Duration
		kept   int64
		aged   []int64
	}{
		{0, 20 * time.Second, 2, []int64{1}},
		{1, 20 * time.Second, 2, nil},
		{3, 20 * time.Second, 1, nil},
		{0, 2 * time.Second, 1, nil},
		{0, 27 * time.Second, 0, []int64{1, 3, 4}},
		{0, 40 * time.Second, 1, []int64{1, 3, 4}},
	}
	for _, tt := range tests {
		kept, aged := st.Unread(1, tt.cursor, tt.at)
		assert.Equal(t, tt.kept, kept, "Unread(1, %d, %v) kept = %d; want %d", tt.cursor, tt.at, kept, tt.kept)
		assert.Equal(t, tt.aged, aged, "Unread(1, %d, %v) aged = %v; want %v", tt.cursor, tt.at, aged, tt.aged)
	}
}

func TestEmittedAndKept(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 1, "", atSeconds(1, 2, 2, 30), nil)
	tests := []struct {
		at          time.Duration
		emitted     int64
		first, last int64
	}{
		{0, 0, 1, 0},
		{time.Second, 1, 1, 1},
		{2 * time.Second, 3, 1, 3},
		{11500 * time.Millisecond, 3, 2, 3},
		{20 * time.Second, 3, 4, 3},
		{30 * time.Second, 4, 4, 4},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.emitted, st.Emitted(tt.at), "Emitted(%v)", tt.at)
		first, last := st.Kept(tt.at)
		assert.Equal(t, tt.first, first, "Kept(%v) first", tt.at)
		assert.Equal(t, tt.last, last, "Kept(%v) last", tt.at)
	}
}

func TestAttemptBytes(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 1, "", nil, nil)
	e := Event{Seq: 1, Size: 500}
	assert.Equal(t, 100+500, st.AttemptBytes(e, false), "AttemptBytes(full)")
	assert.Equal(t, 100+64, st.AttemptBytes(e, true), "AttemptBytes(thin)")
}
