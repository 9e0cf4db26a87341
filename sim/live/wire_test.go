package live

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/store"
)

// What the store writes, a client reads back as the same events and the
// same page.
func TestWireRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCodec(time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC), 300)
	sent := store.PollResponse{
		Status: store.StatusOK, First: 7, Cursor: 9, HasMore: true, Expired: 2, Skipped: []int64{3, 5},
		Events: []store.Event{
			{Seq: 7, Created: 1500 * time.Millisecond, Resource: 2, Size: 300},
			{Seq: 8, Created: time.Hour + time.Nanosecond, Resource: 0, Size: 300},
			{Seq: 9, Created: 48 * time.Hour, Resource: 9, Size: 300},
		},
	}
	sent.Count = len(sent.Events)
	h := http.Header{headerModelBytes: {"1234"}}
	var got store.PollResponse
	require.NoError(t, c.decode(routeEvents, http.StatusOK, h, c.appendPage(nil, &sent), &got))
	sent.Bytes = 1234
	assert.Equal(t, sent, got)

	require.NoError(t, c.decode(routeFetch, http.StatusOK, h, c.appendEvent(nil, sent.Events[1], true), &got))
	assert.Equal(t, []store.Event{sent.Events[1]}, got.Events)

	h.Set("Retry-After", "3")
	require.NoError(t, c.decode(routeEvents, http.StatusTooManyRequests, h, nil, &got))
	assert.Equal(t, store.StatusRateLimited, got.Status)
	assert.Equal(t, 3*time.Second, got.RetryAfter)
	h.Set("Retry-After", "soon")
	assert.ErrorIs(t, c.decode(routeEvents, http.StatusTooManyRequests, h, nil, &got), errBadAnswer)
	assert.Error(t, c.decode(routeEvents, http.StatusOK, h, []byte(`{"events": [`), &got))
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]uint64{
		"http://127.0.0.1:1/v1/events?client=a&req=42&after=3": 42,
		"http://127.0.0.1:1/v1/events?req=7":                   7,
		"client=a&req=9":                                       9,
		"req=12":                                               12,
		"client=freq=3&req=5":                                  5,
		"http://127.0.0.1:1/v1/events?client=a":                0,
		"":                                                     0,
		"req=x":                                                0,
	} {
		assert.Equal(t, want, requestID(u), u)
	}
}
