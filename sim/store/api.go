package store

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Status is the HTTP status of an answer of the API.
type Status int

// The statuses the API answers with.
const (
	StatusOK          Status = 200
	StatusNotModified Status = 304
	StatusNotFound    Status = 404
	StatusRateLimited Status = 429
	StatusUnavailable Status = 503
)

// PollRequest is a request to the API: the events after Cursor, in the
// global feed or one resource's feed; or one event by its seq (Fetch); or
// the state of every resource (State).
type PollRequest struct {
	Cursor      int64         // the last seq the client holds of the feed; 0 for none
	Limit       int           // the most events in a page; 0, or above the page size: the page size
	ByResource  bool          // read one resource's feed rather than the feed of all events
	Resource    int           // with ByResource: the resource whose feed to read
	IfNoneMatch bool          // conditional: answer 304 when nothing is new after Cursor
	Hold        time.Duration // long poll: wait up to this long for a first new event
	Fetch       int64         // fetch this event alone, when above 0
	State       bool          // fetch the current state of every resource; Cursor is the last state's snapshot
}

// PollResponse is the store's answer to a PollRequest.
//
// A state is not a page of events: it returns every resource's current
// state, which reflects every event up to its snapshot (Cursor). What it
// reflects that the last state did not, the events after the request's
// cursor, is told as for the global feed: those still kept in Events, those
// that aged out in Expired, both judged at the instant the store answers.
type PollResponse struct {
	Events     []Event // the events returned, in seq order; for a state, those it newly reflects
	Status     Status
	First      int64         // seq of the first event returned, or for a state reflected, when kept
	Count      int           // events returned: len(Events), but 0 for a state, which returns none
	HasMore    bool          // more events were waiting after these
	Expired    int64         // global feed or state: events after the cursor that aged out unread, seqs Cursor+1 to First−1 of the request
	Skipped    []int64       // a resource's feed: the seqs of its events after the cursor that aged out unread
	Cursor     int64         // the cursor to send next: the last seq returned or skipped; for a state, its snapshot
	RetryAfter time.Duration // with 429: when a token will be there, in whole seconds
	Held       time.Duration // long poll: how long the store held the request before answering
	Service    time.Duration // time the store took to answer, after any hold
	Bytes      int           // size of the response on the wire
}

// Bytes of a poll response's JSON envelope and of an error body.
const (
	envelopeBytes  = 64
	errorBodyBytes = 64
)

// epoch turns virtual instants into the time.Time the rate limiter wants.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Poll answers req from reader r, arriving at instant at: the response
// reflects the log as it is at that instant, or for a long poll at the
// instant the store answers. Poll writes the answer into resp, reusing the
// capacity of resp.Events and resp.Skipped, so that a runner that keeps its
// responses allocates nothing.
func (s *Store) Poll(r Reader, at time.Duration, req PollRequest, resp *PollResponse) {
	rd := &s.readers[r]
	*resp = PollResponse{Events: resp.Events[:0], Skipped: resp.Skipped[:0], Status: StatusOK, Cursor: req.Cursor}
	s.log.extend(at)
	// A resource feed the reader did not register for, or that does not
	// exist, is answered 404 below; nothing may look it up before then.
	noFeed := req.ByResource && (rd.feeds == nil || req.Resource < 0 || req.Resource >= s.resources)
	if noFeed {
		req.IfNoneMatch, req.Hold = false, 0
	}
	if req.IfNoneMatch && s.rateLimit != nil && s.rateLimit.Free304 && s.unchanged(req, at) {
		s.notModified(rd, resp) // answered before the bucket is consulted
		return
	}
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
	if s.errors > 0 && rd.rng.Bernoulli(s.errors) {
		resp.Status = StatusUnavailable
		resp.Service = s.service.Sample(&rd.rng)
		resp.Bytes = s.headerBytes + errorBodyBytes
		return
	}
	switch {
	case noFeed:
		resp.Status = StatusNotFound // no such feed: the reader did not ask for resource feeds
		resp.Bytes = s.headerBytes + errorBodyBytes
		return
	case req.Fetch > 0:
		s.fetch(rd, at, req.Fetch, resp)
		return
	case req.State:
		s.state(at, req, resp)
		resp.Bytes = s.headerBytes + envelopeBytes + s.resources*(s.payload+1)
		resp.Service = s.service.Sample(&rd.rng)
		return
	}
	if req.IfNoneMatch && s.unchanged(req, at) {
		s.notModified(rd, resp)
		return
	}
	asOf := at
	if req.Hold > 0 && s.unchanged(req, at) {
		asOf = s.firstAfter(req, at, at+req.Hold)
		resp.Held = asOf - at
	}
	if req.ByResource {
		s.readFeed(rd, asOf, req, resp)
	} else {
		s.readAll(asOf, req, resp)
	}
	resp.Service = s.service.Sample(&rd.rng)
	resp.Bytes = s.headerBytes + envelopeBytes
	for _, ev := range resp.Events {
		resp.Bytes += int(ev.Size) + 1
	}
	rd.passed(req)
}

// unchanged reports whether the feed req reads has nothing after its cursor
// at instant at: no new event, and none aged out unread.
func (s *Store) unchanged(req PollRequest, at time.Duration) bool {
	if req.ByResource {
		f := &s.feeds[req.Resource]
		f.trim(s.log.firstSeq())
		i := f.after(req.Cursor)
		return i == len(f.seqs) || s.log.at(f.seqs[i]).Created > at
	}
	return s.log.lastCreatedBy(at) <= req.Cursor && s.log.firstCreatedFrom(at-s.retention) <= req.Cursor+1
}

func (s *Store) notModified(rd *reader, resp *PollResponse) {
	resp.Status = StatusNotModified
	resp.Service = s.service.Sample(&rd.rng)
	resp.Bytes = s.headerBytes
}

// firstAfter is the instant a long poll is answered: when the first event
// of its feed after the cursor is created, or at deadline if none is.
func (s *Store) firstAfter(req PollRequest, at, deadline time.Duration) time.Duration {
	s.log.extend(deadline)
	if req.ByResource {
		f := &s.feeds[req.Resource]
		if i := f.after(req.Cursor); i < len(f.seqs) {
			return min(max(s.log.at(f.seqs[i]).Created, at), deadline)
		}
		return deadline
	}
	next := req.Cursor + 1
	if next < s.log.firstSeq() || next >= s.log.nextSeq {
		return deadline
	}
	return min(max(s.log.at(next).Created, at), deadline)
}

// readAll answers from the feed of all events, as of instant at.
func (s *Store) readAll(at time.Duration, req PollRequest, resp *PollResponse) {
	start := req.Cursor + 1
	if kept := s.log.firstCreatedFrom(at - s.retention); start < kept {
		resp.Expired = kept - start
		start = kept
	}
	last := s.log.lastCreatedBy(at)
	resp.Count = int(max(0, min(last-start+1, int64(s.page(req)))))
	resp.First = start
	resp.Cursor = start + int64(resp.Count) - 1
	resp.HasMore = resp.Cursor < last
	if resp.Count > 0 {
		resp.Events = append(resp.Events, s.log.span(start, resp.Cursor)...)
	}
}

// page is the most events an answer to req returns: the page size, or
// the request's limit when it asks for fewer.
func (s *Store) page(req PollRequest) int {
	if req.Limit > 0 {
		return min(req.Limit, s.pageSize)
	}
	return s.pageSize
}

// state answers a state sync as of instant at: its snapshot is the newest
// event created, and of the events after req's cursor up to it, those older
// than the retention at that instant aged out before the client could see
// them reflected. The answer does not depend on when the log was trimmed.
func (s *Store) state(at time.Duration, req PollRequest, resp *PollResponse) {
	last := s.log.lastCreatedBy(at)
	start := req.Cursor + 1
	if kept := s.log.firstCreatedFrom(at - s.retention); start < kept {
		resp.Expired = kept - start
		start = kept
	}
	resp.First = start
	resp.Cursor = last
	if start <= last {
		resp.Events = append(resp.Events, s.log.span(start, last)...)
	}
}

// readFeed answers from one resource's feed, as of instant at.
func (s *Store) readFeed(rd *reader, at time.Duration, req PollRequest, resp *PollResponse) {
	f := &s.feeds[req.Resource]
	f.trim(s.log.firstSeq())
	cutoff := at - s.retention
	i := f.after(req.Cursor)
	for ; i < len(f.seqs); i++ {
		ev := s.log.at(f.seqs[i])
		if ev.Created >= cutoff {
			break
		}
		resp.Skipped = append(resp.Skipped, ev.Seq)
		resp.Cursor = ev.Seq
	}
	for page := s.page(req); i < len(f.seqs) && len(resp.Events) < page; i++ {
		ev := s.log.at(f.seqs[i])
		if ev.Created > at {
			break
		}
		resp.Events = append(resp.Events, *ev)
		resp.Cursor = ev.Seq
	}
	resp.HasMore = i < len(f.seqs) && s.log.at(f.seqs[i]).Created <= at
	resp.Count = len(resp.Events)
	if resp.Count > 0 {
		resp.First = resp.Events[0].Seq
	}
}

// fetch answers a request for one event by its seq: 404 once it aged out.
func (s *Store) fetch(rd *reader, at time.Duration, seq int64, resp *PollResponse) {
	resp.Service = s.service.Sample(&rd.rng)
	if seq < s.log.firstCreatedFrom(at-s.retention) || seq >= s.log.nextSeq || s.log.at(seq).Created > at {
		resp.Status = StatusNotFound
		resp.Bytes = s.headerBytes + errorBodyBytes
		return
	}
	ev := s.log.at(seq)
	resp.Events = append(resp.Events, *ev)
	resp.First, resp.Count, resp.Cursor = seq, 1, seq
	resp.Bytes = s.headerBytes + int(ev.Size)
}

// retryAfter is the Retry-After a 429 carries: the wait until the next
// token, rounded up to whole seconds as the HTTP header is.
func retryAfter(lim *rate.Limiter, now time.Time) time.Duration {
	wait := (1 - lim.TokensAt(now)) / float64(lim.Limit())
	return time.Duration(math.Max(1, math.Ceil(wait))) * time.Second
}
