package model

import (
	"math"

	"github.com/pushpull/pushpull/sim/scenario"
)

// commonLimits says why a poller's figures have no closed form when the
// store or the client breaks what every polling model assumes: a steady
// Poisson process, no outages, no failed requests, one page per poll at
// most, events kept long enough. It returns "" when none applies.
func (b *builder) commonLimits(feed arrivals, longest float64) string {
	api := b.sc.Store.API
	switch {
	case feed.process != "poisson" || !feed.steady || feed.batch != 1:
		return "closed forms for a steady Poisson process of single events only"
	case len(b.cl.Outages) > 0:
		return "the client's outages: the drain of the backlog they leave has no closed form here"
	case api.Errors > 0:
		return "the API's errors: polling through failures has no closed form here"
	case poissonTail(feed.rate*longest, float64(api.PageSize)) > 1e-4:
		return "pages: a poll may need more than one"
	case api.Retention.D().Seconds() <= 2*longest:
		return "a retention within reach of the longest interval"
	}
	return ""
}

// adaptivePolling predicts exponential backoff: T_j = min(T_0·m^j, T_max),
// back to T_0 after a poll that brought events (MODELS.md §3). The
// intervals form a Markov chain whose stationary law π is known in closed
// form; the latency is the forward recurrence time of the polls.
func (b *builder) adaptivePolling(p scenario.Poll) {
	w := b.w
	feed := w.arrivals.split(b.feedsOf())
	a := p.Adaptive
	// The intervals: T_0 ... T_J, the last repeated.
	var steps []float64
	for t := a.Min.D().Seconds(); ; t *= a.Factor {
		if t >= a.Max.D().Seconds() {
			steps = append(steps, a.Max.D().Seconds())
			break
		}
		steps = append(steps, t)
	}
	longest := steps[len(steps)-1]
	if why := b.commonLimits(feed, longest); why != "" {
		b.none("%s", why)
		return
	}
	cycle := w.roundTrip()
	if cycle.quantile(1-1e-4) >= steps[0] {
		b.none("a poll's round trip reaches the shortest interval: the next poll waits for the response")
		return
	}
	// Each interval's snapshot gap moves by the requests' ways out.
	jitter := w.network.plus(w.network.negate())
	lambda := feed.rate
	empty := make([]float64, len(steps)) // e_j = E[e^(−λG_j)]
	gaps := make([]law, len(steps))
	for j, t := range steps {
		gaps[j] = jitter.shift(t)
		empty[j] = gaps[j].laplace(lambda)
	}
	// π_j ∝ Π_{i<j} e_i for j < J, π_J ∝ Π_{i<J} e_i/(1 − e_J).
	pi := make([]float64, len(steps))
	reach := 1.0
	for j := range steps {
		pi[j] = reach
		if j == len(steps)-1 {
			pi[j] = reach / (1 - empty[j])
		}
		reach *= empty[j]
	}
	normalise(pi)
	gap := mix(pi, gaps)
	meanGap := gap.mean()
	b.uses("exponential backoff: stationary interval law π, poll rate 1/E[I], delay E[I²]/(2E[I])")

	if !b.rateLimitHolds(b.feedsOf()/meanGap, b.feedsOf(), 0) {
		return
	}
	pollRate := b.feedsOf() / meanGap
	b.polls = pollRate * b.duration()
	pEmpty := gap.laplace(lambda)

	// Regenerative cycles: from a hit to the next, L polls of which the
	// last is the hit. Var(p̂) = (1 − p)²·Var(L)/(polls·E[L]).
	var meanL, meanL2 float64
	reach = 1
	for l := 1; l < 100_000 && reach > 1e-15; l++ {
		e := empty[min(l-1, len(steps)-1)]
		pl := reach * (1 - e)
		meanL += pl * float64(l)
		meanL2 += pl * float64(l*l)
		reach *= e
	}
	varL := meanL2 - meanL*meanL
	emptySD := (1 - pEmpty) * math.Sqrt(varL/meanL)
	b.add("empty_poll_fraction", pEmpty, meanOf(emptySD, polls, 0))
	b.add("wasted_fraction", pEmpty, meanOf(emptySD, polls, 0))

	// Requests: the count over the run varies with the cycles.
	b.pollCounts(pollRate, lambda, math.Sqrt(varL)/meanL*math.Sqrt(meanL*meanGap/b.duration()))

	// Latency: the recurrence time of the polls, plus b. Events share
	// the interval they fall in: by cycles, the hit interval I_j holds
	// K ~ Poisson(λI_j) given K ≥ 1 events, each delayed U(0, I_j) + b.
	latency := recurrence(gap).plus(w.back)
	mu := latency.mean()
	bMean, bVar := w.back.mean(), w.back.variance()
	var ek, sq, ek2 float64
	reach = 1
	for l := 1; l < 100_000 && reach > 1e-15; l++ {
		j := min(l-1, len(steps)-1)
		hit := reach * (1 - empty[j])
		t := steps[j]
		m := lambda * t
		k1 := m / -math.Expm1(-m)         // E[K | K ≥ 1]
		k2 := (m + m*m) / -math.Expm1(-m) // E[K² | K ≥ 1]
		ek += hit * k1
		ek2 += hit * k2
		sq += hit * (k1*(t*t/12+bVar) + k2*(t/2+bMean-mu)*(t/2+bMean-mu))
		reach *= empty[j]
	}
	sd := math.Sqrt(sq / ek) // per event, for a mean over delivered events
	cluster := ek2 / ek      // the size-biased number of events sharing an interval
	n := func(s Sizes) float64 { return s.Delivered / cluster }
	b.latencyFiguresWith(latency, meanOf(sd, delivered, 0), n, 0)
	if b.feedsOf() == 1 {
		b.freshness(feed, gap, w.back)
	}
}

// pollCounts predicts the request figures of a poller whose subscribers
// each poll pollRate times a second, one request a poll, with the count's
// relative standard error relCount over the run, against a Poisson count
// of events at rate lambda per feed; and no drops, duplicates or
// reordering, which one page a poll in order cannot make.
func (b *builder) pollCounts(pollRate, lambda, relCount float64) {
	perS := b.count() * pollRate
	b.add("requests_per_s", perS, func(Sizes) float64 { return perS * sigmas * relCount })
	perEvent := pollRate / (lambda * b.feedsOf())
	b.add("requests_per_delivered_event", perEvent, func(s Sizes) float64 {
		return perEvent * sigmas * (relCount + 1/math.Sqrt(max(s.Events, 1)))
	})
	b.add("dropped_rate", 0, exact)
	b.add("duplicates", 0, exact)
	b.add("out_of_order", 0, exact)
}

// normalise scales weights to sum to 1.
func normalise(weights []float64) {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	for i := range weights {
		weights[i] /= sum
	}
}

// longPolling predicts long polling with hold H, asked again as soon as
// each response arrives (MODELS.md §3). A cycle is the gap g from the
// store's answer to the next request reaching it (service, the way back,
// the way out), then the hold: none if events came during the gap, else
// until the first event or H. Events that come during a hold are answered
// at once; those of the gap wait for the next request.
func (b *builder) longPolling(p scenario.Poll) {
	w := b.w
	feed := w.arrivals.split(b.feedsOf())
	hold := p.Long.Hold.D().Seconds()
	gapLaw := sumOf(w.service, w.network, w.network)
	_, gHi := gapLaw.bounds()
	if why := b.commonLimits(feed, hold+gHi); why != "" {
		b.none("%s", why)
		return
	}
	lambda := feed.rate
	g := gapLaw.mean()
	open := gapLaw.laplace(lambda) // P(no event in the gap)
	holding := open * -math.Expm1(-lambda*hold) / lambda
	cycle := g + holding // E[C] = g + E[e^(−λg)](1 − e^(−λH))/λ
	b.uses("long poll: cycle E[C] = g + e^(−λg)(1 − e^(−λH))/λ, latency b + g²/(2E[C])")
	if !b.rateLimitHolds(b.feedsOf()/cycle, b.feedsOf(), 0) {
		return
	}
	pollRate := b.feedsOf() / cycle
	b.polls = pollRate * b.duration()
	// A cycle ends empty when nothing came in the gap nor in the hold.
	pEmpty := open * math.Exp(-lambda*hold)
	b.add("empty_poll_fraction", pEmpty, proportionOf(pEmpty, polls, 1, 0))
	b.add("wasted_fraction", pEmpty, proportionOf(pEmpty, polls, 1, 0))
	// The cycles are independent: a renewal count.
	cycleVar := gapLaw.variance() + holdVariance(open, lambda, hold)
	b.pollCounts(pollRate, lambda, math.Sqrt(cycleVar)/cycle/math.Sqrt(max(b.polls, 1)))

	// Latency: b for an event during a hold; for one during a gap (time
	// share g/E[C]) the rest of the gap first, its recurrence time.
	inGap := g / cycle
	latency := mix([]float64{1 - inGap, inGap}, []law{pointMass(0), recurrence(gapLaw)}).plus(w.back)
	// Events of one gap share its end: at most a gap's worth of them.
	cluster := 1 + lambda*gHi
	b.latencyFigures(latency, func(s Sizes) float64 { return s.Delivered / cluster }, 0)
	b.none("freshness of a long poll: its holds end with the events themselves, so the snapshot's age is not independent of what follows")
}

// holdVariance is the variance of a cycle's hold: 0 when events came in
// the gap, else min(X, H) with X ~ Exp(λ); the covariance with the gap is
// left out, as it is second order for gaps short against the hold.
func holdVariance(open, lambda, hold float64) float64 {
	e1 := -math.Expm1(-lambda*hold) / lambda                                   // E[min(X, H)]
	e2 := 2 / (lambda * lambda) * (1 - math.Exp(-lambda*hold)*(1+lambda*hold)) // E[min(X, H)²]
	m := open * e1
	return open*e2 - m*m
}
