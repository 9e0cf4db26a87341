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

// ClientConfig names one client: one row of the results.
type ClientConfig struct {
	Name      string
	Strategy  string   // in words, such as "poll every 10s"
	Count     int      // subscribers the row stands for; 0 means 1
	Polls     bool     // the client polls, so its empty-poll fraction is reported
	Processes bool     // the client processes deliveries, so its processing latency is reported
	Outages   []Outage // when the client was down, for the timeline
}

// Recorder turns what a runner reports into Results. A client row may
// stand for several subscribers (count): each holds events on its own, and
// the row sums their figures. Subscribers are numbered from 0 across all
// rows, in row order. The Recorder is not safe
// for concurrent use: a runner that reports from several goroutines
// serialises its calls.
type Recorder struct {
	cfg      Config
	rows     []clientRecord
	subs     []subscriber
	rowOf    []int32 // per subscriber, its row: apart, so that a request's lookup stays in cache
	broken   []error // violated invariants, such as a delivery before creation
	timeline timeline
	series   series  // each row's timeline
	emitted  []int64 // events created, per bucket
	created  creations
	// freshness tallies each row's samples, apart from the rows: a
	// sample visits every subscriber, and they stay together in cache.
	freshness []freshnessTally

	// Trace, when set, sees every delivery, duplicate and loss as it is
	// recorded: for tests, and for raw per-event output.
	Trace func(Record)
}

// RecordKind says what a Record is.
type RecordKind uint8

// The kinds of Record.
const (
	HeldFirst   RecordKind = iota // the subscriber held the event for the first time
	HeldAgain                     // the subscriber held the event again
	LostForGood                   // the subscriber will never hold the event
)

// Record is one event's fate at one subscriber, as Trace sees it.
type Record struct {
	Kind       RecordKind
	Client     int // the row
	Subscriber int
	Seq        int64
	Created    time.Duration // unknown (0) for a drop
	At         time.Duration // unknown (0) for a drop
	Cause      Cause         // for a drop
}

// clientRecord is one row's tallies. The counters every request touches
// come first, so that a request touches one or two cache lines.
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
	processed  int64
	reworked   int64 // processings of an event already processed
	suppressed int64 // duplicates deduplication caught
	dropped    [numCauses]int64
	latency    *latencies // apart: touched only by deliveries
	processing *latencies // nil unless the row processes
}

// subscriber is what one subscriber holds.
type subscriber struct {
	row           int32
	resolved      seqSet  // held or finally lost
	resolvedCount int64   // how many
	processed     *seqSet // processed or finally lost; nil unless the row processes
	highest       []int64 // per resource: the highest seq held
}

// NewRecorder returns a Recorder for the clients of cfg, indexed as listed.
func NewRecorder(cfg Config) *Recorder {
	tl := newTimeline(max(cfg.End, cfg.Duration))
	r := &Recorder{cfg: cfg, rows: make([]clientRecord, len(cfg.Clients)), timeline: tl, emitted: make([]int64, tl.buckets),
		freshness: make([]freshnessTally, len(cfg.Clients)), series: newSeries(len(cfg.Clients), tl.buckets)}
	for i, cc := range cfg.Clients {
		row := clientRecord{latency: newLatencies()}
		if cc.Processes {
			row.processing = newLatencies()
		}
		r.rows[i] = row
		for range max(cc.Count, 1) {
			sub := subscriber{row: int32(i), resolved: newSeqSet(), highest: make([]int64, max(cfg.Resources, 1))}
			if cc.Processes {
				p := newSeqSet()
				sub.processed = &p
			}
			r.subs = append(r.subs, sub)
			r.rowOf = append(r.rowOf, int32(i))
		}
	}
	return r
}

// Created records that the store created event seq at instant t, for the
// timeline and freshness. Events are created in seq order.
func (r *Recorder) Created(seq int64, t time.Duration) {
	inc(r.emitted, r.timeline.bucket(t))
	r.created.add(seq, t)
}

// inWindow reports whether a request sent at t counts.
func (r *Recorder) inWindow(t time.Duration) bool { return t < r.cfg.Duration }

func (r *Recorder) row(s int) *clientRecord { return &r.rows[r.rowOf[s]] }

// Sent records that subscriber s sent (or, for a webhook attempt, was sent)
// a request of kind k at t.
func (r *Recorder) Sent(s int, k Kind, t time.Duration) {
	row := r.rowOf[s]
	if r.inWindow(t) {
		r.rows[row].requests[k]++
	}
	r.series.inc(r.series.requests, row, r.timeline.bucket(t))
}

// Answered records how a request of kind k that subscriber s sent at sentAt
// ended. Call it after Held for every event the answer carried.
func (r *Recorder) Answered(s int, k Kind, sentAt time.Duration, o Outcome) {
	if !r.inWindow(sentAt) {
		return
	}
	cr := r.row(s)
	cr.bytesIn += int64(o.BytesIn)
	cr.bytesOut += int64(o.BytesOut)
	if w, wasted := waste(k, o); wasted {
		cr.wasted[w]++
		cr.wastedKind[k]++
	}
	if (k == Poll || k == LongPoll) && (o.Status == OK || o.Status == NotModified) {
		cr.polls++
		if o.Returned == 0 {
			cr.emptyPolls++
		}
	}
}

// Held records that subscriber s held event seq of resource at instant at,
// and reports whether this was the first time. The first time is a delivery
// with latency at − created; any later one is a duplicate.
func (r *Recorder) Held(s int, seq int64, resource int, created, at time.Duration) bool {
	sub := &r.subs[s]
	cr := &r.rows[sub.row]
	if at < created {
		r.broken = append(r.broken, fmt.Errorf("client %s held event %d at %v, before its creation at %v", r.cfg.Clients[sub.row].Name, seq, at, created))
		return false
	}
	if !sub.resolved.add(seq) {
		cr.duplicates++
		if r.Trace != nil {
			r.Trace(Record{Kind: HeldAgain, Client: int(sub.row), Subscriber: s, Seq: seq, Created: created, At: at})
		}
		return false
	}
	if r.Trace != nil {
		r.Trace(Record{Kind: HeldFirst, Client: int(sub.row), Subscriber: s, Seq: seq, Created: created, At: at})
	}
	sub.resolvedCount++
	cr.delivered++
	cr.latency.record(at - created)
	r.series.inc(r.series.deliveries, sub.row, r.timeline.bucket(at))
	if seq < sub.highest[resource] {
		cr.outOfOrder++
	} else {
		sub.highest[resource] = seq
	}
	return true
}

// Holds reports whether subscriber s holds event seq or has lost it for
// good.
func (r *Recorder) Holds(s int, seq int64) bool { return r.subs[s].resolved.has(seq) }

// Processed records that subscriber s finished processing event seq at
// instant at: its processing latency is at − created. Processing an event a
// second time is an application duplicate.
func (r *Recorder) Processed(s int, seq int64, created, at time.Duration) {
	sub := &r.subs[s]
	cr := &r.rows[sub.row]
	if sub.processed == nil {
		return
	}
	if !sub.processed.add(seq) {
		cr.reworked++
		return
	}
	cr.processed++
	cr.processing.record(at - created)
}

// Suppressed records that subscriber s recognised a delivery as a duplicate
// and did not process it again.
func (r *Recorder) Suppressed(s int) { r.row(s).suppressed++ }

// Duplicate records a delivery to subscriber s of an event it had already
// taken, when the first copy may not count as held yet (it waits in a
// volatile queue): a duplicate on the wire, as Held counts them.
func (r *Recorder) Duplicate(s int) { r.row(s).duplicates++ }

// Lost records that subscriber s will never hold event seq, for cause, as
// the runner learns it at instant at. Report a loss only when it is final:
// no path left can still deliver the event.
func (r *Recorder) Lost(s int, seq int64, at time.Duration, cause Cause) {
	sub := &r.subs[s]
	cr := &r.rows[sub.row]
	if !sub.resolved.add(seq) {
		r.broken = append(r.broken, fmt.Errorf("client %s: event %d reported lost (%v) after it was held or lost", r.cfg.Clients[sub.row].Name, seq, cause))
		return
	}
	if sub.processed != nil {
		sub.processed.add(seq) // it will never be processed either
	}
	sub.resolvedCount++
	cr.dropped[cause]++
	r.series.inc(r.series.drops, sub.row, r.timeline.bucket(at))
	if r.Trace != nil {
		r.Trace(Record{Kind: LostForGood, Client: int(sub.row), Subscriber: s, Seq: seq, Cause: cause})
	}
}

// Tally is the end-of-run account of one client row's events, counted by
// the runner from its own state, independently of the Recorder.
type Tally struct {
	InFlight int64 // events still on their way to a subscriber: neither held nor lost
}

// ErrInvariant is wrapped by the error Results returns when the accounting of
// events does not balance: a bug in a runner or in the decision core.
var ErrInvariant = errors.New("accounting invariant violated")

// Results assembles the Results of the run. emitted is the number of events
// the store created in the window; tallies has one entry per client row.
// The Results are complete even when the error, wrapping ErrInvariant,
// reports that count · emitted ≠ delivered + dropped + in flight for a row.
func (r *Recorder) Results(sc ScenarioInfo, run RunInfo, emitted int64, tallies []Tally) (*Results, error) {
	res := &Results{Schema: Schema, Version: Version, Scenario: sc, Run: run}
	res.Store.Emitted = emitted
	res.Timeline = Timeline{BucketS: r.timeline.width.Seconds(), Emitted: r.emitted}
	errs := append([]error(nil), r.broken...)
	window := r.cfg.Duration.Seconds()
	for i := range r.rows {
		row := r.clientResults(i, emitted, tallies[i].InFlight)
		if row.Delivered+row.Dropped.Total+row.InFlight != row.Emitted {
			errs = append(errs, fmt.Errorf("client %s: emitted %d ≠ delivered %d + dropped %d + in flight %d",
				row.Name, row.Emitted, row.Delivered, row.Dropped.Total, row.InFlight))
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
	cr := &r.rows[i]
	cc := r.cfg.Clients[i]
	count := int64(max(cc.Count, 1))
	row := ClientResults{
		Name: cc.Name, Strategy: cc.Strategy, Count: count,
		Emitted: count * emitted, Delivered: cr.delivered, InFlight: inFlight,
		Latency:    cr.latency.results(),
		Requests:   Requests{ByKind: map[string]int64{}},
		Wasted:     Wasted{ByReason: map[string]int64{}, ByKind: map[string]int64{}},
		Dropped:    Dropped{ByCause: map[string]int64{}},
		Duplicates: cr.duplicates,
		OutOfOrder: cr.outOfOrder,
		Bytes:      Bytes{In: cr.bytesIn, Out: cr.bytesOut},
		Outages:    append([]Outage{}, cc.Outages...),
		Timeline: ClientTimeline{
			Requests:   r.series.row(r.series.requests, i),
			Deliveries: r.series.row(r.series.deliveries, i),
			Drops:      r.series.row(r.series.drops, i),
		},
	}
	if cr.processing != nil {
		row.Processing = &Processing{
			Processed: cr.processed, Reworked: cr.reworked, Suppressed: cr.suppressed,
			Latency: cr.processing.results(),
		}
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
	row.Dropped.Rate = ratio(row.Dropped.Total, row.Emitted)
	row.Bytes.PerDelivered = ratio(row.Bytes.In+row.Bytes.Out, row.Delivered)
	row.Freshness = r.freshnessResults(i, emitted, row.Latency.MeanS)
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
