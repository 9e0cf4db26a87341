package model

import (
	"math"
	"slices"

	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// arrivals is what the models need of the store's arrival process.
type arrivals struct {
	process  string  // poisson, constant, replay, or thinned: constant spread over feeds
	rate     float64 // mean events per second over the duration
	batch    float64 // mean events per arrival
	batch2   float64 // mean square of the events per arrival
	steady   bool    // one rate throughout: no bursts, no swing
	peak     float64 // the largest rate of arrivals (batches) per second
	duration float64

	// cumulative is Λ(t), the expected arrivals (batches) by t, tabulated
	// every step seconds from 0 to the duration; nil for replayed
	// arrivals.
	cumulative []float64
	step       float64
}

// newArrivals describes sc's arrival process.
func newArrivals(sc *scenario.Scenario) arrivals {
	cfg := sc.Store.Arrivals
	w := sc.Duration.D().Seconds()
	a := arrivals{process: cfg.Process, batch: store.BatchMean(cfg), duration: w}
	a.batch2 = batchSquare(cfg.Batch, a.batch)
	if cfg.Process == "replay" {
		if cfg.Replay != nil {
			instants, _ := cfg.Replay.Instants()
			a.rate = float64(len(instants)) / w
		}
		return a
	}
	a.steady = len(cfg.Bursts) == 0 && (cfg.Diurnal == nil || cfg.Diurnal.Amplitude == 0 || cfg.Process != "poisson")
	a.tabulate(sc)
	a.rate = a.cumulative[len(a.cumulative)-1] * a.batch / w
	return a
}

// tabulate integrates the intensity: exactly between the instants where a
// burst starts or ends, by Simpson's rule in steps small against the
// swing's period and any burst.
func (a *arrivals) tabulate(sc *scenario.Scenario) {
	cfg := sc.Store.Arrivals
	rate := store.Intensity(cfg, sc.Duration)
	shortest := a.duration
	breaks := []float64{0, a.duration}
	for _, b := range cfg.Bursts {
		for _, win := range b.Windows(sc.Duration) {
			from, to := win[0].D().Seconds(), win[1].D().Seconds()
			breaks = append(breaks, min(from, a.duration), min(to, a.duration))
			shortest = min(shortest, to-from)
		}
	}
	if d := cfg.Diurnal; d != nil && d.Amplitude > 0 {
		shortest = min(shortest, d.Period.D().Seconds()/64)
	}
	slices.Sort(breaks)
	breaks = slices.Compact(breaks)
	// The table is as fine as the shortest feature, and no finer than a
	// million cells.
	a.step = max(min(shortest/8, a.duration/1e4), a.duration/1e6)
	n := int(math.Ceil(a.duration / a.step))
	a.cumulative = make([]float64, n+1)
	var total float64
	next := 1 // the next break
	t := 0.0
	for i := 1; i <= n; i++ {
		end := min(float64(i)*a.step, a.duration)
		for t < end {
			for next < len(breaks) && breaks[next] <= t {
				next++
			}
			to := end
			if next < len(breaks) && breaks[next] < end {
				to = breaks[next]
			}
			// Simpson's rule on [t, to], inside one burst segment; the
			// rate is sampled just inside the ends so that it belongs to
			// the segment.
			eps := (to - t) * 1e-9
			r0, r1, r2 := rate(t+eps), rate((t+to)/2), rate(to-eps)
			total += (to - t) / 6 * (r0 + 4*r1 + r2)
			a.peak = max(a.peak, r0, r1, r2)
			t = to
		}
		a.cumulative[i] = total
	}
}

// batchSquare is the mean square of the events per arrival.
func batchSquare(b *scenario.Batch, mean float64) float64 {
	switch {
	case b == nil:
		return 1
	case b.Size > 0:
		return mean * mean
	case b.Max > 0:
		n := float64(b.Max - b.Min + 1)
		return mean*mean + (n*n-1)/12
	default: // geometric on 1, 2, ... with the given mean: variance m(m − 1)
		return mean*mean + mean*(mean-1)
	}
}

// arrivalsIn is Λ(t + d) − Λ(t): the expected arrivals in (t, t + d].
func (a *arrivals) arrivalsIn(t, d float64) float64 { return a.lambda(t+d) - a.lambda(t) }

func (a *arrivals) lambda(t float64) float64 {
	pos := t / a.step
	i := int(pos)
	if i >= len(a.cumulative)-1 {
		last := a.cumulative[len(a.cumulative)-1]
		return last + (t-a.duration)*last/a.duration // beyond the run: at the mean rate
	}
	if i < 0 {
		return 0
	}
	return a.cumulative[i] + (pos-float64(i))*(a.cumulative[i+1]-a.cumulative[i])
}

// split is the process of one of n feeds the events are spread over evenly.
func (a arrivals) split(n float64) arrivals {
	if n > 1 && a.process == "constant" {
		a.process = "thinned" // evenly spaced events spread at random are neither
	}
	return a.thin(1 / n)
}

// thin is the process of the events kept when each is kept independently
// with probability keep.
func (a arrivals) thin(keep float64) arrivals {
	if keep == 1 {
		return a
	}
	if a.process == "constant" {
		a.process = "thinned"
	}
	a.rate *= keep
	a.peak *= keep
	if a.cumulative != nil {
		c := make([]float64, len(a.cumulative))
		for i, v := range a.cumulative {
			c[i] = v * keep
		}
		a.cumulative = c
	}
	return a
}

// eventsWeighted is Σ over the run's events of f(the rate of arrivals at
// the event's creation): the expected count of events that f gives the
// chance of, for a rate that varies.
func (a arrivals) eventsWeighted(f func(rate float64) float64) float64 {
	if a.steady || a.cumulative == nil {
		return a.rate * a.duration * f(a.arrivalRate())
	}
	var sum float64
	for i := 1; i < len(a.cumulative); i++ {
		n := a.cumulative[i] - a.cumulative[i-1]
		sum += n * a.batch * f(n/a.step)
	}
	return sum
}

// arrivalRate is the mean rate of arrivals (batches) per second.
func (a *arrivals) arrivalRate() float64 { return a.rate / a.batch }

// emptyChance is the chance that a window of law g, placed uniformly at
// random in the run, holds no arrival: e^(−λg) averaged for a steady
// Poisson process, the average of e^(−Λ(window)) over the run otherwise
// (MODELS.md §1), and (1 − λg)⁺ for evenly spaced arrivals.
func (a *arrivals) emptyChance(g law) float64 {
	lambda := a.arrivalRate()
	if a.process == "constant" {
		return g.expect(func(x float64) float64 { return max(1-lambda*x, 0) })
	}
	if a.steady {
		return g.laplace(lambda)
	}
	// Average over the run at a few quantiles of the window's length.
	const points = 16
	var sum float64
	for k := range points {
		d := g.quantile((float64(k) + 0.5) / points)
		n := int(math.Min(a.duration/a.step, 1e6))
		h := a.duration / float64(n)
		var avg float64
		for i := range n {
			avg += math.Exp(-a.arrivalsIn((float64(i)+0.5)*h, d))
		}
		sum += avg / float64(n)
	}
	return sum / points
}
