package des

import "time"

// HoldFloor runs the hold model of event-queue benchmarks on the runner's
// own heap: size items in it, then events times pop the earliest and push
// it back increments[i] later, cycling through increments. Nothing else is
// done, so this is the floor an engine's event rate is measured against:
// give it the increments the engine's own scheduling makes. It returns the
// number of events held, so the work cannot be optimised away.
func HoldFloor(size, events int, increments []time.Duration) int {
	h := eventHeap{items: make([]item, 0, size)}
	var seq uint64
	for i := range size {
		seq++
		h.push(item{at: increments[i%len(increments)], seq: seq, client: int32(i)})
	}
	held, n := 0, 0
	for range events {
		it := h.pop()
		seq++
		it.at += increments[n]
		it.seq = seq
		h.push(it)
		held++
		if n++; n == len(increments) {
			n = 0
		}
	}
	return held
}
