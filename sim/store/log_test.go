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

func testLog(at ...float64) *eventLog {
	instants := make([]scenario.Duration, len(at))
	for i, s := range at {
		instants[i] = scenario.Duration(s * float64(time.Second))
	}
	return newEventLog(&Replayed{instants: instants}, time.Hour, func(seq int64, created time.Duration, _ int) Event {
		return Event{Seq: seq, Created: created}
	})
}

func TestEventLogLookups(t *testing.T) {
	t.Parallel()
	l := testLog(1, 2, 2, 5, 9)
	l.extend(6 * time.Second)
	require.Equal(t, int64(5), l.nextSeq, "extend(6 s) creates the four events at or before 6 s")
	s := time.Second
	for _, tt := range []struct {
		t               time.Duration
		lastBy, firstOf int64
	}{
		{0, 0, 1},
		{s, 1, 1},
		{2 * s, 3, 2},
		{3 * s, 3, 4},
		{6 * s, 4, 5}, // nothing kept from 6 s: nextSeq
	} {
		assert.Equal(t, tt.lastBy, l.lastCreatedBy(tt.t), "lastCreatedBy(%v)", tt.t)
		assert.Equal(t, tt.firstOf, l.firstCreatedFrom(tt.t), "firstCreatedFrom(%v)", tt.t)
	}
	assert.Equal(t, []int64{2, 3, 4}, seqs(l.span(2, 4)), "span(2, 4)")

	l.trim(3)
	assert.Equal(t, int64(3), l.firstSeq(), "trim(3)")
	assert.Equal(t, 2*time.Second, l.at(3).Created)
	assert.Equal(t, int64(2), l.lastCreatedBy(s), "lastCreatedBy before the first kept: firstSeq − 1")
	assert.Equal(t, int64(3), l.firstCreatedFrom(0), "firstCreatedFrom(0) after a trim: the first kept")
	l.trim(2)
	assert.Equal(t, int64(3), l.firstSeq(), "trim never goes back")
	l.trim(100)
	assert.Equal(t, int64(5), l.firstSeq(), "trim past the end keeps nothing")
	assert.Equal(t, int64(4), l.lastCreatedBy(time.Hour))
	l.extend(time.Hour)
	assert.Equal(t, int64(5), l.firstSeq(), "the next event is kept")
	assert.Equal(t, 9*time.Second, l.at(5).Created)
}

// TestEventLogCompacts checks that a log trimmed as it grows keeps its
// memory bounded.
func TestEventLogCompacts(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	r := s.AddReader("c", 1, ReadsFeed)
	var resp PollResponse
	for sec := 1; sec <= 3600; sec++ {
		at := time.Duration(sec) * time.Second
		s.Poll(r, at, PollRequest{Cursor: int64(sec)}, &resp)
		s.Advance(at)
	}
	assert.Less(t, cap(s.log.events), 4096, "events kept for a reader one behind, over 3600 events")
	assert.Equal(t, int64(3600), s.log.firstSeq()-1, "everything passed is forgotten")
}

// TestIdleResourceDoesNotPinTheLog checks that a resource-feed reader
// whose resource gets no more events lets the store forget the events of
// the others: over 20,000 events of a busy resource, the log stays small
// and every busy event is still served, once and in order.
func TestIdleResourceDoesNotPinTheLog(t *testing.T) {
	t.Parallel()
	const n = 20_000
	at := []time.Duration{500 * time.Millisecond} // seq 1: the idle resource's only event
	res := []int{1}
	for i := range n {
		at = append(at, time.Second+time.Duration(i)*100*time.Millisecond)
		res = append(res, 0)
	}
	s := replayStore(t, 2, "", at, res)
	r := s.AddReader("c", 1, ReadsResources)
	var cursors [2]int64
	var served []int64
	var resp PollResponse
	poll := func(resource int, now time.Duration) {
		for {
			s.Poll(r, now, PollRequest{ByResource: true, Resource: resource, Cursor: cursors[resource]}, &resp)
			require.Equal(t, StatusOK, resp.Status, "Poll(resource %d) at %v", resource, now)
			require.Empty(t, resp.Skipped, "Poll(resource %d) at %v: nothing ages out unread", resource, now)
			if resource == 0 {
				served = append(served, seqs(resp.Events)...)
			}
			cursors[resource] = resp.Cursor
			if !resp.HasMore {
				return
			}
		}
	}
	for _, created := range at[1:] {
		now := created + 50*time.Millisecond
		poll(0, now)
		poll(1, now)
		s.Advance(now)
	}
	require.Equal(t, int64(1), cursors[1], "the idle resource's reader holds its one event")
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 2)
	}
	assert.Equal(t, want, served, "every event of the busy resource, once, in order")
	assert.Less(t, cap(s.log.events), 4096, "events kept over %d events of the busy resource", n)
	assert.Equal(t, int64(n+1), s.log.firstSeq(), "only the last event served is kept: its reader has not sent a cursor past it")
}

func TestOnCreateSeesEveryEvent(t *testing.T) {
	t.Parallel()
	st := replayStore(t, 1, "", atSeconds(1, 2, 2, 7), nil)
	var created []time.Duration
	st.OnCreate = func(seq int64, at time.Duration) {
		assert.Equal(t, int64(len(created)+1), seq, "seqs in creation order")
		created = append(created, at)
	}
	st.Emitted(3 * time.Second)
	assert.Equal(t, atSeconds(1, 2, 2), created, "created by 3 s")
	st.Emitted(time.Hour)
	assert.Equal(t, atSeconds(1, 2, 2, 7), created, "each once")
}

// TestEventsAreSpreadUniformlyOverResources checks the store's choice of
// resource: each of 4 gets a quarter, within 4σ.
func TestEventsAreSpreadUniformlyOverResources(t *testing.T) {
	t.Parallel()
	const n = 40_000
	at := make([]time.Duration, n)
	res := make([]int, n)
	for i := range at {
		at[i] = time.Duration(i) * time.Millisecond
		res[i] = -1 // the store chooses
	}
	st := replayStore(t, 4, "", at, res)
	var count [4]float64
	for seq := int64(1); seq <= n; seq++ {
		e, ok := st.Event(seq)
		require.True(t, ok)
		count[e.Resource]++
	}
	sd := math.Sqrt(n * 0.25 * 0.75)
	for r, c := range count {
		assert.InDelta(t, n/4, c, 4*sd, "events of resource %d = %.0f; want %d", r, c, n/4)
	}
}

// TestReadersDrawIndependently checks that a reader's service times and
// errors come from its own stream: adding another reader changes nothing.
func TestReadersDrawIndependently(t *testing.T) {
	t.Parallel()
	draws := func(others int) []PollResponse {
		st := replayStore(t, 1, ", errors: 0.5", atSeconds(1), nil)
		st.service = random.LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond)
		for i := range others {
			st.AddReader("other"+string(rune('a'+i)), 1, ReadsFeed)
		}
		r := st.AddReader("c", 1, ReadsFeed)
		var out []PollResponse
		for i := range 50 {
			var resp PollResponse
			st.Poll(r, time.Duration(i)*time.Second, PollRequest{}, &resp)
			if others > 0 { // the others poll in between
				var o PollResponse
				st.Poll(0, time.Duration(i)*time.Second, PollRequest{}, &o)
			}
			out = append(out, PollResponse{Status: resp.Status, Service: resp.Service})
		}
		return out
	}
	alone, crowded := draws(0), draws(3)
	assert.Equal(t, alone, crowded, "a reader's draws with other readers polling")
	var nonzero bool
	for _, r := range alone {
		nonzero = nonzero || r.Service > 0
	}
	assert.True(t, nonzero, "service times are drawn")
}

func TestPassedLetsTheStoreForget(t *testing.T) {
	t.Parallel()
	s := newStore(t, "")
	d := s.AddReader("dispatcher", 1, ReadsFeed)
	s.Advance(5 * time.Second)
	assert.Equal(t, int64(1), s.log.firstSeq(), "the dispatcher has passed nothing")
	s.Passed(d, 4)
	s.Passed(d, 2) // never backwards
	s.Advance(5 * time.Second)
	assert.Equal(t, int64(5), s.log.firstSeq(), "after Passed(4)")
}
