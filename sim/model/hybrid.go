package model

import (
	"math"
)

// hybrid predicts webhooks with a second path that catches what push
// misses: a reconciliation that reads the feed every R, or a state sync
// every S (MODELS.md §5). The second path reads at a fixed rate from a
// random phase, so it holds an event V after its creation, V the forward
// recurrence time of its snapshots plus b; push delivers independently of
// it, with latency W. An event push delivers is held at min(W, V), one it
// misses at V, and none is lost while the store keeps events longer than
// the second path takes to come back.
func (b *builder) hybrid(w world, s sender, fail, errs, silent float64) {
	cl := b.cl
	switch {
	case cl.Reconcile != nil && cl.Sync != nil:
		b.none("reconciliation and state sync together: no closed form here")
		return
	case len(cl.Outages) > 0:
		b.none("hybrids through outages: the second path's catch-up and push's retries overlap")
		return
	case cl.Webhook.Thin:
		b.none("thin deliveries in a hybrid: their fetches are not modelled here")
		return
	case b.sc.Store.API.Errors > 0:
		b.none("the API's errors: the second path through failures has no closed form here")
		return
	case !w.steady || w.process != "poisson" || w.batch != 1:
		b.none("hybrids: closed forms for a steady Poisson process of single events only")
		return
	}
	a, pushLatency, ok := b.push(w, s, fail, errs, 0)
	if !ok {
		return
	}
	every, kind := 0.0, "reconciliation"
	if cl.Reconcile != nil {
		every = cl.Reconcile.Every.D().Seconds()
	} else {
		every, kind = cl.Sync.Every.D().Seconds(), "state sync"
	}
	gap := sumOf(pointMass(every), w.network, w.network.negate())
	second := recurrence(gap).plus(w.back) // V
	_, gapHi := gap.bounds()
	_, backHi := w.back.bounds()
	if b.sc.Store.API.Retention.D().Seconds() <= 2*gapHi+backHi {
		b.none("a retention within reach of the %s's period: events may age out before it reads them", kind)
		return
	}
	// Requests of the second path: one per sync; a reconciliation's pages.
	sweepRate, pages, pagesVar, overflow := 1/gap.mean(), 1.0, 0.0, 0.0
	if cl.Reconcile != nil {
		pages, pagesVar, overflow = b.pages(w.arrivals, gap, b.sc.Store.API.PageSize)
	}
	secondPerS := sweepRate * pages
	if !b.rateLimitHolds(secondPerS, 1, overflow) {
		return
	}
	b.uses("hybrid: push at min(W, V), the missed at V, V the %s's recurrence time plus b", kind)

	sent := 1 - silent
	pushed := sent * a.delivered // the chance push delivers an event
	lambda, count, dur := w.rate, b.count(), b.duration()
	perS := count * (lambda*sent*a.inWindow + secondPerS)
	// The requests of the run, over all subscribers: push's and the
	// sweeps' pages vary with the store's events, which every subscriber
	// shares, so their standard deviations add; and the phase, as for a
	// poller (requests): from a uniform phase a subscriber sweeps ⌊W/R⌋ or
	// ⌈W/R⌉ times, W/R on average, a variance of at most 1/4 sweep², of
	// pages requests each, independent from subscriber to subscriber.
	pushVar := lambda * dur * sent * a.square // a compound Poisson count: λW·E[X²]
	secondVar := sweepRate * dur * pagesVar
	spread := count * math.Sqrt(pushVar+secondVar)
	phase := math.Sqrt(count/4) * pages
	b.add("requests_per_s", perS, func(Sizes) float64 {
		return sigmas * (spread + phase) / dur
	})
	perEvent := perS / (count * lambda)
	b.add("requests_per_delivered_event", perEvent, func(sz Sizes) float64 {
		return perEvent * sigmas * (1/math.Sqrt(max(sz.Events, 1)) + (spread+phase)/(perS*dur))
	})
	b.add("dropped_rate", 0, exact)

	if overflow > 1e-4 {
		b.none("latency: the %s's later pages wait extra round trips", kind)
	} else {
		latency := mix([]float64{pushed, 1 - pushed}, []law{minimum(pushLatency, second), second})
		b.latencyFigures(latency, delivered, 0)
	}

	// Duplicates: a reconciliation reads every event, so each event push
	// delivers is held twice; a state sync only reflects what it lacks, so
	// push's delivery is a duplicate when the sync came first. A push
	// delivery after the run's end never comes.
	drain := b.sc.Drain.D().Seconds()
	if drain <= gapHi+backHi {
		b.none("duplicates: a drain shorter than the %s's period leaves the last events unread", kind)
		return
	}
	late := pushLatency.excess(drain) / dur // events whose push lands after the end
	both := pushed * (1 - late)
	if cl.Sync != nil {
		both = pushed * pushLatency.expect(second.cdf)
	}
	b.countFigure("duplicates", both, both)
	b.none("freshness and order of a hybrid: no closed form here")
}
