package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pushpull/pushpull/sim/store"
)

// The store's HTTP API:
//
//	GET /v1/events?client=NAME&after=SEQ&limit=N&resource=R&wait=D
//	GET /v1/events/{id}?client=NAME
//	GET /v1/state?client=NAME&after=SEQ
//
// client names the reader (its rate-limit bucket); after is the cursor, the
// last seq the client holds (default 0), or for a state the snapshot of the
// last state it read, so that the state names the events it reflects since;
// limit the most events in the page (1 to the page size, default the page
// size); resource reads one resource's feed; wait makes the request a long
// poll held up to that long
// (a Go duration or seconds, scenario time). req, an opaque request ID, is
// echoed in Pushpull-Request. If-None-Match with the ETag of the last
// answer is answered 304 when nothing is new. 429 carries Retry-After in
// scenario seconds. Every error is JSON: {"error": {"status", "message"}}.

// maxWait is the longest long-poll hold a request may ask for, unless the
// run is longer: then the run.
const maxWait = 24 * time.Hour

// errBadAnswer is wrapped when an answer of the store cannot be read.
var errBadAnswer = errors.New("unreadable answer")

// query is a parsed request to the API.
type query struct {
	route route
	sub   *subscriber
	req   store.PollRequest
	id    string // the client's request ID, echoed
	reqID uint64 // the same, when it is a number: one of the run's own requests
}

// badRequest is a request the API refuses, with its status.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

func bad(status int, format string, args ...any) *badRequest {
	return &badRequest{status: status, msg: fmt.Sprintf(format, args...)}
}

// parseQuery reads a request to the API. It never panics on bad input.
func (w *world) parseQuery(r *http.Request) (query, *badRequest) {
	var q query
	path := r.URL.Path
	switch {
	case path == "/v1/events":
		q.route = routeEvents
	case path == "/v1/state":
		q.route = routeState
		q.req.State = true
	case strings.HasPrefix(path, "/v1/events/"):
		q.route = routeFetch
		id := strings.TrimPrefix(path, "/v1/events/")
		seq, err := strconv.ParseInt(strings.TrimPrefix(id, "evt_"), 10, 64)
		if err != nil || seq <= 0 || !strings.HasPrefix(id, "evt_") {
			return q, bad(http.StatusBadRequest, "event id %q: want evt_ followed by a positive number", id)
		}
		q.req.Fetch = seq
	default:
		return q, bad(http.StatusNotFound, "no such endpoint %s; the API has GET /v1/events, /v1/events/{id} and /v1/state", path)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return q, bad(http.StatusMethodNotAllowed, "%s %s: the API takes GET only", r.Method, path)
	}
	values, err := urlQuery(r)
	if err != nil {
		return q, bad(http.StatusBadRequest, "malformed query: %v", err)
	}
	q.id = values.Get("req")
	q.reqID, _ = strconv.ParseUint(q.id, 10, 64)
	name := values.Get("client")
	switch {
	case name != "":
		q.sub = w.byName[name] // read-only once the run starts
		if q.sub == nil {
			return q, bad(http.StatusBadRequest, "unknown client %q", name)
		}
	case w.anonymous != nil:
		q.sub = w.anonymous
	default:
		return q, bad(http.StatusBadRequest, "client is required: name the client the request is for")
	}
	if q.route == routeFetch {
		return q, nil
	}
	if v := values.Get("after"); v != "" {
		after, err := strconv.ParseInt(v, 10, 64)
		if err != nil || after < 0 {
			return q, bad(http.StatusBadRequest, "after=%q: want a cursor, the last seq held (0 or more)", v)
		}
		q.req.Cursor = after
	}
	if q.route == routeState {
		return q, nil
	}
	if v := values.Get("limit"); v != "" {
		limit, err := strconv.Atoi(v)
		if page := w.sc.Store.API.PageSize; err != nil || limit < 1 || limit > page {
			return q, bad(http.StatusBadRequest, "limit=%q: want a number from 1 to %d", v, page)
		}
		q.req.Limit = limit
	}
	if v := values.Get("resource"); v != "" {
		res, err := strconv.Atoi(v)
		if err != nil || res < 0 || res >= w.sc.Store.Resources {
			return q, bad(http.StatusBadRequest, "resource=%q: unknown resource; there are %d, numbered from 0", v, w.sc.Store.Resources)
		}
		q.req.ByResource, q.req.Resource = true, res
	}
	if v := values.Get("wait"); v != "" {
		hold, err := parseWait(v, max(maxWait, w.end))
		if err != nil {
			return q, bad(http.StatusBadRequest, "wait=%q: %v", v, err)
		}
		q.req.Hold = hold
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag(q.req) {
		q.req.IfNoneMatch = true
	}
	return q, nil
}

// urlQuery parses the query string, rejecting what does not parse (rather
// than dropping it, as URL.Query does) and a parameter given twice.
func urlQuery(r *http.Request) (url.Values, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	for k, vs := range values {
		if len(vs) > 1 {
			return nil, fmt.Errorf("%s is given %d times", k, len(vs))
		}
	}
	return values, nil
}

// parseWait reads a long-poll hold of at most limit: a Go duration or a
// number of seconds.
func parseWait(v string, limit time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, errors.New("want a duration such as 30s, or seconds")
		}
		if secs < 0 || secs > limit.Seconds() {
			return 0, fmt.Errorf("want from 0 to %v", limit)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 || d > limit {
		return 0, fmt.Errorf("want from 0 to %v", limit)
	}
	return d, nil
}

// etag is the ETag of the feed a request reads, after its cursor: it stays
// good until something new arrives after the cursor.
func etag(req store.PollRequest) string {
	feed := "all"
	if req.ByResource {
		feed = strconv.Itoa(req.Resource)
	}
	return `"` + feed + "-" + strconv.FormatInt(req.Cursor, 10) + `"`
}

// serveAPI answers a request to the store's API.
func (w *world) serveAPI(rw http.ResponseWriter, r *http.Request) {
	q, bad := w.parseQuery(r)
	row := -1
	if q.sub != nil {
		row = q.sub.row
	}
	if row >= 0 {
		pprof.SetGoroutineLabels(w.labels[row].store)
	}
	if bad != nil {
		w.writeError(rw, r, row, bad.status, bad.msg)
		return
	}
	w.answer(rw, r, q, row)
}

// answer asks the store for q's answer as of the instant the request
// arrives, after the modelled network delay, and writes it when the store's
// model says it reaches the client. The answer is computed at once: the
// store's answer as of an instant is the same whenever it is asked (its
// log is drawn ahead), and one wait rather than two keeps the timer's
// granularity out of the latency once more.
func (w *world) answer(rw http.ResponseWriter, r *http.Request, q query, row int) {
	var resp store.PollResponse
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.writeError(rw, r, row, http.StatusServiceUnavailable, "the run is over")
		return
	}
	var up, down time.Duration
	if p := w.peekPending(q.reqID); p != nil {
		up, down = p.up, p.down
	}
	at := w.clock.Now() + up
	w.store.Poll(q.sub.reader, at, q.req, &resp)
	w.storeReqs++
	w.mu.Unlock()

	h := rw.Header()
	h.Set(headerModelBytes, strconv.Itoa(resp.Bytes))
	h.Set(headerModelTime, strconv.FormatInt(int64(resp.Held+resp.Service), 10))
	if q.id != "" {
		h.Set("Pushpull-Request", q.id)
	}
	var body []byte
	switch resp.Status {
	case store.StatusOK:
		switch q.route {
		case routeFetch:
			body = w.codec.appendEvent(nil, resp.Events[0], true)
		case routeState:
			body = w.codec.appendState(nil, &resp, w.sc.Store.Resources)
		default:
			buf := pages.Get().(*[]byte)
			defer pages.Put(buf)
			body = w.codec.appendPage((*buf)[:0], &resp)
			*buf = body
			h.Set("ETag", etag(store.PollRequest{ByResource: q.req.ByResource, Resource: q.req.Resource, Cursor: resp.Cursor}))
		}
	case store.StatusNotModified:
		h.Set("ETag", etag(q.req))
	case store.StatusRateLimited:
		h.Set("Retry-After", strconv.Itoa(int(resp.RetryAfter/time.Second)))
		body = errorBody(http.StatusTooManyRequests, "rate limited: retry after "+h.Get("Retry-After")+" s")
	case store.StatusNotFound:
		body = errorBody(http.StatusNotFound, "no such event or feed: it aged out, or the client does not read resource feeds")
	default:
		body = errorBody(http.StatusServiceUnavailable, "the store failed to answer")
	}
	if !sleepUntil(r.Context(), w.clock, at+resp.Held+resp.Service+down) {
		return
	}
	w.write(rw, r, row, int(resp.Status), body)
}

// pages are the buffers pages are written into, reused from one answer to
// the next: a fleet's store writes thousands a second.
var pages = sync.Pool{New: func() any { return new([]byte) }}

func errorBody(status int, msg string) []byte {
	var e wireError
	e.Error.Status, e.Error.Message = status, msg
	b, _ := json.Marshal(e) // a struct of a number and a string
	return b
}

// writeError answers with a JSON error.
func (w *world) writeError(rw http.ResponseWriter, r *http.Request, row, status int, msg string) {
	w.write(rw, r, row, status, errorBody(status, msg))
}

// write writes an answer and counts its bytes on the wire for row.
func (w *world) write(rw http.ResponseWriter, r *http.Request, row, status int, body []byte) {
	h := rw.Header()
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(body) // a client that went away is no concern of the store
	}
	if row >= 0 {
		in, out := requestBytes(r), responseBytes(status, h, len(body))
		w.hmu.Lock()
		w.http.Wire(row, out, in) // the client receives what the server sends
		w.hmu.Unlock()
	}
}

// requestBytes is the size of a request on the wire: its request line, its
// headers and its body.
func requestBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2
	n += headerBytes(r.Header) + 2
	if r.ContentLength > 0 {
		n += int(r.ContentLength)
	}
	return n
}

// responseBytes is the size of a response on the wire: its status line, its
// headers, the Date header net/http adds, and its body.
func responseBytes(status int, h http.Header, body int) int {
	n := len("HTTP/1.1 200 ") + len(http.StatusText(status)) + 2
	n += headerBytes(h) + len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n") + 2
	return n + body
}

func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}
