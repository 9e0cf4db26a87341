package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/pushpull/pushpull/sim/scenario"
)

// outages predicts a webhook receiver that is down in windows: an event
// created r before the end of an outage is delivered by the first attempt
// whose offset T_i from its creation reaches r, and lost when even T_k does
// not (MODELS.md §4). Over an outage of length D, with r uniform on (0, D]:
// P(loss) = E[(D − T_k)⁺]/D, E[attempts] = 1 + Σ_{i<k} E[(D − T_i)⁺]/D, and
// attempt i delivers with chance E[(min(T_i, D) − min(T_(i−1), D))⁺]/D.
// Offsets grow by the time to learn of each failure (a round trip when
// refused, the timeout when hanging) and the retry delay.
func (b *builder) outages(w world, s sender, silent float64, thin bool) {
	if w.process != "poisson" || !w.steady || w.batch != 1 {
		b.none("outages: closed forms for a steady Poisson process of single events only")
		return
	}
	if thin {
		b.none("outages with thin deliveries: their fetches are not modelled here")
		return
	}
	dur, end := b.duration(), b.sc.End().D().Seconds()
	roundTrip := w.network.plus(w.network)
	policy := s.plan.Disable

	type window struct {
		at, length, last float64 // start, length, and when its last retry may land
		attempts         []law   // T_1 ... T_k
		increments       []law   // T_(i+1) − T_i
		hang             bool
	}
	var windows []window
	for _, o := range b.cl.Outages {
		wd := window{at: o.At.D().Seconds(), length: o.For.D().Seconds(), hang: o.Mode == "hang"}
		if wd.at+wd.length > dur {
			b.none("the outage at %s runs past the duration: the events after it are not created", o.At.Short())
			return
		}
		learn := roundTrip
		k := s.attempts
		if wd.hang {
			learn = pointMass(s.timeout)
			if s.plan.ConnectionOnly {
				k = 1 // a timeout is not a failed connection
			}
		}
		offset := pointMass(0)
		for i := 1; i <= k; i++ {
			wd.attempts = append(wd.attempts, offset)
			if i < k {
				inc := learn.plus(s.retryDelay(i, wd.hang))
				wd.increments = append(wd.increments, inc)
				offset = offset.plus(inc)
			}
		}
		_, lastHi := wd.attempts[len(wd.attempts)-1].bounds()
		_, netHi := w.network.bounds()
		wd.last = wd.at + wd.length + lastHi + netHi
		if wd.last >= end {
			b.none("the retries of the outage at %s may outlast the run (duration + drain)", o.At.Short())
			return
		}
		if why := b.outageDisables(policy, wd.length, s, w.rate, wd.attempts); why != "" {
			b.none("the sender may disable the endpoint (%s): what follows has no closed form", why)
			return
		}
		if wd.hang && b.sc.Store.Webhooks.Concurrency > 0 && w.rate*s.timeout*float64(k) >= float64(b.sc.Store.Webhooks.Concurrency)/4 {
			b.none("hanging attempts may fill the sender's %d slots", b.sc.Store.Webhooks.Concurrency)
			return
		}
		windows = append(windows, wd)
	}
	slices.SortFunc(windows, func(x, y window) int { return int(math.Copysign(1, x.at-y.at)) })
	for i := 1; i < len(windows); i++ {
		if windows[i-1].last >= windows[i].at {
			b.none("the retries of one outage reach into the next")
			return
		}
	}
	b.uses("outage of length D: P(loss) = (1 − t_k/D)⁺, E[attempts] = 1 + Σ (1 − t_(i−1)/D)⁺")

	// Mix the events outside every outage (one attempt, one network leg)
	// with those of each outage.
	outside := 1.0
	var weights []float64
	var laws []law
	var lost, attempts, attempts2, cross, inWindow, deliveredInWindow float64
	for _, wd := range windows {
		share := wd.length / dur
		outside -= share
		d := wd.length
		// J = #{m < k: T_m < r}, the attempts after the first; J ≥ m
		// when T_m < r, so E[J²] = Σ (2m − 1)·P(T_m < r).
		var j, j2 float64
		for m := 1; m < len(wd.attempts); m++ {
			pm := missed(wd.attempts[m-1], d)
			j += pm
			j2 += float64(2*m-1) * pm
		}
		attempts += share * (1 + j)
		attempts2 += share * (1 + 2*j + j2)
		// Requests count before the end of the duration, slack after the
		// outage's end: attempt m + 1 is made when T_m < r, and counted
		// when T_(m+1) < slack + r.
		slack := dur - (wd.at + d)
		inWindow += share
		for m := 1; m < len(wd.attempts); m++ {
			inWindow += share * pairs(wd.attempts[m-1], wd.increments[m-1], func(a, x float64) float64 {
				return max(d-max(a, x-slack), 0) / d
			})
		}
		k := len(wd.attempts)
		last := wd.attempts[k-1]
		lost += share * missed(last, d)
		for i := 1; i < k; i++ {
			comp, weight := delivering(wd.attempts[i-1], wd.increments[i-1], d)
			if weight <= 0 {
				continue
			}
			weights = append(weights, share*weight)
			laws = append(laws, comp)
			cross += share * weight * float64(i+1)
			deliveredInWindow += share * pairs(wd.attempts[i-1], wd.increments[i-1], func(a, x float64) float64 {
				return max(min(x, d)-max(a, x-slack), 0) / d
			})
		}
	}
	weights = append(weights, outside)
	laws = append(laws, pointMass(0))
	attempts += outside
	attempts2 += outside
	cross += outside
	inWindow += outside
	deliveredInWindow += outside
	reached := 1 - lost // the chance a sent event is delivered
	for i := range weights {
		weights[i] /= reached
	}
	latency := mix(weights, laws).plus(w.network)
	b.latencyFigures(latency, delivered, 0)

	sent := 1 - silent
	dropped := 1 - sent*reached
	b.add("dropped_rate", dropped, proportionOf(dropped, events, 1, 0))
	b.add("duplicates", 0, exact)
	r := requestLaw{mean: attempts, square: attempts2, delivered: reached, cross: cross,
		inWindow: inWindow, deliveredInWindow: deliveredInWindow}
	b.requestFigures(w, r.times(sent))
	b.none("freshness and order around an outage: no closed form here")
}

// missed is P(T < r) for r uniform on (0, d]: E[(d − T)⁺]/d, the share of
// an outage's events an attempt at offset T still finds it down.
func missed(t law, d float64) float64 {
	p := 1 - (t.excess(0)-t.excess(d))/d // E[min(T, d)] = E[T] − E[(T − d)⁺]
	if p < 1e-12 {
		return 0 // rounding: the attempt comes after every outage's end
	}
	return p
}

// delivering returns the law of T_i over the events of an outage of length
// d that attempt i delivers, and their share: T_i = T_(i−1) + Δ with Δ
// independent of T_(i−1), each pair weighted by (min(T_i, d) −
// min(T_(i−1), d))/d, the share of creation instants whose event attempt
// i − 1 misses and attempt i reaches.
func delivering(prev, delta law, d float64) (law, float64) {
	before, steps := points(prev), points(delta)
	plo, phi := prev.bounds()
	dlo, dhi := delta.bounds()
	lo, hi := plo+dlo, phi+dhi
	if !(hi > lo) {
		w := max(min(lo, d)-min(plo, d), 0) / d
		return pointMass(lo), w
	}
	p := part{w: 1, lo: lo, h: (hi - lo) / cells, mass: make([]float64, cells)}
	var total, mean, square float64
	for _, a := range before {
		for _, c := range steps {
			x := a.x + c.x
			w := a.w * c.w * (min(x, d) - min(a.x, d)) / d
			if w > 0 {
				p.mass[min(int((x-lo)/p.h), cells-1)] += w
				total += w
				mean += w * x
				square += w * x * x
			}
		}
	}
	if total == 0 {
		return pointMass(lo), 0
	}
	p.normalise()
	p.mean = mean / total
	p.vari = max(square/total-p.mean*p.mean, 0)
	return law{parts: []part{p}}, total
}

// pairs is E[f(T, T + Δ)] for independent T and Δ.
func pairs(t, delta law, f func(a, x float64) float64) float64 {
	var e float64
	steps := points(delta)
	for _, a := range points(t) {
		for _, c := range steps {
			e += a.w * c.w * f(a.x, a.x+c.x)
		}
	}
	return e
}

// point is a value and its probability.
type point struct{ x, w float64 }

// points discretises a law into at most a few hundred weighted points per
// part: each a run of cells, at their mean.
func points(l law) []point {
	const most = 256
	var out []point
	for _, p := range l.parts {
		if p.atom() {
			out = append(out, point{p.lo, p.w})
			continue
		}
		step := max(len(p.mass)/most, 1)
		for i := 0; i < len(p.mass); i += step {
			var m, mx float64
			for c := i; c < min(i+step, len(p.mass)); c++ {
				m += p.mass[c]
				mx += p.mass[c] * (p.lo + p.h*(float64(c)+0.5))
			}
			if m > 0 {
				out = append(out, point{mx / m, m * p.w})
			}
		}
	}
	return out
}

// outageDisables says why an outage of length d may trigger the disable
// policy, or "" when it cannot: every attempt during it fails.
func (b *builder) outageDisables(policy *scenario.Disable, d float64, s sender, rate float64, offsets []law) string {
	if policy == nil {
		return ""
	}
	last := offsets[len(offsets)-1]
	lo, _ := last.bounds()
	// Failing from the first failure to the last one of the outage.
	if policy.AfterFailing > 0 && d+s.timeout >= policy.AfterFailing.D().Seconds() {
		return "failures for " + policy.AfterFailing.D().String()
	}
	if policy.OnExhausted && d > lo {
		return "an event may exhaust its retries"
	}
	failures := rate * d // at least one failed attempt per event of the outage
	if policy.Consecutive > 0 && failures >= float64(policy.Consecutive)/4 {
		return fmt.Sprintf("%d failures in a row", policy.Consecutive)
	}
	if fr := policy.FailureRate; fr != nil && rate*min(d, fr.Window.D().Seconds()) >= float64(fr.Min)/4 {
		return "the failure rate"
	}
	return ""
}
