package store

import (
	"sort"
	"time"
)

// Event is one event the store created.
type Event struct {
	Seq      int64         // 1, 2, 3, ... in creation order
	Created  time.Duration // instant of creation, from the start of the run
	Resource int32         // 0 to resources − 1
	Size     int32         // payload bytes
}

// eventLog holds the events some reader may still ask for, in seq order.
// Events are created lazily: the log is extended up to an instant only when
// someone asks about that instant, so a runner never has to schedule
// arrivals that only pollers see.
type eventLog struct {
	events  []Event // events[head:] are kept; their seqs are consecutive
	head    int
	nextSeq int64 // seq the next created event will have

	arrivals    Arrivals
	end         time.Duration // no event is created at or after end
	upcoming    time.Duration // creation instant of the next event, drawn ahead
	upcomingRes int           // its resource, or −1 for the store to choose
	done        bool          // the process has no more events before end
	newEvent    func(seq int64, created time.Duration, resource int) Event
}

func newEventLog(a Arrivals, end time.Duration, newEvent func(int64, time.Duration, int) Event) *eventLog {
	l := &eventLog{nextSeq: 1, arrivals: a, end: end, newEvent: newEvent}
	l.draw()
	return l
}

func (l *eventLog) draw() {
	t, res, ok := l.arrivals.Next()
	if !ok || t >= l.end {
		l.done = true
		return
	}
	l.upcoming, l.upcomingRes = t, res
}

// extend creates every event whose creation instant is at or before t.
func (l *eventLog) extend(t time.Duration) {
	if !l.done && l.upcoming <= t { // usually not: the log is ahead already
		l.create(t)
	}
}

func (l *eventLog) create(t time.Duration) {
	for !l.done && l.upcoming <= t {
		l.events = append(l.events, l.newEvent(l.nextSeq, l.upcoming, l.upcomingRes))
		l.nextSeq++
		l.draw()
	}
}

// firstSeq is the seq of the oldest kept event, or nextSeq when none is kept.
func (l *eventLog) firstSeq() int64 { return l.nextSeq - int64(len(l.events)-l.head) }

// span returns the kept events with seqs from first to last.
func (l *eventLog) span(first, last int64) []Event {
	i := l.head + int(first-l.firstSeq())
	return l.events[i : i+int(last-first+1)]
}

// at returns the kept event with the given seq.
func (l *eventLog) at(seq int64) *Event {
	return &l.events[l.head+int(seq-l.firstSeq())]
}

// lastCreatedBy returns the seq of the newest event created at or before t,
// or firstSeq − 1 when no kept event is. The log must be extended to t.
func (l *eventLog) lastCreatedBy(t time.Duration) int64 {
	// Usually the newest event is already at or before t: one comparison.
	if kept := l.events[l.head:]; len(kept) > 0 && kept[len(kept)-1].Created <= t {
		return l.nextSeq - 1
	}
	return l.lastCreatedBySearch(t)
}

func (l *eventLog) lastCreatedBySearch(t time.Duration) int64 {
	kept := l.events[l.head:]
	n := sort.Search(len(kept), func(i int) bool { return kept[i].Created > t })
	return l.firstSeq() + int64(n) - 1
}

// firstCreatedFrom returns the seq of the oldest kept event created at or
// after t, or nextSeq when there is none.
func (l *eventLog) firstCreatedFrom(t time.Duration) int64 {
	// Usually nothing kept has aged out: one comparison.
	if kept := l.events[l.head:]; len(kept) == 0 || kept[0].Created >= t {
		return l.nextSeq - int64(len(kept))
	}
	return l.firstCreatedFromSearch(t)
}

func (l *eventLog) firstCreatedFromSearch(t time.Duration) int64 {
	kept := l.events[l.head:]
	n := sort.Search(len(kept), func(i int) bool { return kept[i].Created >= t })
	return l.firstSeq() + int64(n)
}

// trim forgets every event with seq < seq.
func (l *eventLog) trim(seq int64) {
	drop := min(seq-l.firstSeq(), int64(len(l.events)-l.head))
	if drop <= 0 {
		return
	}
	l.head += int(drop)
	if l.head == len(l.events) {
		l.events, l.head = l.events[:0], 0
	} else if l.head >= 1024 && l.head*2 >= len(l.events) {
		n := copy(l.events, l.events[l.head:])
		l.events, l.head = l.events[:n], 0
	}
}
