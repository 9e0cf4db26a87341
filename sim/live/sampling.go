package live

import (
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
)

// startSampling schedules the freshness samples at the instants the
// discrete-event runner samples (metrics.SampleSchedule). The caller holds
// mu.
func (w *world) startSampling() {
	schedule := metrics.NewSampleSchedule(w.duration, w.sc.Seed)
	var next func()
	next = func() {
		at, ok := schedule.Next()
		if !ok {
			return
		}
		w.after(at, func(now time.Duration) {
			w.rec.Sample(now, w.store.Emitted(now))
			next()
		})
	}
	next()
}
