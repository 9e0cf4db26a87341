package store

import "github.com/pushpull/pushpull/sim/scenario"

// Intensity returns the rate of arrivals cfg describes, as a function of
// the instant in seconds, for a run whose events are created before end:
// arrivals per second, a batch counting once. It is what the arrival
// processes draw from, for models to integrate. Successive calls must not
// go back in time. It returns nil for replayed arrivals, which have no rate.
func Intensity(cfg scenario.Arrivals, end scenario.Duration) func(t float64) float64 {
	if cfg.Process == "replay" {
		return nil
	}
	cycle := cfg.Diurnal
	if cfg.Process != "poisson" {
		cycle = nil // only the Poisson process swings
	}
	r := newIntensity(cfg.Rate.PerSecond()/BatchMean(cfg), cfg.Bursts, cycle, end)
	return func(t float64) float64 {
		factor, _ := r.segment(t)
		now, _ := r.swing(t)
		return r.base * factor * now
	}
}

// BatchMean is the mean number of events one arrival of cfg creates: 1
// without batches.
func BatchMean(cfg scenario.Arrivals) float64 {
	if cfg.Batch == nil {
		return 1
	}
	return batchMean(*cfg.Batch)
}
