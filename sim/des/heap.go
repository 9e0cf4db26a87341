package des

import "time"

// item is one scheduled event. It is a small value so that the heap holds
// items inline and scheduling allocates nothing once the heap has grown.
type item struct {
	at     time.Duration // when it happens
	seq    uint64        // scheduling order: breaks ties, so runs are deterministic
	kind   kind
	client int32
	ref    int32  // a slot: the poll in flight or the webhook delivery
	tag    uint32 // wake generation, or attempt number
}

func (a *item) before(b *item) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventHeap is a 4-ary min-heap of items ordered by (at, seq). A 4-ary heap
// is shallower than a binary one and keeps a node's children in one cache
// line.
type eventHeap struct {
	items []item
}

func (h *eventHeap) len() int { return len(h.items) }

func (h *eventHeap) push(it item) {
	h.items = append(h.items, it)
	h.up(len(h.items) - 1)
}

// up moves the item at i towards the root until its parent is earlier.
func (h *eventHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 4
		if !h.items[i].before(&h.items[parent]) {
			break
		}
		h.items[i], h.items[parent] = h.items[parent], h.items[i]
		i = parent
	}
}

// peek returns the earliest item; the heap must not be empty.
func (h *eventHeap) peek() *item { return &h.items[0] }

// pop removes and returns the earliest item; the heap must not be empty.
func (h *eventHeap) pop() item {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i, n := 0, last
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		min := first
		for c := first + 1; c < first+4 && c < n; c++ {
			if h.items[c].before(&h.items[min]) {
				min = c
			}
		}
		if !h.items[min].before(&h.items[i]) {
			break
		}
		h.items[i], h.items[min] = h.items[min], h.items[i]
		i = min
	}
	return top
}
