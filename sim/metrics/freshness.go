package metrics

import (
	"fmt"
	"time"
)

// creations remembers when each event was created, from the oldest event a
// subscriber has not resolved to the newest: what freshness samples need,
// so that memory follows what is in flight rather than the run's length.
type creations struct {
	first int64 // seq of times[head]
	times []time.Duration
	head  int
}

func (c *creations) add(seq int64, t time.Duration) {
	if len(c.times) == c.head {
		c.first, c.times, c.head = seq, c.times[:0], 0
	}
	c.times = append(c.times, t)
}

// at returns when event seq was created, if it is remembered.
func (c *creations) at(seq int64) (time.Duration, bool) {
	i := seq - c.first
	if i < 0 || int64(c.head)+i >= int64(len(c.times)) {
		return 0, false
	}
	return c.times[c.head+int(i)], true
}

// trim forgets the events below seq.
func (c *creations) trim(seq int64) {
	for c.first < seq && c.head < len(c.times) {
		c.head++
		c.first++
	}
	if c.head > 1024 && c.head*2 > len(c.times) {
		n := copy(c.times, c.times[c.head:])
		c.times, c.head = c.times[:n], 0
	}
}

// freshnessTally accumulates one row's samples.
type freshnessTally struct {
	samples int64
	fresh   int64
	ageSum  float64
	unseen  int64
}

// Sample looks at every subscriber's view at instant t, when the store has
// created events 1 to last: whether the view lacks any of them, how many,
// and since when. Instants must not go back in time. An event lost for good
// counts as lacking until the loss is known, and not after.
func (r *Recorder) Sample(t time.Duration, last int64) {
	oldest := last + 1
	for i := range r.subs {
		sub := &r.subs[i]
		ft := &r.rows[sub.row].freshness
		ft.samples++
		base := sub.resolved.lowestOpen() // the oldest event it lacks
		oldest = min(oldest, base)
		unseen := last - sub.resolvedCount
		if unseen <= 0 {
			ft.fresh++
			continue
		}
		ft.unseen += unseen
		if created, ok := r.created.at(base); ok {
			ft.ageSum += (t - created).Seconds()
		} else {
			r.broken = append(r.broken, fmt.Errorf("freshness sample at %v: the creation of event %d, the oldest subscriber %d lacks, is unknown", t, base, i))
		}
	}
	r.created.trim(oldest)
}

// freshnessResults sums up row i's samples; meanLatency is its mean latency
// in seconds, for the Little's-law cross-check.
func (r *Recorder) freshnessResults(i int, emitted int64, meanLatency float64) Freshness {
	ft := r.rows[i].freshness
	f := Freshness{Samples: ft.samples}
	if ft.samples > 0 {
		f.Fresh = float64(ft.fresh) / float64(ft.samples)
		f.AgeMeanS = ft.ageSum / float64(ft.samples)
		f.UnseenMean = float64(ft.unseen) / float64(ft.samples)
	}
	if w := r.cfg.Duration.Seconds(); w > 0 {
		f.LittleMean = float64(emitted) / w * meanLatency
	}
	return f
}
