package live

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/store"
)

// maxAnswer bounds the body of an answer a client reads.
const maxAnswer = 256 << 20

// pending is a request to the store's API whose answer has not been taken
// in: a polling loop's, or a thin delivery's fetch.
type pending struct {
	id     uint64
	route  route
	sub    *subscriber
	loop   *loop  // nil for a fetch
	fetch  *fetch // for a fetch
	req    client.Request
	sentAt time.Duration // scenario instant it left
	// The modelled network delays of the request and its answer, drawn
	// when it is sent, as the simulation draws them; the store's handler
	// adds them.
	up, down time.Duration
	due      time.Time // when it was due, for its lateness; zero when it follows an answer at once
	url      string
	etag     string // If-None-Match, for a conditional request
}

// exchange is how an HTTP exchange ended, as the client saw it.
type exchange struct {
	code       int // 0: no response
	header     http.Header
	body       []byte
	err        error
	start, end time.Time
}

// newPending registers a request of subscriber s, sent now, and builds its
// URL. The caller holds mu.
func (w *world) newPending(s *subscriber, l *loop, f *fetch, req client.Request, now time.Duration, due time.Time) *pending {
	p := &pending{id: w.newRequestID(), sub: s, loop: l, fetch: f, req: req, sentAt: now, due: due}
	w.rec.Sent(s.index, req.Kind, now)
	p.up, p.down = w.delay(s), w.delay(s)
	b := []byte(w.apiURL)
	switch {
	case req.Fetch > 0:
		p.route = routeFetch
		b = append(b, "/v1/events/evt_"...)
		b = strconv.AppendInt(b, req.Fetch, 10)
	case req.State:
		p.route = routeState
		b = append(b, "/v1/state"...)
	default:
		b = append(b, "/v1/events"...)
	}
	b = append(b, "?client="...)
	b = append(b, url.QueryEscape(s.name)...)
	b = append(b, "&req="...)
	b = strconv.AppendUint(b, p.id, 10)
	if p.route != routeFetch {
		b = append(b, "&after="...)
		b = strconv.AppendInt(b, req.Cursor, 10)
	}
	if p.route == routeEvents {
		if req.ByResource {
			b = append(b, "&resource="...)
			b = strconv.AppendInt(b, int64(req.Resource), 10)
		}
		if req.Hold > 0 {
			b = append(b, "&wait="...)
			b = append(b, req.Hold.String()...)
		}
		if req.IfNoneMatch {
			p.etag = etag(req.PollRequest) // the poller asks once it holds an answer at this cursor, whose ETag this is
		}
	}
	p.url = string(b)
	w.pmu.Lock()
	w.pending[p.id] = p
	w.pmu.Unlock()
	return p
}

// takePending removes and returns the request with the given ID.
func (w *world) takePending(id uint64) *pending {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	p := w.pending[id]
	delete(w.pending, id)
	return p
}

// peekPending returns the request with the given ID, leaving it pending.
func (w *world) peekPending(id uint64) *pending {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	return w.pending[id]
}

// requestID reads the request ID a URL or its query carries, or 0. It
// looks for the parameter rather than parsing the whole query: it runs for
// every exchange of a fleet.
func requestID(u string) uint64 {
	i := strings.Index(u, "req=")
	for i > 0 && u[i-1] != '&' && u[i-1] != '?' {
		j := strings.Index(u[i+1:], "req=")
		if j < 0 {
			return 0
		}
		i += 1 + j
	}
	if i < 0 {
		return 0
	}
	v := u[i+len("req="):]
	if j := strings.IndexByte(v, '&'); j >= 0 {
		v = v[:j]
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	return id
}

// send sends req for loop l, or a fetch f, on the shared client. The caller
// holds mu, and the run is not closed.
func (w *world) send(s *subscriber, l *loop, f *fetch, req client.Request, due time.Time) {
	p := w.newPending(s, l, f, req, w.clock.Now(), due)
	w.spawn(w.labels[s.row].client, func() { w.do(p) })
}

// do makes p's HTTP exchange on the shared client and takes in its answer.
func (w *world) do(p *pending) {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodGet, p.url, nil)
	if err != nil {
		w.answered(p, exchange{err: err, start: time.Now(), end: time.Now()}, true)
		return
	}
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	if !p.due.IsZero() {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), w.lateness(p)))
	}
	x := exchange{start: time.Now()}
	resp, err := w.client.Do(req)
	if err == nil {
		x.code, x.header = resp.StatusCode, resp.Header
		x.body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		resp.Body.Close()
	}
	x.err, x.end = err, time.Now()
	w.takePending(p.id)
	w.answered(p, x, true)
}

// lateness traces when p is written to its connection, and records how
// late that is.
func (w *world) lateness(p *pending) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		late := time.Since(p.due)
		w.hmu.Lock()
		w.http.Late(p.sub.row, late)
		w.hmu.Unlock()
	}}
}

// answered takes in the answer to p: it counts the exchange, writes it to
// vegeta.bin when direct (a fleet's attack writes its own), and hands the
// answer to the decision core.
func (w *world) answered(p *pending, x exchange, direct bool) {
	w.hmu.Lock()
	w.http.Exchange(p.sub.row, x.code, x.end.Sub(x.start))
	if x.code != 0 {
		w.http.Behind(p.sub.row, x.end.Sub(w.modelledAnswer(p, x.header)))
	}
	w.hmu.Unlock()
	if direct && w.results != nil {
		w.results.exchange(w.sc.Clients[p.sub.row].Name, http.MethodGet, p.url, x)
	}
	var resp store.PollResponse
	if x.code == 0 || w.codec.decode(p.route, x.code, x.header, x.body, &resp) != nil {
		resp = store.PollResponse{Status: store.StatusUnavailable}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	now := max(w.clock.Instant(x.end), p.sentAt)
	w.received(p, now, &resp)
}

// modelledAnswer is when the model has the answer to p reach its client:
// from when p was due, the way there, the store's hold and service, the way
// back.
func (w *world) modelledAnswer(p *pending, h http.Header) time.Time {
	due := p.sentAt
	if !p.due.IsZero() {
		due = w.clock.Instant(p.due)
	}
	served, _ := strconv.ParseInt(h.Get(headerModelTime), 10, 64)
	return w.clock.Wall(due + p.up + time.Duration(served) + p.down)
}
