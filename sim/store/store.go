// Package store is the server side of the simulated world: the event log and
// its arrival process, the poll API (cursor, page size, has_more, retention,
// a per-client token bucket) and the webhook sender's retry decisions.
//
// Every decision takes the instant it is made as an argument; the store does
// no I/O and reads no clock, so the discrete-event runner and the live runner
// drive the same code.
package store

import (
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
	errors      float64
	readers     []reader
	feeds       []feed // per resource; nil until a reader reads resource feeds
	resourceRNG *random.Source

	// OnCreate, when set, is told the seq and creation instant of every
	// event, in seq order, as the log creates it.
	OnCreate func(seq int64, created time.Duration)
}

// Use is how a reader uses the store, which decides what the store must
// keep for it.
type Use uint8

// The uses of the store, combined with |.
const (
	// ReadsFeed: it reads the feed of all events in order. The store keeps
	// what it has not read, until it ages out.
	ReadsFeed Use = 1 << iota
	// ReadsResources: it reads each resource's feed on its own. The store
	// keeps what it has not read, even past retention, so that it learns
	// which events it lost.
	ReadsResources
	// Fetches: it fetches events by ID. The store keeps every event until it
	// ages out.
	Fetches
)

// reader is anyone who uses the store: a client (or one subscriber of a
// client) or the webhook dispatcher.
type reader struct {
	name    string
	use     Use
	cursor  int64   // ReadsFeed: the reader holds every event up to cursor
	feeds   []int64 // ReadsResources: the cursor of each resource's feed
	limiter *rate.Limiter
	rng     random.Source // service times and errors of this reader's requests
	limitAt time.Duration // latest instant the rate limiter was consulted at
}

// passed records that the reader asked for the events after req's cursor,
// so it holds those up to it.
func (r *reader) passed(req PollRequest) {
	if !req.ByResource {
		r.cursor = max(r.cursor, req.Cursor)
	} else if r.feeds != nil {
		r.feeds[req.Resource] = max(r.feeds[req.Resource], req.Cursor)
	}
}

// New builds the store sc describes; its random streams derive from seed.
func New(sc *scenario.Scenario, seed uint64) (*Store, error) {
	st := sc.Store
	arrivals, err := NewArrivals(st.Arrivals, sc.Duration, random.New(seed, "store/arrivals"))
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
		errors:      st.API.Errors,
		resourceRNG: random.New(seed, "store/resources"),
	}
	s.log = newEventLog(arrivals, sc.Duration.D(), s.newEvent)
	return s, nil
}

func (s *Store) newEvent(seq int64, created time.Duration, resource int) Event {
	if s.OnCreate != nil {
		s.OnCreate(seq, created)
	}
	if resource < 0 && s.resources > 1 {
		resource = int(s.resourceRNG.Uint64() % uint64(s.resources))
	}
	resource = max(resource, 0)
	if s.feeds != nil {
		s.feeds[resource].add(seq)
	}
	return Event{Seq: seq, Created: created, Resource: int32(resource), Size: int32(s.payload)}
}

// Reader identifies a registered reader of the log.
type Reader int

// AddReader registers a user of the store, such as a polling client, with
// its own rate-limit bucket, and returns its handle. Its requests draw
// service times and errors from a stream of their own, so adding a client
// changes no other client's draws. Register every reader before the first
// request.
func (s *Store) AddReader(name string, seed uint64, use Use) Reader {
	r := reader{name: name, use: use, rng: random.Stream(seed, "store/api/"+name)}
	if rl := s.rateLimit; rl != nil {
		r.limiter = rate.NewLimiter(rate.Limit(rl.Rate.PerSecond()), rl.Burst)
	}
	if use&ReadsResources != 0 {
		r.feeds = make([]int64, s.resources)
		if s.feeds == nil {
			s.feeds = make([]feed, s.resources)
		}
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
// forget what no reader needs any more: events every feed reader has read
// or that aged out, but not what a resource-feed reader has yet to read.
func (s *Store) Advance(now time.Duration) {
	s.log.extend(now)
	aged := s.log.firstCreatedFrom(now - s.retention)
	soft, hard := s.log.nextSeq, s.log.nextSeq
	for i := range s.readers {
		r := &s.readers[i]
		if r.use&ReadsFeed != 0 {
			soft = min(soft, r.cursor+1)
		}
		if r.use&Fetches != 0 {
			soft = min(soft, aged)
		}
		// A resource-feed reader needs its resource's next event, not
		// every event after its cursor: a resource that gets no more
		// events must not pin the log.
		for res, c := range r.feeds {
			hard = min(hard, s.feeds[res].next(c, s.log.nextSeq))
		}
	}
	s.log.trim(min(max(soft, aged), hard))
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

// HeaderBytes is the size of the request line or status line and headers of
// every message.
func (s *Store) HeaderBytes() int { return s.headerBytes }

// Unread returns, at instant t, how many events of resource's feed after
// cursor the store still keeps, created at or before t, and the seqs of
// those after cursor that aged out.
func (s *Store) Unread(resource int, cursor int64, t time.Duration) (kept int64, aged []int64) {
	s.log.extend(t)
	f := &s.feeds[resource]
	f.trim(s.log.firstSeq())
	cutoff := t - s.retention
	for i := f.after(cursor); i < len(f.seqs); i++ {
		ev := s.log.at(f.seqs[i])
		switch {
		case ev.Created > t:
			return kept, aged
		case ev.Created < cutoff:
			aged = append(aged, ev.Seq)
		default:
			kept++
		}
	}
	return kept, aged
}
