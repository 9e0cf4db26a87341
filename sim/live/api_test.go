package live

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/scenario"
)

const apiScenario = `
name: api
duration: 24h
store:
  arrivals: {process: constant, rate: 1/s}
  resources: 5
  payload_bytes: 20
  api: {latency: 0s, page_size: 100, rate_limit: {rate: 1/m, burst: 2}}
clients:
  - {name: poller, poll: {interval: 10s}}
  - {name: per-resource, poll: {interval: 10s, per_resource: true}}
`

// offline builds the world of sc with its store's API, and no run: for
// calling the handlers directly.
func offline(t *testing.T, sc *scenario.Scenario) *world {
	t.Helper()
	w, err := newWorld(sc, NewClock(time.Now().Add(-time.Hour), 1), Loopback{})
	require.NoError(t, err)
	w.addAnonymous()
	w.ctx = context.Background()
	return w
}

// get asks the API for target, with headers given as name, value pairs.
func get(w *world, method, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	w.serveAPI(rec, req)
	return rec
}

// Bad queries are answered with a 4xx and a JSON error that says what is
// wrong; none reaches the store.
func TestAPIRejectsBadQueries(t *testing.T) {
	t.Parallel()
	w := offline(t, parse(t, apiScenario))
	for _, tc := range []struct {
		target string
		method string
		status int
		says   string
	}{
		{"/v1/events?after=abc", "GET", 400, "after"},
		{"/v1/events?after=-1", "GET", 400, "after"},
		{"/v1/events?after=1.5", "GET", 400, "after"},
		{"/v1/events?limit=-5", "GET", 400, "limit"},
		{"/v1/events?limit=0", "GET", 400, "limit"},
		{"/v1/events?limit=101", "GET", 400, "limit"},
		{"/v1/events?limit=99999999999999999999999", "GET", 400, "limit"},
		{"/v1/events?resource=5", "GET", 400, "unknown resource"},
		{"/v1/events?resource=-1", "GET", 400, "unknown resource"},
		{"/v1/events?resource=orders", "GET", 400, "unknown resource"},
		{"/v1/events?client=nobody", "GET", 400, "unknown client"},
		{"/v1/events?wait=-1s", "GET", 400, "wait"},
		{"/v1/events?wait=26h", "GET", 400, "wait"}, // beyond the run and beyond a day
		{"/v1/events?wait=NaN", "GET", 400, "wait"},
		{"/v1/events?wait=soon", "GET", 400, "wait"},
		{"/v1/events?after=1&after=2", "GET", 400, "given 2 times"},
		{"/v1/events?after=%zz", "GET", 400, "malformed query"},
		{"/v1/events/12", "GET", 400, "evt_"},
		{"/v1/events/evt_x", "GET", 400, "evt_"},
		{"/v1/events/evt_-3", "GET", 400, "evt_"},
		{"/v2/events", "GET", 404, "no such endpoint"},
		{"/", "GET", 404, "no such endpoint"},
		{"/v1/events", "POST", 405, "GET only"},
		{"/v1/state", "DELETE", 405, "GET only"},
	} {
		rec := get(w, tc.method, tc.target)
		assert.Equal(t, tc.status, rec.Code, "%s %s", tc.method, tc.target)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"), tc.target)
		var e wireError
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "%s: the error is JSON", tc.target)
		assert.Equal(t, tc.status, e.Error.Status, tc.target)
		assert.Contains(t, e.Error.Message, tc.says, tc.target)
	}
	assert.Zero(t, w.storeReqs, "no bad query reached the store")
}

// A good query is answered from the store: a page of events with its
// cursor, an ETag that a conditional request can send back for a 304, and a
// 429 with Retry-After and a JSON error once the client's bucket is empty.
func TestAPIAnswersFromTheStore(t *testing.T) {
	t.Parallel()
	w := offline(t, parse(t, apiScenario))
	rec := get(w, "GET", "/v1/events?client=poller&after=0&limit=10")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var page wirePage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
	require.Len(t, page.Events, 10, "an hour of events, one a second, cut to the limit")
	assert.True(t, page.HasMore)
	assert.Equal(t, int64(10), page.Cursor)
	for i, ev := range page.Events {
		assert.Equal(t, int64(i+1), ev.Seq)
		assert.Equal(t, eventID(ev.Seq), ev.ID)
		assert.Equal(t, payload(20), ev.Data, "the scenario's payload")
	}
	assert.NotEmpty(t, rec.Header().Get(headerModelBytes))

	// Per-resource feeds for a client that reads them.
	rec = get(w, "GET", "/v1/events?client=per-resource&resource=3")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
	for _, ev := range page.Events {
		assert.Equal(t, int32(3), ev.Resource)
	}

	// The second token of the bucket goes to a request at the head: its
	// ETag, sent back, is answered 304 while nothing is new.
	head := w.store.Emitted(w.clock.Now()) + 10_000
	rec = get(w, "GET", "/v1/events?client=poller&after="+itoa(head))
	require.Equal(t, http.StatusOK, rec.Code)
	tag := rec.Header().Get("ETag")
	require.NotEmpty(t, tag)

	rec = get(w, "GET", "/v1/events?client=poller&after="+itoa(head), "If-None-Match", tag)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the bucket of 2 is empty")
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	var e wireError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	assert.Equal(t, 429, e.Error.Status)

	// Without a client, requests share the anonymous bucket.
	rec = get(w, "GET", "/v1/events?after="+itoa(head), "If-None-Match", `"all-`+itoa(head)+`"`)
	assert.Equal(t, http.StatusNotModified, rec.Code)
	assert.Empty(t, rec.Body.Bytes())
	rec = get(w, "HEAD", "/v1/events?after=0")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Empty(t, rec.Body.Bytes())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// No request, however malformed, makes the API panic; every answer is one
// of its statuses, and every error is JSON.
func FuzzAPI(f *testing.F) {
	for _, seed := range []string{
		"/v1/events?after=0", "/v1/events?client=poller&resource=2&wait=1s", "/v1/events/evt_3",
		"/v1/state?client=poller", "/v1/events?limit=%00", "/v1/events?after=9223372036854775807",
		"/v1/events?wait=1e308", "/v1/events/evt_9223372036854775807", "//v1/events",
	} {
		f.Add(seed, "")
	}
	sc, err := scenario.Parse("fuzz.yaml", []byte(apiScenario))
	require.NoError(f, err)
	var mu sync.Mutex
	var w *world
	f.Fuzz(func(t *testing.T, target, inm string) {
		u := "http://127.0.0.1" + target
		if !strings.HasPrefix(target, "/") {
			u = "http://127.0.0.1/" + target
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Skip()
		}
		if inm != "" && !strings.ContainsAny(inm, "\r\n\x00") {
			req.Header.Set("If-None-Match", inm)
		}
		mu.Lock()
		if w == nil {
			w = offline(t, sc)
		}
		mu.Unlock()
		rec := httptest.NewRecorder()
		w.serveAPI(rec, req)
		switch rec.Code {
		case 200, 304:
		case 400, 404, 405, 429, 503:
			var e wireError
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "%s: %s", target, rec.Body.String())
		default:
			t.Fatalf("%s: status %d", target, rec.Code)
		}
	})
}

// recording is a Network that notes every address listened on and dialed.
type recording struct {
	Network
	mu      sync.Mutex
	listens []string
	dials   []string
}

func (r *recording) Listen() (net.Listener, error) {
	l, err := r.Network.Listen()
	if err == nil {
		r.mu.Lock()
		r.listens = append(r.listens, l.Addr().String())
		r.mu.Unlock()
	}
	return l, err
}

func (r *recording) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	r.dials = append(r.dials, addr)
	r.mu.Unlock()
	return r.Network.DialContext(ctx, network, addr)
}

// A live run listens on 127.0.0.1 only, and connects to nothing else:
// the store, every receiver, every client and fleet.
func TestOnlyLoopback(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 30s
drain: 5s
store:
  arrivals: {process: poisson, rate: 1/s}
clients:
  - {name: fleet, poll: {interval: 1s}}
  - {name: long, poll: {long: {hold: 5s}}}
  - {name: hook, webhook: {}, reconcile: {every: 10s}}
  - {name: thin, webhook: {thin: true}}
`)
	rec := &recording{Network: Loopback{}}
	res, err := Run(context.Background(), sc, Options{Speedup: 10, Network: rec})
	require.NoError(t, err)
	assert.Positive(t, res.HTTP.Exchanges)
	require.Len(t, rec.listens, 3, "the store and two receivers")
	for _, addr := range append(rec.listens, rec.dials...) {
		host, _, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", host, addr)
	}
	assert.NotEmpty(t, rec.dials)
	for _, addr := range []string{"10.0.0.1:80", "localhost:80", "[::1]:80", "example.com:443"} {
		_, err := Loopback{}.DialContext(context.Background(), "tcp", addr)
		assert.Error(t, err, addr)
	}
	_, err = (&Pipes{}).DialContext(context.Background(), "tcp", "127.0.0.1:1")
	assert.True(t, isRefused(err), "no listener: refused")
}

// isRefused reports whether err is a refused or reset connection.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
