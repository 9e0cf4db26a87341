package store

import (
	"fmt"
	"math"
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Arrivals is a process that creates events. Each call to Next gives the
// creation instant of the next event, in non-decreasing order, or false when
// the process has no more.
type Arrivals interface {
	Next() (time.Duration, bool)
}

var (
	_ Arrivals = (*Poisson)(nil)
	_ Arrivals = (*Evenly)(nil)
)

// NewArrivals returns the arrival process cfg describes, drawing from rng.
func NewArrivals(cfg scenario.Arrivals, rng *random.Source) (Arrivals, error) {
	rate := cfg.Rate.PerSecond()
	if rate <= 0 {
		return nil, fmt.Errorf("arrival rate must be positive, got %v", cfg.Rate)
	}
	switch cfg.Process {
	case "poisson":
		return &Poisson{Rate: rate, rng: rng}, nil
	case "constant":
		return &Evenly{Gap: 1 / rate, Offset: rng.Float64() / rate}, nil
	}
	return nil, fmt.Errorf("unknown arrival process %q", cfg.Process)
}

// Poisson creates events with independent exponential gaps of mean 1/Rate.
type Poisson struct {
	Rate float64 // events per second
	rng  *random.Source
	t    float64 // seconds; kept in floating point so gaps do not round away
}

// Next draws the next gap.
func (p *Poisson) Next() (time.Duration, bool) {
	p.t += p.rng.Exp(1 / p.Rate)
	return seconds(p.t), true
}

// Evenly creates events exactly Gap seconds apart, the first at Offset.
type Evenly struct {
	Gap, Offset float64 // seconds
	k           float64
}

// Next returns Offset + k·Gap for k = 0, 1, 2, ...
func (e *Evenly) Next() (time.Duration, bool) {
	t := e.Offset + e.k*e.Gap
	e.k++
	return seconds(t), true
}

func seconds(s float64) time.Duration {
	if s >= math.MaxInt64/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}
