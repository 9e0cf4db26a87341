package model

import "math"

// The tolerances of MODELS.md §7: each is sigmas standard errors of the
// measurement at the run's sample size, from the model's own variance.

// sampleSize picks the sample size a figure is estimated from.
type sampleSize func(Sizes) float64

func delivered(s Sizes) float64 { return s.Delivered }
func events(s Sizes) float64    { return s.Events }
func polls(s Sizes) float64     { return s.Polls }

// exact is a figure that does not vary by chance: zero drops, no
// duplicates.
func exact(Sizes) float64 { return 0 }

// within is a fixed tolerance: what a model cannot resolve, such as the
// phase of a run against a lattice.
func within(slack float64) func(Sizes) float64 {
	return func(Sizes) float64 { return slack }
}

// plus adds tolerances: independent sources of spread and slack.
func plus(a, b func(Sizes) float64) func(Sizes) float64 {
	return func(s Sizes) float64 { return a(s) + b(s) }
}

// meanOf is the tolerance of a mean of n observations with standard
// deviation sd, plus slack.
func meanOf(sd float64, n sampleSize, slack float64) func(Sizes) float64 {
	return func(s Sizes) float64 { return sigmas*sd/math.Sqrt(max(n(s), 1)) + slack }
}

// proportionOf is the tolerance of a proportion p estimated from n trials,
// each with variance p(1 − p) times inflate (1 for independent trials;
// more for trials that come in correlated runs), plus slack.
func proportionOf(p float64, n sampleSize, inflate, slack float64) func(Sizes) float64 {
	return meanOf(math.Sqrt(max(p*(1-p)*inflate, 0)), n, slack)
}

// quantileOf is the tolerance of the q-quantile of law l estimated from n
// observations: the interval between the quantiles at q ± sigmas standard
// errors of a proportion (an order-statistics interval, right at atoms and
// at jumps), each end widened by the histogram's resolution, and slack.
func quantileOf(l law, q float64, n sampleSize, slack float64) func(Sizes) float64 {
	value := l.quantile(q)
	return func(s Sizes) float64 {
		se := sigmas * math.Sqrt(q*(1-q)/max(n(s), 1))
		lo, hi := l.quantile(max(q-se, 0)), l.quantile(min(q+se, 1))
		lo, hi = lo-histogramError*math.Abs(lo), hi+histogramError*math.Abs(hi)
		return max(hi-value, value-lo) + slack
	}
}

// tailChance is the chance of a normal variable beyond sigmas standard
// deviations on either side: what a tolerance of sigmas standard errors
// leaves to chance.
var tailChance = math.Erfc(sigmas / math.Sqrt2)

// countOf is the tolerance of a count of rare events with the given mean
// and variance, whose events may come in clusters (variance/mean events
// each): sigmas standard deviations, or, where the count is too small for
// that, the Poisson quantile of the clusters that leaves tailChance above.
// It depends on no sample size, so it is worked out once.
func countOf(mean, variance float64) func(Sizes) float64 {
	tol := sigmas * math.Sqrt(max(variance, 0))
	if mean <= 0 {
		return within(tol)
	}
	cluster := max(variance/mean, 1)
	clusters := mean / cluster
	return within(max(tol, poissonQuantile(clusters, tailChance/2)*cluster-mean))
}

// poissonQuantile is the least k ≥ 0 with P(Poisson(mean) > k) ≤ p, for
// p < 1/2. The search starts at the normal approximation, mean + z·√mean
// with z = sigmas for p = tailChance/2 (Cornish–Fisher puts the exact
// quantile a few counts from there, (z² − 1)/6 above it), and steps one
// count at a time to the answer: a handful of tails instead of one per
// count from zero.
func poissonQuantile(mean, p float64) float64 {
	z := math.Sqrt2 * math.Erfcinv(2*p) // P(N(0, 1) > z) = p
	k := max(math.Floor(mean+z*math.Sqrt(mean)), 0)
	for poissonTail(mean, k) > p {
		k++
	}
	for k > 0 && poissonTail(mean, k-1) <= p {
		k--
	}
	return k
}

// relativeOf is the tolerance of a figure whose relative standard error
// is rel/√n, such as a count's per-second rate or a ratio to a Poisson
// count, plus slack.
func relativeOf(value, rel float64, n sampleSize, slack float64) func(Sizes) float64 {
	return func(s Sizes) float64 { return sigmas*math.Abs(value)*rel/math.Sqrt(max(n(s), 1)) + slack }
}
