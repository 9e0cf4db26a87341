package des

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
)

// freshnessSamples is how many instants of a run's duration the clients'
// views are sampled at: enough that the share of fresh samples is known to
// ±1% (σ ≤ 0.5%) however the run is spread.
const freshnessSamples = 10_000

// sampler picks the instants: one uniformly at random within each of
// freshnessSamples equal strata of [0, duration). Random offsets keep the
// samples from locking onto the phase of a periodic poller, as evenly
// spaced ones would when the spacing divides its interval; strata keep them
// spread over the whole run.
type sampler struct {
	stratum time.Duration
	rng     random.Source
}

// startSampling schedules the first sample of a run of the given duration.
func (e *engine) startSampling(duration time.Duration, seed uint64) {
	e.samples = sampler{stratum: duration / freshnessSamples, rng: random.Stream(seed, "metrics/freshness")}
	if e.samples.stratum <= 0 {
		return // too short to stratify: freshness is not sampled
	}
	e.scheduleSample(0)
}

func (e *engine) scheduleSample(k int) {
	if k >= freshnessSamples {
		return
	}
	s := &e.samples
	at := time.Duration(k)*s.stratum + time.Duration(s.rng.Float64()*float64(s.stratum))
	e.schedule(at, kindSample, 0, int32(k), 0)
}

// sample records the views at the sample k's instant and schedules the next.
func (e *engine) sample(k int) {
	e.rec.Sample(e.now, e.store.Emitted(e.now))
	e.scheduleSample(k + 1)
}
