// Package store is the server side of the simulated world: the event log and
// its arrival process, the poll API (cursor, page size, has_more, retention,
// a per-client token bucket) and the webhook sender's retry decisions.
//
// Every decision takes the instant it is made as an argument; the store does
// no I/O and reads no clock, so the discrete-event runner and the live runner
// drive the same code.
package store

import (
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Store is the simulated store. It is not safe for concurrent use.
type Store struct {
	log         *eventLog
	resources   int
	payload     int
	headerBytes int
	pageSize    int
	retention   time.Duration
	service     random.Durations
	rateLimit   *scenario.RateLimit
	readers     []reader
	resourceRNG *random.Source

	// OnCreate, when set, is told the creation instant of every event, as
	// the log creates it.
	OnCreate func(created time.Duration)
}

// reader is anyone who reads the log in order: a polling client, or the
// webhook dispatcher.
type reader struct {
	name    string
	cursor  int64 // the reader holds every event up to cursor
	limiter *rate.Limiter
	rng     random.Source // service times of this reader's requests
	limitAt time.Duration // latest instant the rate limiter was consulted at
}

// New builds the store sc describes; its random streams derive from seed.
func New(sc *scenario.Scenario, seed uint64) (*Store, error) {
	st := sc.Store
	arrivals, err := NewArrivals(st.Arrivals, random.New(seed, "store/arrivals"))
	if err != nil {
		return nil, err
	}
	s := &Store{
		resources:   st.Resources,
		payload:     st.PayloadBytes,
		headerBytes: sc.Network.HeaderBytes,
		pageSize:    st.API.PageSize,
		retention:   st.API.Retention.D(),
		service:     st.API.Latency.Distribution(),
		rateLimit:   st.API.RateLimit,
		resourceRNG: random.New(seed, "store/resources"),
	}
	s.log = newEventLog(arrivals, sc.Duration.D(), s.newEvent)
	return s, nil
}

func (s *Store) newEvent(seq int64, created time.Duration) Event {
	if s.OnCreate != nil {
		s.OnCreate(created)
	}
	var res int32
	if s.resources > 1 {
		res = int32(s.resourceRNG.Uint64() % uint64(s.resources))
	}
	return Event{Seq: seq, Created: created, Resource: res, Size: int32(s.payload)}
}

// Reader identifies a registered reader of the log.
type Reader int

// AddReader registers a reader of the log, such as a polling client, and
// returns its handle. Its requests draw service times from a stream of their
// own, so adding a client changes no other client's draws.
func (s *Store) AddReader(name string, seed uint64) Reader {
	r := reader{name: name, rng: random.Stream(seed, "store/api/"+name)}
	if rl := s.rateLimit; rl != nil {
		r.limiter = rate.NewLimiter(rate.Limit(rl.Rate.PerSecond()), rl.Burst)
	}
	s.readers = append(s.readers, r)
	return Reader(len(s.readers) - 1)
}

// Event returns the event with the given seq, creating the log up to it.
// ok is false when the store never creates that event. An event can only be
// asked for while some reader's cursor is below it.
func (s *Store) Event(seq int64) (e Event, ok bool) {
	for s.log.nextSeq <= seq && !s.log.done {
		s.log.extend(s.log.upcoming)
	}
	if seq < s.log.firstSeq() || seq >= s.log.nextSeq {
		return Event{}, false
	}
	return *s.log.at(seq), true
}

// Advance tells the store that no request will arrive before now, so it can
// forget every event that all readers have passed or that has aged out.
func (s *Store) Advance(now time.Duration) {
	cut := s.log.nextSeq
	for i := range s.readers {
		cut = min(cut, s.readers[i].cursor+1)
	}
	s.log.extend(now)
	cut = max(cut, s.log.firstCreatedFrom(now-s.retention))
	s.log.trim(cut)
}

// Passed records that reader r holds every event up to seq: the webhook
// dispatcher calls it as it hands events to the sender.
func (s *Store) Passed(r Reader, seq int64) {
	s.readers[r].cursor = max(s.readers[r].cursor, seq)
}

// Emitted is the number of events created at or before instant t.
func (s *Store) Emitted(t time.Duration) int64 {
	s.log.extend(t)
	return s.log.lastCreatedBy(t)
}

// Kept returns the seqs of the oldest and the newest event the store holds
// at instant t: created at or before t and not aged out. When it holds none,
// last is first − 1.
func (s *Store) Kept(t time.Duration) (first, last int64) {
	s.log.extend(t)
	return s.log.firstCreatedFrom(t - s.retention), s.log.lastCreatedBy(t)
}

// Status is the HTTP status of a poll response.
type Status int

// Poll response statuses.
const (
	StatusOK          Status = 200
	StatusRateLimited Status = 429
)

// PollRequest asks for the events after Cursor.
type PollRequest struct {
	Cursor int64 // the last seq the client holds; 0 for none
}

// PollResponse is the store's answer to a PollRequest.
type PollResponse struct {
	Events     []Event // the events returned, in seq order
	Status     Status
	First      int64         // seq of the first event returned
	Count      int           // len(Events): First, First+1, ...
	HasMore    bool          // more events were waiting after these
	Expired    int64         // events after the cursor that aged out before the client read them
	Cursor     int64         // the cursor to send next: the last seq returned or skipped
	RetryAfter time.Duration // with 429: when a token will be there, in whole seconds
	Service    time.Duration // time the store took to answer
	Bytes      int           // size of the response on the wire
}

// Poll answers req from reader r, arriving at instant at: the response
// reflects the log as it is at that instant. Poll writes the answer into
// resp, reusing the capacity of resp.Events, so that a runner that keeps
// its responses allocates nothing.
func (s *Store) Poll(r Reader, at time.Duration, req PollRequest, resp *PollResponse) {
	rd := &s.readers[r]
	*resp = PollResponse{Events: resp.Events[:0], Status: StatusOK, Cursor: req.Cursor}
	if lim := rd.limiter; lim != nil {
		// Requests of one client can overtake each other on the network;
		// the bucket is consulted in arrival order as it would be, and a
		// request that arrives "before" the previous one is judged at the
		// previous one's instant, so the bucket never refills twice.
		rd.limitAt = max(at, rd.limitAt)
		now := epoch.Add(rd.limitAt)
		if !lim.AllowN(now, 1) {
			resp.Status = StatusRateLimited
			resp.RetryAfter = retryAfter(lim, now)
			resp.Bytes = s.headerBytes + errorBodyBytes
			return
		}
	}
	s.log.extend(at)
	start := req.Cursor + 1
	if kept := s.log.firstCreatedFrom(at - s.retention); start < kept {
		resp.Expired = kept - start
		start = kept
	}
	last := s.log.lastCreatedBy(at)
	resp.Count = int(max(0, min(last-start+1, int64(s.pageSize))))
	resp.First = start
	resp.Cursor = start + int64(resp.Count) - 1
	resp.HasMore = resp.Cursor < last
	resp.Service = s.service.Sample(&rd.rng)
	resp.Bytes = s.headerBytes + envelopeBytes
	if resp.Count > 0 {
		resp.Events = append(resp.Events, s.log.span(start, resp.Cursor)...)
		for _, ev := range resp.Events {
			resp.Bytes += int(ev.Size) + 1
		}
	}
	rd.cursor = max(rd.cursor, req.Cursor)
}

// Bytes of a poll response's JSON envelope and of an error body.
const (
	envelopeBytes  = 64
	errorBodyBytes = 64
)

// epoch turns virtual instants into the time.Time the rate limiter wants.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// retryAfter is the Retry-After a 429 carries: the wait until the next
// token, rounded up to whole seconds as the HTTP header is.
func retryAfter(lim *rate.Limiter, now time.Time) time.Duration {
	wait := (1 - lim.TokensAt(now)) / float64(lim.Limit())
	return time.Duration(math.Max(1, math.Ceil(wait))) * time.Second
}

// HeaderBytes is the size of the request line or status line and headers of
// every message.
func (s *Store) HeaderBytes() int { return s.headerBytes }
