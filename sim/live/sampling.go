package live

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
)

// freshnessSamples is how many instants of a run's duration the clients'
// views are sampled at for freshness, as the discrete-event runner samples
// them (sim/des/sampling.go): one at a uniform offset within each of this
// many equal strata of [0, duration), drawn from the same stream, so that a
// live run samples at the same instants.
const freshnessSamples = 10_000

// startSampling schedules the first freshness sample. The caller holds mu.
func (w *world) startSampling() {
	stratum := w.duration / freshnessSamples
	if stratum <= 0 {
		return // too short to stratify: freshness is not sampled
	}
	rng := random.Stream(w.sc.Seed, "metrics/freshness")
	var next func(k int)
	next = func(k int) {
		if k >= freshnessSamples {
			return
		}
		at := time.Duration(k)*stratum + time.Duration(rng.Float64()*float64(stratum))
		w.after(at, func(now time.Duration) {
			w.rec.Sample(now, w.store.Emitted(now))
			next(k + 1)
		})
	}
	next(0)
}
