package client

import "time"

// dedupeSet remembers event IDs for a TTL. Memory follows what arrives
// within one TTL, not the length of the run: expired IDs are dropped
// oldest first.
type dedupeSet struct {
	ttl     time.Duration
	expires map[int64]time.Duration
	order   []dedupeEntry // insertion order, for expiry
	head    int
}

type dedupeEntry struct {
	seq int64
	at  time.Duration
}

func newDedupeSet(ttl time.Duration) *dedupeSet {
	return &dedupeSet{ttl: ttl, expires: map[int64]time.Duration{}}
}

// seen reports whether seq was inserted less than a TTL before now.
func (d *dedupeSet) seen(seq int64, now time.Duration) bool {
	d.expire(now)
	exp, ok := d.expires[seq]
	return ok && now < exp
}

// insert records seq at now: an atomic insert-if-absent before any side
// effect, so that two copies arriving together are not both processed.
func (d *dedupeSet) insert(seq int64, now time.Duration) {
	d.expires[seq] = now + d.ttl
	d.order = append(d.order, dedupeEntry{seq: seq, at: now})
}

// forget drops seq, whose side effect never happened (a crash lost it).
func (d *dedupeSet) forget(seq int64) { delete(d.expires, seq) }

func (d *dedupeSet) expire(now time.Duration) {
	for d.head < len(d.order) && d.order[d.head].at+d.ttl <= now {
		e := d.order[d.head]
		if exp, ok := d.expires[e.seq]; ok && exp <= now {
			delete(d.expires, e.seq)
		}
		d.head++
	}
	if d.head > 1024 && d.head*2 > len(d.order) {
		n := copy(d.order, d.order[d.head:])
		d.order, d.head = d.order[:n], 0
	}
}
