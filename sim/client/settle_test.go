package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// fakeKept keeps events first to last, and answers for any resource's feed
// that it keeps kept of them and aged the others out.
type fakeKept struct {
	first, last int64
	kept        int64
	aged        []int64
}

func (f fakeKept) Kept(time.Duration) (int64, int64) { return f.first, f.last }
func (f fakeKept) Unread(int, int64, time.Duration) (int64, []int64) {
	return f.kept, f.aged
}

// pollerAt is a poller of resource's feed (−1: all events) that has read up
// to cursor.
func pollerAt(resource int, cursor int64) *Poller {
	p := NewPoller(scenario.Poll{Interval: d(sec)}, resource, nil, random.Stream(1, "settle"))
	p.cursor = cursor
	return p
}

func TestSettle(t *testing.T) {
	t.Parallel()
	// Every case ends at 1 h with events 1 to 9 emitted, the store keeping
	// 5 to 9, and the subscriber holding event 6.
	for _, tc := range []struct {
		name       string
		st         Standing
		dispatched int64
		aged       []int64 // what a resource's feed aged out
		inFlight   int64
		lost       []int64
	}{
		{name: "nothing to read"},
		{name: "a poller lost what aged out and has the rest in flight",
			st: Standing{Feeds: []*Poller{pollerAt(-1, 2)}}, inFlight: 4, lost: []int64{3, 4}}, // 5, 7, 8, 9
		{name: "a poller of resources lost what its feeds aged out, once",
			st:   Standing{Feeds: []*Poller{pollerAt(0, 2), pollerAt(1, 2)}},
			aged: []int64{3}, inFlight: 2 * 3, lost: []int64{3}},
		{name: "a poller reading up to date",
			st: Standing{Feeds: []*Poller{pollerAt(-1, 9)}}},
		{name: "a webhook's pipeline and what the sender has not started on",
			st:         Standing{Webhook: true, Pending: map[int64]bool{3: true, 6: true, 12: true}},
			dispatched: 7, inFlight: 3}, // 3, 8, 9
		{name: "a reconciliation lost what aged out unless push brings it",
			st:         Standing{Webhook: true, Reconcile: pollerAt(-1, 2), Pending: map[int64]bool{4: true, 8: true}},
			dispatched: 9, inFlight: 5, lost: []int64{3}}, // 4, 5, 7, 8, 9
		{name: "a state sync has everything after its snapshot in flight",
			st:         Standing{Webhook: true, Sync: pollerAt(-1, 4), Pending: map[int64]bool{7: true}},
			dispatched: 9, inFlight: 4}, // 5, 7, 8, 9
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := metrics.NewRecorder(metrics.Config{Duration: time.Hour, End: time.Hour,
				Clients: []metrics.ClientConfig{{Name: "c", Strategy: "test"}}})
			var lost []int64
			rec.Trace = func(r metrics.Record) {
				if r.Kind == metrics.LostForGood {
					assert.Equal(t, metrics.RetentionExpired, r.Cause)
					lost = append(lost, r.Seq)
				}
			}
			rec.Held(0, 6, 0, 0, time.Second)
			end := Ending{Store: fakeKept{first: 5, last: 9, kept: 3, aged: tc.aged}, Recorder: rec,
				At: time.Hour, Emitted: 9, Dispatched: tc.dispatched}
			got := end.Settle(tc.st)
			assert.Equal(t, tc.inFlight, got, "Settle(%+v) in flight", tc.st)
			assert.Equal(t, tc.lost, lost, "Settle(%+v) lost", tc.st)
		})
	}
}

func TestPipelineAdd(t *testing.T) {
	t.Parallel()
	p := Pipeline[string]{}
	p.Add("a", 3)
	p.Add("a", 5)
	p.Add("a", 3)
	p.Add("b", 4)
	assert.Equal(t, Pipeline[string]{"a": {3: true, 5: true}, "b": {4: true}}, p)
	assert.Nil(t, p["c"], "nothing on its way to c")
}
