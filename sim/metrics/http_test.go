package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The HTTP figures of a live run: exchanges by status, wall-clock
// latencies within the histogram's resolution and never beyond the max,
// the store's CPU per 1,000 requests.
func TestHTTPRecorder(t *testing.T) {
	t.Parallel()
	r := NewHTTPRecorder([]string{"poll", "hook"})
	for i := range 100 {
		r.Exchange(0, 200, time.Duration(i+1)*time.Millisecond)
		r.Late(0, time.Duration(i)*10*time.Microsecond)
	}
	r.Exchange(0, 304, time.Millisecond)
	r.Exchange(1, 0, 15*time.Second)
	r.Wire(0, 1000, 300)
	r.Rejected(1, RejectForged)
	store := 2 * time.Second
	h := r.Results(60, time.Minute, 102, CPU{Process: 5 * time.Second, Store: &store, ByRow: []time.Duration{time.Second, time.Second}})
	assert.Equal(t, 60.0, h.Speedup)
	assert.Equal(t, int64(102), h.Exchanges)
	require.NotNil(t, h.StoreCPUPer1000)
	assert.InDelta(t, 2.0/102*1000, *h.StoreCPUPer1000, 1e-9)
	require.Len(t, h.Clients, 2)
	poll, hook := h.Clients[0], h.Clients[1]
	assert.Equal(t, map[string]int64{"200": 100, "304": 1}, poll.Status)
	assert.Equal(t, map[string]int64{"error": 1}, hook.Status)
	assert.InEpsilon(t, 0.050, poll.Latency.P50S, 0.01)
	assert.InEpsilon(t, 0.100, poll.Latency.MaxS, 1e-9)
	assert.LessOrEqual(t, poll.Latency.P999S, poll.Latency.MaxS)
	assert.Equal(t, int64(100), poll.Lateness.Count)
	assert.Equal(t, int64(1000), poll.WireIn)
	assert.Equal(t, map[string]int64{RejectForged: 1}, hook.Rejected)
	assert.Nil(t, poll.Rejected)
	assert.InDelta(t, 1.0, *hook.StoreCPUS, 1e-9)

	unmeasured := r.Results(1, time.Minute, 0, CPU{})
	assert.Nil(t, unmeasured.StoreCPUS)
	assert.Nil(t, unmeasured.StoreCPUPer1000)
}
