package metrics

import (
	"errors"
	"fmt"
	"time"
)

// Config describes the clients a Recorder records.
type Config struct {
	// Duration is the measurement window: requests sent before it count.
	// Events are only created before it.
	Duration time.Duration
	// End is the end of the run: duration plus drain. The timeline covers
	// [0, End).
	End       time.Duration
	Resources int
	Clients   []ClientConfig
}

// ClientConfig names one client.
type ClientConfig struct {
	Name     string
	Strategy string   // in words, such as "poll every 10s"
	Polls    bool     // the client polls, so its empty-poll fraction is reported
	Outages  []Outage // when the client was down, for the timeline
}

// Recorder turns what a runner reports into Results. It is not safe for
// concurrent use: a runner that reports from several goroutines serialises
// its calls.
type Recorder struct {
	cfg      Config
	clients  []clientRecord
	broken   []error // violated invariants, such as a delivery before creation
	timeline timeline
	emitted  []int64 // events created, per bucket

	// Trace, when set, sees every delivery, duplicate and loss as it is
	// recorded: for tests, and for raw per-event output.
	Trace func(Record)
}

// RecordKind says what a Record is.
type RecordKind uint8

// The kinds of Record.
const (
	HeldFirst   RecordKind = iota // the client held the event for the first time
	HeldAgain                     // the client held the event again
	LostForGood                   // the client will never hold the event
)

// Record is one event's fate at one client, as Trace sees it.
type Record struct {
	Kind    RecordKind
	Client  int
	Seq     int64
	Created time.Duration // unknown (0) for a drop
	At      time.Duration // unknown (0) for a drop
	Cause   Cause         // for a drop
}

// clientRecord is one client's tallies. The counters every request
// touches come first, so that a request touches one or two cache lines.
type clientRecord struct {
	requests   [numKinds]int64
	bytesIn    int64
	bytesOut   int64
	polls      int64 // answered polls, sent in the window
	emptyPolls int64
	wasted     [numWastes]int64
	wastedKind [numKinds]int64

	delivered  int64
	duplicates int64
	outOfOrder int64
	dropped    [numCauses]int64
	resolved   seqSet     // held or finally lost
	highest    []int64    // per resource: the highest seq held
	latency    *latencies // apart: touched only by deliveries
	series     series     // the timeline
}

// NewRecorder returns a Recorder for the clients of cfg, indexed as listed.
func NewRecorder(cfg Config) *Recorder {
	tl := newTimeline(max(cfg.End, cfg.Duration))
	r := &Recorder{cfg: cfg, clients: make([]clientRecord, len(cfg.Clients)), timeline: tl, emitted: make([]int64, tl.buckets)}
	for i := range r.clients {
		r.clients[i] = clientRecord{
			latency:  newLatencies(),
			resolved: newSeqSet(),
			highest:  make([]int64, max(cfg.Resources, 1)),
			series:   newSeries(tl.buckets),
		}
	}
	return r
}

// Created records that the store created an event at instant t, for the
// timeline.
func (r *Recorder) Created(t time.Duration) { inc(r.emitted, r.timeline.bucket(t)) }

// inWindow reports whether a request sent at t counts.
func (r *Recorder) inWindow(t time.Duration) bool { return t < r.cfg.Duration }

// Sent records that client c sent (or, for a webhook attempt, was sent) a
// request of kind k at t.
func (r *Recorder) Sent(c int, k Kind, t time.Duration) {
	cr := &r.clients[c]
	if r.inWindow(t) {
		cr.requests[k]++
	}
	inc(cr.series.requests, r.timeline.bucket(t))
}

// Answered records how a request of kind k that client c sent at sentAt
// ended. Call it after Held for every event the answer carried.
func (r *Recorder) Answered(c int, k Kind, sentAt time.Duration, o Outcome) {
	if !r.inWindow(sentAt) {
		return
	}
	cr := &r.clients[c]
	cr.bytesIn += int64(o.BytesIn)
	cr.bytesOut += int64(o.BytesOut)
	if w, wasted := waste(k, o); wasted {
		cr.wasted[w]++
		cr.wastedKind[k]++
	}
	if k == Poll && o.Status == OK {
		cr.polls++
		if o.Returned == 0 {
			cr.emptyPolls++
		}
	}
}

// Held records that client c held event seq of resource at instant at, and
// reports whether this was the first time. The first time is a delivery with
// latency at − created; any later one is a duplicate.
func (r *Recorder) Held(c int, seq int64, resource int, created, at time.Duration) bool {
	cr := &r.clients[c]
	if at < created {
		r.broken = append(r.broken, fmt.Errorf("client %s held event %d at %v, before its creation at %v", r.cfg.Clients[c].Name, seq, at, created))
		return false
	}
	if !cr.resolved.add(seq) {
		cr.duplicates++
		if r.Trace != nil {
			r.Trace(Record{Kind: HeldAgain, Client: c, Seq: seq, Created: created, At: at})
		}
		return false
	}
	if r.Trace != nil {
		r.Trace(Record{Kind: HeldFirst, Client: c, Seq: seq, Created: created, At: at})
	}
	cr.delivered++
	cr.latency.record(at - created)
	inc(cr.series.deliveries, r.timeline.bucket(at))
	if seq < cr.highest[resource] {
		cr.outOfOrder++
	} else {
		cr.highest[resource] = seq
	}
	return true
}

// Holds reports whether client c holds event seq or has lost it for good.
func (r *Recorder) Holds(c int, seq int64) bool { return r.clients[c].resolved.has(seq) }

// Lost records that client c will never hold event seq, for cause, as the
// runner learns it at instant at. Report a loss only when it is final: no
// path left can still deliver the event.
func (r *Recorder) Lost(c int, seq int64, at time.Duration, cause Cause) {
	cr := &r.clients[c]
	if !cr.resolved.add(seq) {
		r.broken = append(r.broken, fmt.Errorf("client %s: event %d reported lost (%v) after it was held or lost", r.cfg.Clients[c].Name, seq, cause))
		return
	}
	cr.dropped[cause]++
	inc(cr.series.drops, r.timeline.bucket(at))
	if r.Trace != nil {
		r.Trace(Record{Kind: LostForGood, Client: c, Seq: seq, Cause: cause})
	}
}

// Tally is the end-of-run account of one client's events, counted by the
// runner from its own state, independently of the Recorder.
type Tally struct {
	InFlight int64 // events still on their way: neither held nor lost
}

// ErrInvariant is wrapped by the error Results returns when the accounting of
// events does not balance: a bug in a runner or in the decision core.
var ErrInvariant = errors.New("accounting invariant violated")

// Results assembles the Results of the run. emitted is the number of events
// the store created in the window; tallies has one entry per client. The
// Results are complete even when the error, wrapping ErrInvariant, reports
// that emitted ≠ delivered + dropped + in flight for a client.
func (r *Recorder) Results(sc ScenarioInfo, run RunInfo, emitted int64, tallies []Tally) (*Results, error) {
	res := &Results{Schema: Schema, Version: Version, Scenario: sc, Run: run}
	res.Store.Emitted = emitted
	res.Timeline = Timeline{BucketS: r.timeline.width.Seconds(), Emitted: r.emitted}
	errs := append([]error(nil), r.broken...)
	window := r.cfg.Duration.Seconds()
	for i := range r.clients {
		row := r.clientResults(i, emitted, tallies[i].InFlight)
		if row.Delivered+row.Dropped.Total+row.InFlight != emitted {
			errs = append(errs, fmt.Errorf("client %s: emitted %d ≠ delivered %d + dropped %d + in flight %d",
				row.Name, emitted, row.Delivered, row.Dropped.Total, row.InFlight))
		}
		res.Store.Requests += row.Requests.Total
		res.Clients = append(res.Clients, row)
	}
	if window > 0 {
		res.Store.PerS = float64(res.Store.Requests) / window
	}
	res.Run.InvariantOK = len(errs) == 0
	if len(errs) > 0 {
		return res, fmt.Errorf("%w: %w", ErrInvariant, errors.Join(errs...))
	}
	return res, nil
}

func (r *Recorder) clientResults(i int, emitted, inFlight int64) ClientResults {
	cr := &r.clients[i]
	cc := r.cfg.Clients[i]
	row := ClientResults{
		Name: cc.Name, Strategy: cc.Strategy,
		Emitted: emitted, Delivered: cr.delivered, InFlight: inFlight,
		Latency:    cr.latency.results(),
		Requests:   Requests{ByKind: map[string]int64{}},
		Wasted:     Wasted{ByReason: map[string]int64{}, ByKind: map[string]int64{}},
		Dropped:    Dropped{ByCause: map[string]int64{}},
		Duplicates: cr.duplicates,
		OutOfOrder: cr.outOfOrder,
		Bytes:      Bytes{In: cr.bytesIn, Out: cr.bytesOut},
		Outages:    append([]Outage{}, cc.Outages...),
		Timeline:   ClientTimeline{Requests: cr.series.requests, Deliveries: cr.series.deliveries, Drops: cr.series.drops},
	}
	for k := range numKinds {
		if n := cr.requests[k]; n > 0 {
			row.Requests.ByKind[k.String()] = n
			row.Requests.Total += n
		}
		if n := cr.wastedKind[k]; n > 0 {
			row.Wasted.ByKind[k.String()] = n
		}
	}
	for w := range numWastes {
		if n := cr.wasted[w]; n > 0 {
			row.Wasted.ByReason[w.String()] = n
			row.Wasted.Total += n
		}
	}
	for c := range numCauses {
		if n := cr.dropped[c]; n > 0 {
			row.Dropped.ByCause[c.String()] = n
			row.Dropped.Total += n
		}
	}
	if w := r.cfg.Duration.Seconds(); w > 0 {
		row.Requests.PerS = float64(row.Requests.Total) / w
	}
	row.Wasted.Fraction = ratio(row.Wasted.Total, row.Requests.Total)
	row.RequestsPerDelivered = ratio(row.Requests.Total, row.Delivered)
	row.Dropped.Rate = ratio(row.Dropped.Total, emitted)
	row.Bytes.PerDelivered = ratio(row.Bytes.In+row.Bytes.Out, row.Delivered)
	if cc.Polls {
		row.EmptyPollFraction = ratio(cr.emptyPolls, cr.polls)
	}
	return row
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	v := float64(num) / float64(den)
	return &v
}
