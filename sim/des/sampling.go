package des

import (
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
)

// startSampling schedules the first freshness sample of a run of the given
// duration (metrics.SampleSchedule).
func (e *engine) startSampling(duration time.Duration, seed uint64) {
	e.samples = metrics.NewSampleSchedule(duration, seed)
	e.scheduleSample()
}

func (e *engine) scheduleSample() {
	if at, ok := e.samples.Next(); ok {
		e.schedule(at, kindSample, 0, 0, 0)
	}
}

// sample records the clients' views now and schedules the next sample.
func (e *engine) sample() {
	e.rec.Sample(e.now, e.store.Emitted(e.now))
	e.scheduleSample()
}
