package client

import (
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// The end-of-run accounting every runner settles alike: each event a
// subscriber did not hold by the end is dropped or still in flight, so that
// emitted = delivered + dropped + in flight. A runner collects what is on
// its way through its own machinery, and says where each subscriber's
// loops stand; what aged out unread and what is in flight is decided here.

// Kept is what settling asks of the store: which events it still keeps at an
// instant.
type Kept interface {
	// Kept returns the seqs of the oldest and the newest event kept at t.
	Kept(t time.Duration) (first, last int64)
	// Unread returns how many events of resource's feed after cursor are
	// kept at t, and the seqs of those after cursor that aged out.
	Unread(resource int, cursor int64, t time.Duration) (kept int64, aged []int64)
}

var _ Kept = (*store.Store)(nil)

// Pipeline is, per subscriber, the events still on their way to it through
// its webhook endpoint when a run ends, keyed as the runner knows its
// subscribers.
type Pipeline[S comparable] map[S]map[int64]bool

// Add records that event seq is on its way to subscriber s.
func (p Pipeline[S]) Add(s S, seq int64) {
	if p[s] == nil {
		p[s] = map[int64]bool{}
	}
	p[s][seq] = true
}

// Ending is a run as it ends, against which its subscribers' events are
// settled.
type Ending struct {
	Store      Kept
	Recorder   *metrics.Recorder
	At         time.Duration // the instant the run ended
	Emitted    int64         // the events created in the run
	Dispatched int64         // the last event handed to the webhook sender
}

// Standing is where one subscriber stands when the run ends, as its runner
// knows it.
type Standing struct {
	Sub       int       // the subscriber, as the Recorder knows it
	Feeds     []*Poller // its poller's feeds
	Webhook   bool      // it has a webhook endpoint
	Reconcile *Poller   // its reconciliation, or nil
	Sync      *Poller   // its state sync, or nil
	// Pending are the events on their way to it through its webhook
	// endpoint, from the runner's Pipeline; Settle adds to it.
	Pending map[int64]bool
}

// Settle settles the events of the subscriber st when the run ends: those
// that aged out of the store before it read them are lost, for
// retention_expired, and it returns how many are still in flight.
func (e Ending) Settle(st Standing) int64 {
	var inFlight int64
	// A poller's feeds: what it has not read is in flight, or aged out.
	for _, p := range st.Feeds {
		inFlight += e.unread(st.Sub, p.Cursor(), p.Resource(), nil)
	}
	if !st.Webhook {
		return inFlight
	}
	// A webhook subscriber: what is on its way through push, plus what a
	// second path has yet to read, each event counted once.
	pending := st.Pending
	if pending == nil {
		pending = map[int64]bool{}
	}
	for seq := e.Dispatched + 1; seq <= e.Emitted; seq++ {
		pending[seq] = true // created but not yet handed to the sender
	}
	switch {
	case st.Reconcile != nil:
		inFlight += e.unread(st.Sub, st.Reconcile.Cursor(), -1, pending)
	case st.Sync != nil:
		// Every event up to the last snapshot is held or lost.
		for seq := st.Sync.Cursor() + 1; seq <= e.Emitted; seq++ {
			if !pending[seq] && !e.Recorder.Holds(st.Sub, seq) {
				inFlight++
			}
		}
	}
	for seq := range pending {
		if seq <= e.Emitted && !e.Recorder.Holds(st.Sub, seq) {
			inFlight++
		}
	}
	return inFlight
}

// unread settles the events of a feed after cursor, of one resource or, when
// resource is −1, of all: those that aged out unread are lost; it returns how
// many of the rest subscriber sub does not hold, skipping those in skip.
func (e Ending) unread(sub int, cursor int64, resource int, skip map[int64]bool) int64 {
	if resource >= 0 {
		kept, aged := e.Store.Unread(resource, cursor, e.At)
		for _, seq := range aged {
			e.lose(sub, seq)
		}
		return kept
	}
	first, last := e.Store.Kept(e.At)
	for seq := cursor + 1; seq < first && seq <= e.Emitted; seq++ {
		if !skip[seq] {
			e.lose(sub, seq)
		}
	}
	var n int64
	for seq := max(cursor+1, first); seq <= last; seq++ {
		if !skip[seq] && !e.Recorder.Holds(sub, seq) {
			n++
		}
	}
	return n
}

// lose records that event seq aged out before subscriber sub read it,
// unless sub holds it.
func (e Ending) lose(sub int, seq int64) {
	if !e.Recorder.Holds(sub, seq) {
		e.Recorder.Lost(sub, seq, e.At, metrics.RetentionExpired)
	}
}
