package model

import (
	"math"
	"sync"

	"github.com/pushpull/pushpull/sim/scenario"
)

// negligible is a chance too small to move any figure pushpull reports.
const negligible = 1e-6

// world is what every model of a client needs of the scenario.
type world struct {
	arrivals
	network law // one network leg
	service law // the API's service time
	back    law // b: from the store's snapshot to the client holding the response
	// roundTrip is the law of a request's cycle: the way out, the
	// service, the way back. Worked out on first use, as not every
	// client needs it.
	roundTrip func() law
}

// newWorld describes what every client of sc shares.
func newWorld(sc *scenario.Scenario) world {
	w := world{
		arrivals: newArrivals(sc),
		network:  durations(sc.Network.Latency.Distribution()),
		service:  durations(sc.Store.API.Latency.Distribution()),
	}
	w.back = w.service.plus(w.network)
	network, service := w.network, w.service
	w.roundTrip = sync.OnceValue(func() law { return sumOf(network, service, network) })
	return w
}

// polling predicts a polling client.
func (b *builder) polling(p scenario.Poll) {
	switch {
	case p.Long != nil:
		b.longPolling(p)
	case p.Adaptive != nil:
		b.adaptivePolling(p)
	case p.AIMD != nil:
		b.none("AIMD polling: its interval's stationary law has no closed form")
	default:
		b.fixedPolling(p)
	}
}

// fixedPolling predicts polling at a fixed interval, on a fixed-rate ticker
// or sleeping the interval after each response (MODELS.md §1, §2).
func (b *builder) fixedPolling(p scenario.Poll) {
	w := b.w
	api := b.sc.Store.API
	interval, jitter := p.Interval.D().Seconds(), p.Jitter.D().Seconds()
	period := pointMass(interval)
	if jitter > 0 {
		period = uniform(interval-jitter, interval+jitter)
	}
	// gap is the law of the time between the store's snapshots of one
	// feed: the ticker's period moved by each request's way out, or the
	// whole cycle of a delay loop.
	var gap law
	if p.Loop == "delay" {
		gap = sumOf(period, w.network, w.service, w.network)
		b.uses("fixed-delay polling: a period of the interval plus the cycle")
	} else {
		gap = sumOf(period, w.network, w.network.negate())
		b.uses("fixed-rate polling: delay to the next snapshot U(0, T) + b")
	}
	if jitter > 0 {
		b.uses("jitter: mean delay T/2 + Var(I)/(2T)")
	}
	meanGap := gap.mean()

	feeds := 1.0
	if p.PerResource {
		feeds = float64(b.sc.Store.Resources)
		b.uses("per-resource feeds: each polled every T, at rate λ/M")
	}
	feed := w.arrivals.split(feeds)

	// Pages per poll, and whether later pages' extra round trips matter.
	if len(b.cl.Outages) > 0 {
		// The backlog an outage leaves is drained page by page, and a
		// fixed-rate ticker's polls overlap the drain's: duplicates,
		// extra pages, later latency.
		b.none("the client's outages: the drain of the backlog they leave has no closed form here")
		return
	}
	pages, pagesVar, overflow := b.pages(feed, gap, api.PageSize)
	pollRate := feeds / meanGap // per subscriber
	b.polls = pollRate * b.duration()
	requestRate := pollRate * pages
	sends := gap // the time between two polls leaving
	if p.Loop != "delay" {
		sends = period
	}
	if overflow == 1 {
		b.none("pages per poll: no closed form for bursts, batches or replayed events, and more than one page cannot be ruled out")
	} else {
		b.requests(requestRate, pollRate, sends, pages, pagesVar, feed)
	}
	if gap.cdf(0) > negligible {
		b.none("the network's spread reaches the interval, so polls overtake each other: no law for what they find")
		return
	}

	// Losses and duplicates.
	fine := true
	if api.Errors > 0 {
		b.none("the API's errors (%g of requests): what polls find through failed ones has no closed form here", api.Errors)
		fine = false
	}
	if !b.rateLimitHolds(requestRate, feeds, overflow) {
		return
	}
	_, gapHi := gap.bounds()
	_, backHi := w.back.bounds()
	if retention := api.Retention.D().Seconds(); retention <= 2*gapHi+backHi {
		b.none("a retention of %s is within reach of the interval: events may age out before a poll", api.Retention.Short())
		return
	}
	b.add("dropped_rate", 0, exact)
	b.add("out_of_order", 0, exact)
	overlap := 0.0
	if p.Loop != "delay" {
		overlap = b.overlaps(period, w.roundTrip(), feed)
	} else {
		b.add("duplicates", 0, exact)
	}
	// An overlap changes what the polls involved find and when their
	// events are held: below one poll in 10,000 that moves no figure by a
	// share of its tolerance.
	if overlap > 1e-4 {
		b.none("what polls find: %.2g of polls leave before the previous one's response, with its cursor", overlap)
		return
	}
	if !fine {
		return
	}
	// Emptiness: a poll finds nothing when its snapshot gap held no event.
	var empty float64
	var emptySlack func(Sizes) float64
	switch {
	case feed.process == "replay":
		b.none("replayed arrivals: the chance of an empty poll depends on the file, not on a rate")
	case feed.process == "thinned":
		b.none("evenly spaced events spread over feeds: no closed form for an empty poll")
	default:
		empty = feed.emptyChance(gap)
		emptySlack = exact
		if feed.process == "constant" && feed.steady {
			// The windows between snapshots partition time: n of them
			// hold the events of n·T, λnT ± 1, so the run's share of
			// empty ones is (1 − x)⁺ to within one poll, whatever the
			// phase.
			emptySlack = func(s Sizes) float64 { return 1 / max(s.Polls, 1) }
			b.uses("evenly spaced events: P(empty) = (1 − x)⁺")
		} else {
			b.uses("P(empty) = E[e^(−λG)] over snapshot gaps G")
		}
		b.add("empty_poll_fraction", empty, plus(proportionOf(empty, polls, 1, 0), emptySlack))
		if overflow < 1 {
			wasted := empty / pages
			b.add("wasted_fraction", wasted, plus(proportionOf(wasted, func(s Sizes) float64 { return s.Polls * pages }, 1, 0), emptySlack))
		}
	}

	if overflow > 1e-4 {
		switch {
		case overflow == 1:
			b.none("latency: the events of later pages wait extra round trips")
		case p.Paging:
			b.none("pages: %.2g of polls need more than one, whose events wait extra round trips", overflow)
		default:
			b.none("one page per poll with %.2g of polls overflowing: the backlog chain", overflow)
		}
		return
	}

	// Latency: the forward recurrence time of the snapshots, plus b.
	latency := recurrence(gap).plus(w.back)
	n := func(s Sizes) float64 { return s.Delivered / feed.batch } // a batch shares its delay
	slack := 0.0
	if feed.process == "constant" && feed.steady {
		slack = interval / lattice(interval, 1/feed.arrivalRate(), jitter)
		b.uses("evenly spaced events: their delays fall on a lattice of step T/p against the interval")
	}
	b.latencyFigures(latency, n, slack)

	if feed.process == "poisson" && feed.steady && feeds == 1 {
		b.freshness(feed, gap, w.back)
	} else {
		b.none("freshness: closed forms for a steady Poisson process on one feed only")
	}
}

// overlaps predicts the duplicates of a fixed-rate ticker, which sends
// each poll when due even if the previous one's response has not come: a
// poll sent m intervals after poll k, while neither poll k's response nor
// any of the m − 1 after it (which carry poll k's events too) has come,
// has the cursor from before poll k and gets its events again. With c the
// cycle of a request and S_i the sum of i intervals, each event is held
// again Σ_m Π_{i≤m} P(c > S_i) times on average (the sums taken as
// independent, which they are without jitter); the events of one snapshot
// gap come back together. It returns that sum.
func (b *builder) overlaps(period, cycle law, feed arrivals) float64 {
	var overlap float64
	sum, chain := period, 1.0
	for m := 1; m <= 100; m++ {
		chain *= sum.expect(func(x float64) float64 { return 1 - cycle.cdf(x) })
		overlap += chain
		if chain < 1e-12 {
			break
		}
		sum = sum.plus(period)
	}
	if overlap < 1e-12 {
		b.add("duplicates", 0, exact)
		return 0
	}
	b.uses("a fixed-rate ticker's overlapping polls: each event held again Σ_m Π_(i≤m) P(c > iT) times")
	count, x := b.count(), feed.rate*period.mean()
	polls := b.duration() / period.mean() * b.feedsOf()
	n := count * feed.rate * b.feedsOf() * b.duration()
	// A gap's events, A of them, come back together: E[A²] = x + x².
	b.add("duplicates", n*overlap, countOf(n*overlap, count*count*polls*overlap*(x+x*x)))
	return overlap
}

// pages returns the mean number of requests per poll when has_more is
// followed at once, 1 + Σ_{m≥1} P(A > mL) with A the events of a snapshot
// gap (MODELS.md §2), and the chance that a poll needs more than one.
func (b *builder) pages(feed arrivals, gap law, size int) (pages, variance, overflow float64) {
	l := float64(size)
	switch {
	case feed.process == "poisson" && feed.steady && feed.batch == 1:
		tail := func(m float64) float64 {
			return gap.expect(func(g float64) float64 { return poissonTail(feed.rate*g, m*l) })
		}
		overflow = tail(1)
		// pages = 1 + K, K = #{m ≥ 1: A > mL}: E[K²] = Σ (2m − 1)·P(A > mL).
		var k, k2 float64
		for m := 1.0; ; m++ {
			t := tail(m)
			k += t
			k2 += (2*m - 1) * t
			if t < 1e-12 {
				break
			}
		}
		if k > 1e-9 {
			b.uses("pages per poll 1 + Σ P(Poisson(x) > mL)")
		}
		return 1 + k, k2 - k*k, overflow
	default:
		// A bound: the largest window at the peak rate, batches at
		// their mean plus eight standard deviations.
		_, g := gap.bounds()
		mean := feed.peak * g * feed.batch
		sd := math.Sqrt(feed.peak * g * feed.batch2)
		if feed.process == "replay" || mean+8*sd >= l {
			return 1, 0, 1 // cannot rule pages out
		}
		return 1, 0, 0
	}
}

// poissonTail is P(Poisson(mean) > k), summed from the term at k outwards
// in the direction where the terms fall, so that neither e^(−mean) nor
// 1 − P(X ≤ k) loses it to rounding.
func poissonTail(mean, k float64) float64 {
	if mean <= 0 {
		return 0
	}
	n := math.Floor(k)
	if n < 0 {
		return 1
	}
	lg, _ := math.Lgamma(n + 1)
	at := math.Exp(n*math.Log(mean) - mean - lg) // P(X = n)
	if n+1 > mean {
		// The tail's terms fall from n + 1 on: sum them.
		var tail float64
		term := at
		for i := n + 1; ; i++ {
			term *= mean / i
			tail += term
			if term <= tail*1e-17 || term == 0 {
				return tail
			}
		}
	}
	// The terms below n fall towards 0: sum P(X ≤ n) and take the rest.
	cdf, term := at, at
	for i := n; i > 0; i-- {
		term *= i / mean
		cdf += term
		if term <= cdf*1e-17 {
			break
		}
	}
	return max(1-cdf, 0)
}

// requests predicts the request figures of a poller sending requestRate
// requests a second per subscriber, of which pollRate are scheduled polls
// leaving at intervals of law sends, each followed by pages − 1 pages on
// average (variance pagesVar).
func (b *builder) requests(requestRate, pollRate float64, sends law, pages, pagesVar float64, feed arrivals) {
	w, count := b.duration(), b.count()
	perS := count * requestRate
	// The count over the run: a renewal count's relative variance
	// Var(I)/(E[I]·W) per feed, the pages' own, and the phase: from a
	// uniform phase a feed polls ⌊W/T⌋ or ⌈W/T⌉ times, W/T on average,
	// a variance of at most 1/4 poll² per feed, independent from feed to
	// feed and subscriber to subscriber.
	polls := max(pollRate*w, 1)
	feeds := count * b.feedsOf()
	relCount := math.Sqrt(sends.variance()/(sends.mean()*sends.mean())+pagesVar/(pages*pages)) / math.Sqrt(polls)
	phase := math.Sqrt(feeds/4) / (count * polls)
	b.add("requests_per_s", perS, func(Sizes) float64 {
		return perS * sigmas * (relCount + phase)
	})
	if feed.rate <= 0 {
		return
	}
	perEvent := requestRate / (feed.rate * b.feedsOf())
	// Events: a compound Poisson count, relative variance E[B²]/E[B] per
	// event; evenly spaced ones are W/Δ ± 1 for the phase, replayed ones
	// exact.
	relEvents := math.Sqrt(feed.batch2 / feed.batch)
	if feed.process != "poisson" {
		relEvents = 0
	}
	b.add("requests_per_delivered_event", perEvent, func(s Sizes) float64 {
		events := max(s.Events, 1)
		tol := perEvent * sigmas * (relCount + relEvents/math.Sqrt(events) + phase)
		if feed.process == "constant" {
			tol += perEvent / events
		}
		return tol
	})
}

// feedsOf is how many feeds one subscriber polls.
func (b *builder) feedsOf() float64 {
	if b.cl.Poll != nil && b.cl.Poll.PerResource {
		return float64(b.sc.Store.Resources)
	}
	return 1
}

// rateLimitHolds reports whether a rate limit never binds, so the models
// apply; when it may bind it says so and returns false.
func (b *builder) rateLimitHolds(requestRate, feeds, overflow float64) bool {
	rl := b.sc.Store.API.RateLimit
	if rl == nil {
		return true
	}
	rate := rl.Rate.PerSecond()
	switch {
	case requestRate > 0.9*rate:
		b.none("the rate limit binds: %.3g requests a second needed against a limit of %s", requestRate, rl.Rate)
		return false
	case overflow > negligible && rl.Burst < 2:
		b.none("the rate limit's burst of %d cannot take a poll's follow-up pages", rl.Burst)
		return false
	case feeds > float64(rl.Burst):
		b.none("the rate limit's burst of %d is below the %g feeds polled at independent phases", rl.Burst, feeds)
		return false
	}
	b.uses("token bucket never empty: T ≥ M·E[pages]/r")
	return true
}

// latencyFigures predicts the latency figures from their law; n is the number of
// independent delays a run measures.
func (b *builder) latencyFigures(l law, n sampleSize, slack float64) {
	b.latencyFiguresWith(l, meanOf(math.Sqrt(l.variance()), n, slack/2), n, slack)
}

// latencyFiguresWith predicts the latency figures from their law, the
// mean's with the tolerance meanTol: for delays that come in clusters
// whose spread the law alone does not give.
func (b *builder) latencyFiguresWith(l law, meanTol func(Sizes) float64, n sampleSize, slack float64) {
	b.latency = &l
	b.add("mean_latency_s", l.mean(), meanTol)
	for _, q := range []struct {
		metric string
		p      float64
	}{{"p50_latency_s", 0.5}, {"p90_latency_s", 0.9}, {"p99_latency_s", 0.99}} {
		b.add(q.metric, l.quantile(q.p), quantileOf(l, q.p, n, slack))
	}
}

// lattice is the number of distinct positions evenly spaced events (gap
// spacing) take within a fixed interval: with interval/spacing = p/q in
// lowest terms, the positions jΔ mod T are p points T/p apart, so a run's
// delays fall on a lattice of step T/p and their mean may differ from the
// random-phase mean by T/(2p). Jitter breaks the lattice, as does a ratio
// with no such fraction up to 10,000: the positions are then as good as
// uniform at that resolution.
func lattice(interval, spacing, jitter float64) float64 {
	const most = 10_000
	if jitter > 0 {
		return most
	}
	ratio := interval / spacing
	for q := 1.0; q < most; q++ {
		if x := q * ratio; math.Abs(x-math.Round(x)) < 1e-9*q*math.Max(ratio, 1) {
			return min(math.Round(x), most) // p
		}
	}
	return most
}
