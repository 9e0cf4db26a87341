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
	again   *[]int64 // events held again
}

func (f fakeHoldings) Holds(seq int64) bool { return f.held[seq] }
func (f fakeHoldings) Hold(ev *store.Event) bool {
	first := !f.held[ev.Seq]
	if !first {
		*f.again = append(*f.again, ev.Seq)
	}
	f.held[ev.Seq] = true
	return first
}
func (f fakeHoldings) Expired(seq int64) { *f.expired = append(*f.expired, seq) }

func TestAnswered(t *testing.T) {
	t.Parallel()
	newHoldings := func(held ...int64) (fakeHoldings, *[]int64, *[]int64) {
		f := fakeHoldings{held: map[int64]bool{}, expired: new([]int64), again: new([]int64)}
		for _, seq := range held {
			f.held[seq] = true
		}
		return f, f.expired, f.again
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

	// A state sync reflects everything after the last snapshot up to its
	// own: what had aged out when the store answered is lost, the rest
	// held, and what was held already is not delivered again.
	h, expired, again := newHoldings(33)
	state := Request{Kind: metrics.Sync, PollRequest: store.PollRequest{Cursor: 30, State: true}}
	resp = &store.PollResponse{Status: store.StatusOK, First: 33, Expired: 2, Cursor: 35,
		Events: []store.Event{{Seq: 33}, {Seq: 34}, {Seq: 35}}}
	o = Answered(&state, resp, 0, h)
	assert.Equal(t, []int64{31, 32}, *expired)
	assert.Empty(t, *again, "a state delivers no event twice")
	assert.True(t, h.held[34] && h.held[35])
	assert.Equal(t, 2, o.New)
	assert.Equal(t, 0, o.Returned, "a state returns no events")

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
