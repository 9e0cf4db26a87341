package model

import "math"

// The freshness and age of a client's view, as Cho and Garcia-Molina
// define them (MODELS.md §6).

// freshness predicts a poller's freshness figures: its view at instant t
// is the store's snapshot of age τ, where τ runs from b to G + b′ over a
// cycle, G the snapshot gap and b, b′ the times from a snapshot to the
// client holding it. Over time τ has density (P(b ≤ u) − P(G + b′ ≤ u))/E[G];
// the view is fresh when no arrival came since its snapshot, so
// F = E[e^(−λτ)], and its age is (τ − X)⁺ with X the wait for the first
// arrival after the snapshot.
func (b *builder) freshness(feed arrivals, gap, back law) {
	upper := gap.plus(back)
	lo, _ := back.bounds()
	_, hi := upper.bounds()
	meanGap := gap.mean()
	tau := tabulate(func(u float64) float64 {
		// ∫ (P(b ≤ v) − P(G + b′ ≤ v)) dv / E[G] up to u.
		return (back.excess(u) - upper.excess(u) + upper.mean() - back.mean()) / meanGap
	}, lo, hi, gap.variance()/(2*meanGap)+meanGap/2+back.mean(), 0)
	tau.parts[0].vari = tau.expect(func(u float64) float64 { return u * u }) - tau.mean()*tau.mean()
	b.uses("freshness F = E[e^(−λτ)], age E[τ] − (1 − F)/λ")
	b.viewFigures(feed, tau, func(s Sizes) float64 { return min(s.Samples, feed.duration/(2*meanGap)) })
}

// viewFigures predicts freshness, age and unseen events from the law of
// the age τ of the snapshot the view reflects, for arrivals of feed.
func (b *builder) viewFigures(feed arrivals, tau law, n sampleSize) {
	lb := feed.arrivalRate() // arrivals (batches): one makes the view stale
	fresh := tau.laplace(lb)
	age := tau.mean() - (1-fresh)/lb
	age2 := tau.expect(func(u float64) float64 { return ageSquare(u, lb) })
	unseen := feed.rate * tau.mean()
	unseenVar := lb*feed.batch2*tau.mean() + feed.rate*feed.rate*tau.variance()
	b.add("fresh_fraction", fresh, proportionOf(fresh, n, 1, 0))
	b.add("mean_age_s", age, meanOf(math.Sqrt(max(age2-age*age, 0)), n, 0))
	b.add("mean_unseen", unseen, meanOf(math.Sqrt(unseenVar), n, 0))
}

// ageSquare is E[((u − X)⁺)²] for X ~ Exp(λ): u² − 2u/λ + 2/λ² − 2e^(−λu)/λ²,
// computed without the cancellation of its terms when λu is small.
func ageSquare(u, lambda float64) float64 {
	z := lambda * u
	if z > 0.5 {
		return u*u - 2*u/lambda + 2/(lambda*lambda) - 2*math.Exp(-z)/(lambda*lambda)
	}
	// 2/λ² · Σ_{k≥3} (−1)^(k+1) z^k/k! = 2/λ² · (z³/6 − z⁴/24 + ...)
	var sum float64
	term := z * z / 2 // z²/2!
	for k := 3; k < 30; k++ {
		term *= z / float64(k)
		if k%2 == 1 {
			sum += term
		} else {
			sum -= term
		}
	}
	return 2 * sum / (lambda * lambda)
}

// pushFreshness predicts the freshness of a view that receives every event
// after an independent delay of law w: the unseen events are those of an
// M/G/∞ queue, Poisson with mean λE[W], so F = e^(−λ_b E[W]) for arrivals
// at rate λ_b; the view's age exceeds a when an arrival older than a is
// still on its way: P(age > a) = 1 − e^(−λ_b E[(W − a)⁺]).
func (b *builder) pushFreshness(feed arrivals, w law) {
	lb := feed.arrivalRate()
	meanW := w.mean()
	fresh := math.Exp(-lb * meanW)
	_, hi := w.bounds()
	const steps = 4096
	h := hi / steps
	var age, age2 float64
	for i := range steps {
		a := (float64(i) + 0.5) * h
		over := -math.Expm1(-lb * w.excess(a))
		age += over * h
		age2 += 2 * a * over * h
	}
	unseen := feed.rate * meanW
	b.uses("push: unseen events Poisson(λE[W]), F = e^(−λE[W])")
	n := func(s Sizes) float64 { return min(s.Samples, feed.duration/(2*max(hi, 1/lb))) }
	b.add("fresh_fraction", fresh, proportionOf(fresh, n, 1, 0))
	b.add("mean_age_s", age, meanOf(math.Sqrt(max(age2-age*age, 0)), n, 0))
	b.add("mean_unseen", unseen, meanOf(math.Sqrt(lb*feed.batch2*meanW), n, 0))
}
