package store

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Arrivals is a process that creates events. Each call to Next gives the
// creation instant of the next event, in non-decreasing order, with its
// resource (−1 when the process leaves it to the store), or false when the
// process has no more.
type Arrivals interface {
	Next() (at time.Duration, resource int, ok bool)
}

var (
	_ Arrivals = (*Poisson)(nil)
	_ Arrivals = (*Evenly)(nil)
	_ Arrivals = (*Batches)(nil)
	_ Arrivals = (*Replayed)(nil)
)

// NewArrivals returns the arrival process cfg describes for a run whose
// events are created before end, drawing from rng.
func NewArrivals(cfg scenario.Arrivals, end scenario.Duration, rng *random.Source) (Arrivals, error) {
	if cfg.Process == "replay" {
		if cfg.Replay == nil {
			return nil, fmt.Errorf("replay without a file")
		}
		instants, resources := cfg.Replay.Instants()
		return &Replayed{instants: instants, resources: resources}, nil
	}
	rate := cfg.Rate.PerSecond()
	if rate <= 0 {
		return nil, fmt.Errorf("arrival rate must be positive, got %v", cfg.Rate)
	}
	var batch *scenario.Batch
	if cfg.Batch != nil {
		batch = cfg.Batch
		rate /= batchMean(*batch) // the rate stays that of events
	}
	r := newIntensity(rate, cfg.Bursts, cfg.Diurnal, end)
	var a Arrivals
	switch cfg.Process {
	case "poisson":
		a = &Poisson{rate: r, rng: rng}
	case "constant":
		a = &Evenly{rate: r, left: rng.Float64()}
	default:
		return nil, fmt.Errorf("unknown arrival process %q", cfg.Process)
	}
	if batch != nil {
		a = &Batches{of: a, size: *batch, rng: rng}
	}
	return a, nil
}

// intensity is an arrival rate that varies in time: a base rate, multiplied
// in burst windows and swung by a diurnal sinusoid.
type intensity struct {
	base   float64          // events per second
	bursts []scenario.Burst // every window, in time order
	cycle  *scenario.Diurnal
	next   int // bursts[:next] have ended: time only moves forward
}

func newIntensity(base float64, bursts []scenario.Burst, cycle *scenario.Diurnal, end scenario.Duration) intensity {
	var windows []scenario.Burst // each window once, in time order
	for _, b := range bursts {
		for _, w := range b.Windows(end) {
			windows = append(windows, scenario.Burst{At: w[0], For: w[1] - w[0], Factor: b.Factor})
		}
	}
	slices.SortFunc(windows, func(x, y scenario.Burst) int { return int(x.At - y.At) })
	return intensity{base: base, bursts: windows, cycle: cycle}
}

// segment returns the burst factor in force at t (seconds) and the instant
// it next changes (+Inf for never). Successive calls must not go back in
// time.
func (r *intensity) segment(t float64) (factor, until float64) {
	for ; r.next < len(r.bursts); r.next++ {
		b := r.bursts[r.next]
		at, end := b.At.D().Seconds(), (b.At + b.For).D().Seconds()
		switch {
		case t < at:
			return 1, at
		case t < end:
			return b.Factor, end
		}
	}
	return 1, math.Inf(1)
}

// swing is the diurnal multiplier at t (seconds), and its largest value.
func (r *intensity) swing(t float64) (now, most float64) {
	c := r.cycle
	if c == nil || c.Amplitude == 0 {
		return 1, 1
	}
	phase := 2 * math.Pi * (t - c.Peak.D().Seconds()) / c.Period.D().Seconds()
	return 1 + c.Amplitude*math.Cos(phase), 1 + c.Amplitude
}

// Poisson creates events with independent exponential gaps; with bursts and
// a diurnal swing it is a non-homogeneous Poisson process, drawn exactly:
// piecewise at burst boundaries, by thinning for the sinusoid.
type Poisson struct {
	rate intensity
	rng  *random.Source
	t    float64 // seconds; kept in floating point so gaps do not round away
}

// Next draws the next event.
func (p *Poisson) Next() (time.Duration, int, bool) {
	for {
		factor, until := p.rate.segment(p.t)
		_, most := p.rate.swing(p.t)
		bound := p.rate.base * factor * most
		gap := p.rng.Exp(1 / bound)
		if p.t+gap >= until {
			p.t = until // memoryless: start afresh in the next segment
			continue
		}
		p.t += gap
		if now, most := p.rate.swing(p.t); now < most && p.rng.Float64()*most >= now {
			continue // thinned
		}
		return seconds(p.t), -1, true
	}
}

// Evenly creates events evenly spaced in cumulative intensity: exactly
// 1/rate apart at a constant rate, closer together in a burst. The first
// comes at a random fraction of the first gap.
type Evenly struct {
	rate intensity
	t    float64 // seconds
	left float64 // intensity, in events, still to go before the next event
}

// Next returns the next event.
func (e *Evenly) Next() (time.Duration, int, bool) {
	for {
		factor, until := e.rate.segment(e.t)
		r := e.rate.base * factor
		if e.t+e.left/r < until {
			e.t += e.left / r
			e.left = 1
			return seconds(e.t), -1, true
		}
		e.left -= (until - e.t) * r
		e.t = until
	}
}

// Batches gives each arrival of another process a batch of events created
// at the same instant.
type Batches struct {
	of      Arrivals
	size    scenario.Batch
	rng     *random.Source
	pending int
	at      time.Duration
}

// Next returns the next event of the current batch, or starts a new one.
func (b *Batches) Next() (time.Duration, int, bool) {
	if b.pending == 0 {
		at, _, ok := b.of.Next()
		if !ok {
			return 0, 0, false
		}
		b.at, b.pending = at, b.draw()
	}
	b.pending--
	return b.at, -1, true
}

// draw is a batch size.
func (b *Batches) draw() int {
	s := b.size
	switch {
	case s.Size > 0:
		return s.Size
	case s.Max > 0:
		return s.Min + int(b.rng.Uint64()%uint64(s.Max-s.Min+1))
	case s.Mean > 1:
		// Geometric on 1, 2, 3, ... with mean m: success probability 1/m.
		return 1 + int(math.Floor(math.Log(b.rng.Open())/math.Log1p(-1/s.Mean)))
	default:
		return 1
	}
}

// batchMean is the mean number of events in a batch.
func batchMean(s scenario.Batch) float64 {
	switch {
	case s.Size > 0:
		return float64(s.Size)
	case s.Max > 0:
		return float64(s.Min+s.Max) / 2
	case s.Mean > 0:
		return s.Mean
	default:
		return 1
	}
}

// Replayed gives the instants of a replay file.
type Replayed struct {
	instants  []scenario.Duration
	resources []int
	i         int
}

// Next returns the next instant of the file.
func (r *Replayed) Next() (time.Duration, int, bool) {
	if r.i >= len(r.instants) {
		return 0, 0, false
	}
	at, res := r.instants[r.i].D(), -1
	if r.resources != nil {
		res = r.resources[r.i]
	}
	r.i++
	return at, res, true
}

func seconds(s float64) time.Duration {
	if s >= math.MaxInt64/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}
