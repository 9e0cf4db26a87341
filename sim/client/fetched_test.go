package client

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// fakeFetching records what Fetched tells it; it has held the seqs in held
// already.
type fakeFetching struct {
	held    map[int64]bool
	expired *[]int64
}

func (f fakeFetching) Hold(ev *store.Event) bool {
	first := !f.held[ev.Seq]
	f.held[ev.Seq] = true
	return first
}
func (f fakeFetching) Expired(seq int64) { *f.expired = append(*f.expired, seq) }

func TestFetched(t *testing.T) {
	t.Parallel()
	fetch := Request{Kind: metrics.Fetch, PollRequest: store.PollRequest{Fetch: 7}}
	for _, tc := range []struct {
		name    string
		resp    store.PollResponse
		held    bool // the subscriber held event 7 already
		want    metrics.Outcome
		holds   bool
		expired []int64
	}{
		{name: "the event came",
			resp: store.PollResponse{Status: store.StatusOK, Count: 1, Bytes: 900, Events: []store.Event{{Seq: 7}}},
			want: metrics.Outcome{Status: metrics.OK, Returned: 1, New: 1, BytesIn: 900, BytesOut: 120}, holds: true},
		{name: "the event came again",
			resp: store.PollResponse{Status: store.StatusOK, Count: 1, Bytes: 900, Events: []store.Event{{Seq: 7}}}, held: true,
			want: metrics.Outcome{Status: metrics.OK, Returned: 1, BytesIn: 900, BytesOut: 120}, holds: true},
		{name: "the store no longer has it",
			resp: store.PollResponse{Status: store.StatusNotFound, Bytes: 164},
			want: metrics.Outcome{Status: metrics.Failed, BytesIn: 164, BytesOut: 120}, expired: []int64{7}},
		{name: "rate limited",
			resp: store.PollResponse{Status: store.StatusRateLimited, Bytes: 164},
			want: metrics.Outcome{Status: metrics.RateLimited, BytesIn: 164, BytesOut: 120}},
		{name: "unavailable",
			resp: store.PollResponse{Status: store.StatusUnavailable, Bytes: 164},
			want: metrics.Outcome{Status: metrics.Failed, BytesIn: 164, BytesOut: 120}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := fakeFetching{held: map[int64]bool{}, expired: new([]int64)}
			if tc.held {
				h.held[7] = true
			}
			got := Fetched(&fetch, &tc.resp, 120, h)
			assert.Equal(t, tc.want, got, "Fetched(%v)", tc.resp.Status)
			assert.Equal(t, tc.holds, h.held[7], "Fetched(%v) holds event 7", tc.resp.Status)
			if tc.expired == nil {
				assert.Empty(t, *h.expired, "Fetched(%v) expired", tc.resp.Status)
			} else {
				assert.Equal(t, tc.expired, *h.expired, "Fetched(%v) expired", tc.resp.Status)
			}
		})
	}
}
