package store

import "sort"

// feed is one resource's events, by seq, for clients that poll each
// resource on its own.
type feed struct {
	seqs []int64 // ascending
	head int     // seqs[:head] are forgotten
}

func (f *feed) add(seq int64) { f.seqs = append(f.seqs, seq) }

// trim forgets the seqs below first, the oldest the log still keeps.
func (f *feed) trim(first int64) {
	for f.head < len(f.seqs) && f.seqs[f.head] < first {
		f.head++
	}
	if f.head == len(f.seqs) {
		f.seqs, f.head = f.seqs[:0], 0
	} else if f.head > 256 && f.head*2 > len(f.seqs) {
		n := copy(f.seqs, f.seqs[f.head:])
		f.seqs, f.head = f.seqs[:n], 0
	}
}

// after returns the index of the first kept seq above cursor.
func (f *feed) after(cursor int64) int {
	kept := f.seqs[f.head:]
	return f.head + sort.Search(len(kept), func(i int) bool { return kept[i] > cursor })
}

// next returns the seq of the first kept event above cursor, or none when
// there is none yet.
func (f *feed) next(cursor, none int64) int64 {
	if i := f.after(cursor); i < len(f.seqs) {
		return f.seqs[i]
	}
	return none
}
