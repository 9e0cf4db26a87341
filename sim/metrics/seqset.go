package metrics

import "math/bits"

// seqSet records which event sequence numbers (1, 2, 3, ...) a client has
// resolved: held, or finally lost. Every seq below base is resolved; above
// it a bitset window covers what is still open, so memory follows the range
// of events in flight, not the length of the run.
type seqSet struct {
	base  int64    // first seq of the window; all below are resolved
	words []uint64 // bit i of words[w]: seq base + 64w + i is resolved
	head  int      // words[:head] are spent and wait to be compacted
}

func newSeqSet() seqSet { return seqSet{base: 1} }

// has reports whether seq is resolved.
func (s *seqSet) has(seq int64) bool {
	if seq < s.base {
		return true
	}
	off := seq - s.base
	w := s.head + int(off/64)
	return w < len(s.words) && s.words[w]&(1<<(off%64)) != 0
}

// add marks seq resolved and reports whether it was open before.
func (s *seqSet) add(seq int64) bool {
	if seq < s.base {
		return false
	}
	off := seq - s.base
	w := s.head + int(off/64)
	for w >= len(s.words) {
		s.words = append(s.words, 0)
	}
	bit := uint64(1) << (off % 64)
	if s.words[w]&bit != 0 {
		return false
	}
	s.words[w] |= bit
	s.advance()
	return true
}

// advance moves base past every leading full word.
func (s *seqSet) advance() {
	for s.head < len(s.words) && s.words[s.head] == ^uint64(0) {
		s.head++
		s.base += 64
	}
	if s.head == len(s.words) {
		s.words, s.head = s.words[:0], 0
	} else if s.head > 64 && s.head*2 > len(s.words) {
		n := copy(s.words, s.words[s.head:])
		s.words, s.head = s.words[:n], 0
	}
}

// lowestOpen returns the lowest seq not resolved.
func (s *seqSet) lowestOpen() int64 {
	if s.head == len(s.words) {
		return s.base
	}
	// advance keeps words[head] from being full.
	return s.base + int64(bits.TrailingZeros64(^s.words[s.head]))
}
