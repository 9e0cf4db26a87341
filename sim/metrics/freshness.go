package metrics

import (
	"fmt"
	"time"

	"github.com/pushpull/pushpull/sim/random"
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
		ft := &r.freshness[sub.row]
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
	ft := r.freshness[i]
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

// FreshnessSamples is how many instants of a run's duration the clients'
// views are sampled at for freshness: enough that the share of fresh
// samples is known to ±1 % (σ ≤ 0.5 %) however the run is spread.
const FreshnessSamples = 10_000

// SampleSchedule gives the instants at which a run samples the clients'
// views: one uniformly at random within each of FreshnessSamples equal
// strata of [0, duration), from the seed's stream "metrics/freshness", so
// that every runner samples the same instants. Random offsets keep the
// samples from locking onto the phase of a periodic poller, as evenly
// spaced ones would when the spacing divides its interval; strata keep them
// spread over the whole run.
type SampleSchedule struct {
	stratum time.Duration
	rng     random.Source
	k       int
}

// NewSampleSchedule returns the sample instants of a run of the given
// duration and seed. A run too short to stratify is not sampled.
func NewSampleSchedule(duration time.Duration, seed uint64) SampleSchedule {
	return SampleSchedule{stratum: duration / FreshnessSamples, rng: random.Stream(seed, "metrics/freshness")}
}

// Next returns the next sample instant, and false when there is none left.
func (s *SampleSchedule) Next() (time.Duration, bool) {
	if s.stratum <= 0 || s.k >= FreshnessSamples {
		return 0, false
	}
	at := time.Duration(s.k)*s.stratum + time.Duration(s.rng.Float64()*float64(s.stratum))
	s.k++
	return at, true
}
