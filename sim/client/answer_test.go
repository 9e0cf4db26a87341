package client

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// fakeHoldings records what Answered tells it; it has held the seqs in held
// already.
type fakeHoldings struct {
	held    map[int64]bool
	expired *[]int64
	synced  *int64
}

func (f fakeHoldings) Hold(ev *store.Event) bool {
	first := !f.held[ev.Seq]
	f.held[ev.Seq] = true
	return first
}
func (f fakeHoldings) Expired(seq int64)         { *f.expired = append(*f.expired, seq) }
func (f fakeHoldings) Synced(snapshot int64) int { *f.synced = snapshot; return 2 }

func TestAnswered(t *testing.T) {
	t.Parallel()
	newHoldings := func(held ...int64) (fakeHoldings, *[]int64, *int64) {
		f := fakeHoldings{held: map[int64]bool{}, expired: new([]int64), synced: new(int64)}
		for _, seq := range held {
			f.held[seq] = true
		}
		return f, f.expired, f.synced
	}
	poll := Request{Kind: metrics.Poll, PollRequest: store.PollRequest{Cursor: 3}}

	// Events 4 and 5 aged out unread; 6 and 7 came back, 6 already held.
	h, expired, _ := newHoldings(6)
	resp := &store.PollResponse{Status: store.StatusOK, First: 6, Count: 2, Expired: 2, Cursor: 7, Bytes: 900,
		Events: []store.Event{{Seq: 6}, {Seq: 7}}}
	o := Answered(&poll, resp, 120, h)
	assert.Equal(t, metrics.Outcome{Status: metrics.OK, Returned: 2, New: 1, BytesIn: 900, BytesOut: 120}, o)
	assert.Equal(t, []int64{4, 5}, *expired)

	// A resource's feed names the events it skipped.
	h, expired, _ = newHoldings()
	resp = &store.PollResponse{Status: store.StatusOK, Skipped: []int64{8, 11}, Cursor: 11}
	o = Answered(&poll, resp, 0, h)
	assert.Equal(t, 0, o.New)
	assert.Equal(t, []int64{8, 11}, *expired)

	// A state sync reflects everything up to its snapshot.
	h, _, synced := newHoldings()
	state := Request{Kind: metrics.Sync, PollRequest: store.PollRequest{State: true}}
	o = Answered(&state, &store.PollResponse{Status: store.StatusOK, Cursor: 40, Count: 5}, 0, h)
	assert.Equal(t, int64(40), *synced)
	assert.Equal(t, 2, o.New)
	assert.Equal(t, 5, o.Returned)

	// Other answers carry nothing, whatever else they hold.
	for status, want := range map[store.Status]metrics.Status{
		store.StatusNotModified: metrics.NotModified,
		store.StatusRateLimited: metrics.RateLimited,
		store.StatusUnavailable: metrics.Failed,
		store.StatusNotFound:    metrics.Failed,
	} {
		h, expired, _ := newHoldings()
		o := Answered(&poll, &store.PollResponse{Status: status, Expired: 3, First: 7, Events: []store.Event{{Seq: 4}}}, 0, h)
		assert.Equal(t, want, o.Status, "status %v", status)
		assert.Zero(t, o.New+o.Returned, "status %v", status)
		assert.Empty(t, *expired, "status %v", status)
		assert.Empty(t, h.held, "status %v", status)
	}
}
