package model

import (
	"fmt"
	"math"

	"github.com/pushpull/pushpull/sim/scenario"
)

// sender is what the webhook models need of the sender's policy.
type sender struct {
	plan     scenario.RetryPlan
	attempts int     // k
	timeout  float64 // τ
}

// webhooks predicts a webhook receiver (MODELS.md §4): without faults, with
// independent failures, or through outages; with silent loss, thin
// deliveries and acknowledgement after processing.
func (b *builder) webhooks(wh scenario.Webhook) {
	w := b.w
	hooks := b.sc.Store.Webhooks
	s := sender{plan: hooks.Plan()}
	s.attempts, s.timeout = s.plan.Attempts(), s.plan.Timeout.Seconds()

	switch {
	case len(wh.Crashes) > 0:
		b.none("receiver crashes: what a crash loses depends on the queue at that instant")
		return
	case wh.Processing != nil && wh.Processing.Mode == "async":
		b.none("an asynchronous queue: its waits and overflows are those of an M/G/c/K queue, with no closed form here")
		return
	case w.process == "replay":
		b.none("replayed arrivals: the figures depend on the file")
		return
	}
	if _, hi := w.network.bounds(); hi >= s.timeout {
		b.none("the network's delay reaches the timeout of %s", scenario.Duration(s.plan.Timeout).Short())
		return
	}

	// Independent per-attempt faults: failures on the way (refused), the
	// receiver's errors, and timeouts of acknowledgement after processing.
	fail := hooks.Failures
	errs := wh.Errors
	ackLate := 0.0 // p_τ: an attempt accepted but acknowledged after the timeout
	if wh.Processing != nil && wh.Processing.Mode == "sync" {
		work := durations(wh.Processing.Time.Distribution())
		ackLate = 1 - sumOf(w.network, work, w.network).cdf(s.timeout)
	}
	if b.cl.Reconcile != nil || b.cl.Sync != nil {
		if ackLate > 0 {
			b.none("acknowledgement after processing in a hybrid: no closed form here")
			return
		}
		b.hybrid(w, s, fail, errs, hooks.SilentLoss)
		return
	}
	if len(b.cl.Outages) > 0 {
		if fail > 0 || errs > 0 || ackLate > 0 {
			b.none("outages together with independent failures: no closed form here")
			return
		}
		b.outages(w, s, hooks.SilentLoss, wh.Thin)
		return
	}
	b.independentFailures(w, s, fail, errs, ackLate, hooks.SilentLoss, wh.Thin)
}

// retryDelay is the law of the delay before retry n: the nominal delay
// times U(1 − j, 1 + j), and at least the floor after a timeout.
func (s sender) retryDelay(n int, timedOut bool) law {
	d := s.plan.Delay(n).Seconds()
	floor := 0.0
	if timedOut {
		floor = s.plan.Floor.Seconds()
	}
	j := s.plan.Jitter
	if j == 0 {
		return pointMass(max(d, floor))
	}
	lo, hi := d*(1-j), d*(1+j)
	switch {
	case floor <= lo:
		return uniform(lo, hi)
	case floor >= hi:
		return pointMass(floor)
	}
	atFloor := (floor - lo) / (hi - lo)
	return mix([]float64{atFloor, 1 - atFloor}, []law{pointMass(floor), uniform(floor, hi)})
}

// independentFailures predicts a receiver whose every attempt fails on
// its own: on the way with probability fail, by the receiver's error with
// probability errs, each learnt after a round trip; an accepted attempt
// may also be acknowledged too late (ackLate), which the sender counts as
// a timeout although the receiver holds the event (MODELS.md §4).
func (b *builder) independentFailures(w world, s sender, fail, errs, ackLate, silent float64, thin bool) {
	a, latency, ok := b.push(w, s, fail, errs, ackLate)
	if !ok {
		return
	}
	p := 1 - (1-fail)*(1-errs)
	sent := 1 - silent
	if silent > 0 {
		b.uses("silent loss q: P(loss) = 1 − (1 − p^k)(1 − q)")
	}
	if thin {
		latency = latency.plus(w.roundTrip())
		b.uses("thin deliveries: plus the fetch's round trip")
	}
	if a.delivered > 0 && sent > 0 {
		b.latencyFigures(latency, delivered, 0)
	} else {
		b.none("latency: no event is delivered")
	}

	dropped := 1 - sent*a.delivered
	b.add("dropped_rate", dropped, proportionOf(dropped, events, 1, 0))
	if p == 0 && ackLate == 0 {
		kept := w
		kept.arrivals = w.arrivals.thin(sent)
		b.outOfOrder(kept, latency)
	}
	// Duplicates: every accepted attempt after the first.
	dupes, dupes2 := 0.0, 0.0
	if ackLate > 0 {
		dupes, dupes2 = a.mean-1, a.square-2*a.mean+1
	}
	b.countFigure("duplicates", sent*dupes, sent*dupes2)

	// Requests: the attempts of each event sent, and for a thin delivery
	// one fetch for the accepted attempt.
	r := requestLaw{mean: a.mean, square: a.square, delivered: a.delivered, cross: a.cross,
		inWindow: a.inWindow, deliveredInWindow: a.deliveredInWindow}
	if thin {
		// The fetch follows the delivering attempt at once.
		r.mean, r.square, r.cross = r.mean+a.delivered, r.square+2*a.cross+a.delivered, r.cross+a.delivered
		// The attempt brings the event's ID and the fetch the event:
		// neither is wasted.
		r.inWindow += a.deliveredInWindow
		r.deliveredInWindow *= 2
	}
	b.requestFigures(w, r.times(sent))
	if p == 0 && w.batch == 1 && !thin && w.steady && w.process == "poisson" {
		b.pushFreshness(w.arrivals.thin(sent), latency)
	} else {
		b.none("freshness: closed form for push of a steady Poisson process without failures, batches or fetches only")
	}
}

// push is what the sender's attempts cost and deliver for one event under
// independent failures, and the law of the delivered events' latency; false
// when no closed form applies, as recorded.
func (b *builder) push(w world, s sender, fail, errs, ackLate float64) (attemptLaw, law, bool) {
	k := s.attempts
	p := 1 - (1-fail)*(1-errs) // the event is not taken
	// retried is the chance an attempt fails in a way the sender retries.
	retried := p
	if s.plan.ConnectionOnly {
		retried = fail // a 500 is not a failed connection
	}
	if ackLate > 0 && (p > 0 || s.plan.ConnectionOnly) {
		b.none("acknowledgement after processing together with other failures: no closed form here")
		return attemptLaw{}, law{}, false
	}
	roundTrip := w.network.plus(w.network)
	if roundTrip.cdf(s.timeout) < 1-negligible && p > 0 {
		b.none("a failed attempt's round trip may reach the timeout of %s", scenario.Duration(s.plan.Timeout).Short())
		return attemptLaw{}, law{}, false
	}
	if b.disables(func(policy *scenario.Disable) string { return b.disablesOnFailures(policy, p, k) }) {
		return attemptLaw{}, law{}, false
	}

	// An attempt goes on to the next with chance cont: a retried failure,
	// or an accepted attempt acknowledged too late.
	cont := retried
	if ackLate > 0 {
		cont = ackLate
	}
	if ackLate > 0 && b.cl.Webhook.Dedupe != nil {
		// The retry of a late acknowledgement is recognised, acknowledged
		// at once, and ends the chain: if the event is still remembered.
		_, netHi := w.network.bounds()
		_, delayHi := s.retryDelay(1, true).bounds()
		if b.cl.Webhook.Dedupe.TTL.D().Seconds() <= s.timeout+delayHi+2*netHi {
			b.none("deduplication forgetting an event before its retry arrives: no closed form here")
			return attemptLaw{}, law{}, false
		}
		k = min(k, 2)
		b.uses("deduplication: the first retry is recognised and acknowledged at once")
	}
	var a attemptLaw
	for i := 1; i <= k; i++ {
		reach := math.Pow(cont, float64(i-1)) // P(attempt i is made)
		stop := reach * (1 - cont)
		if i == k {
			stop = reach
		}
		a.mean += stop * float64(i)
		a.square += stop * float64(i*i)
		if ackLate > 0 {
			continue // every attempt is accepted; the first delivers
		}
		d := reach * (1 - p)
		a.deliver = append(a.deliver, d)
		a.delivered += d
		a.cross += d * float64(i)
	}
	if ackLate > 0 {
		a.deliver, a.delivered, a.cross = []float64{1}, 1, a.mean
	}
	switch {
	case ackLate > 0:
		b.uses("acknowledgement after processing: duplicates E[processed] − (1 − p^k)")
	case p == 0:
		b.uses("webhooks without failures: latency = one network leg")
	default:
		b.uses("independent failures p: loss p^k, attempts (1 − p^k)/(1 − p)")
	}
	// Each attempt's offset from the event's creation: after a failure the
	// sender learns of it a round trip later, after a late acknowledgement
	// at the timeout, then waits the retry delay.
	offsets := []law{pointMass(0)}
	for i := 1; i < k; i++ {
		learn, late := roundTrip, false
		if ackLate > 0 {
			learn, late = pointMass(s.timeout), true
		}
		offsets = append(offsets, sumOf(offsets[i-1], learn, s.retryDelay(i, late)))
	}
	// Only requests sent before the end of the duration count: attempt i
	// of an event created at t uniform in the run does when t + T_i < W.
	dur := b.duration()
	for i, t := range offsets {
		counted := max(1-(t.excess(0)-t.excess(dur))/dur, 0) // E[(W − T_i)⁺]/W
		a.inWindow += math.Pow(cont, float64(i)) * counted
		if i < len(a.deliver) {
			a.deliveredInWindow += a.deliver[i] * counted
		}
	}
	if a.delivered == 0 {
		return a, pointMass(0), true // nothing delivered: no latency to speak of
	}
	// Latency: the delivering attempt's offset plus its way there.
	weights := make([]float64, len(a.deliver))
	for i, d := range a.deliver {
		weights[i] = d / a.delivered
	}
	return a, mix(weights, offsets[:len(a.deliver)]).plus(w.network), true
}

// outOfOrder predicts the out-of-order deliveries of events that reach the
// client after independent delays of law l: an event is out of order when
// a later one of its resource, created s after it, arrives first. Later
// events of a resource form a Poisson process of rate λ/M, so the chance is
// 1 − e^(−(λ/M)·E[(W − W′)⁺]).
func (b *builder) outOfOrder(w world, l law) {
	if w.batch != 1 || w.process != "poisson" {
		b.none("out-of-order deliveries: closed form for Poisson events one at a time only")
		return
	}
	overtake := l.expect(func(x float64) float64 { return l.excess(x) }) // E[(W − W′)⁺]
	resources := float64(b.sc.Store.Resources)
	n := w.eventsWeighted(func(rate float64) float64 { return -math.Expm1(-rate / resources * overtake) })
	b.uses("out of order: 1 − e^(−λE[(W − W′)⁺]) for a resource's Poisson events")
	count := b.count()
	// A sum of nearly independent rare indicators: Poisson-like.
	b.add("out_of_order", count*n, countOf(count*n, count*count*n))
}

// attemptLaw is what one event costs and gets from the sender.
type attemptLaw struct {
	mean, square float64   // E[A], E[A²]: attempts made
	deliver      []float64 // P(attempt i delivers the event)
	delivered    float64   // P(delivered)
	cross        float64   // E[A·1{delivered}]

	// Of an event created at a uniform instant of the run: the attempts
	// sent before the end of the duration, which requests count, and the
	// chance the delivering attempt is one of them.
	inWindow, deliveredInWindow float64
}

// requestLaw is what one event costs in requests and gets delivered: the
// figures requestFigures needs.
type requestLaw struct {
	mean, square float64 // E[X], E[X²] of the requests X an event makes
	delivered    float64 // P(delivered), by the end of the run
	cross        float64 // E[X·1{delivered}]
	// Of an event created at a uniform instant: its requests sent before
	// the end of the duration, and the chance its delivering request is.
	inWindow, deliveredInWindow float64
}

// countFigure predicts a count summed over the events of the run and the
// client's subscribers, each event adding a draw of mean m and mean square
// m2: a compound Poisson count, of variance λW·E[X²] per subscriber.
func (b *builder) countFigure(metric string, m, m2 float64) {
	count := b.count()
	n := b.w.rate * b.duration()
	b.add(metric, count*n*m, countOf(count*n*m, count*count*n*m2))
}

// times scales r for events of which only a share is sent at all.
func (r requestLaw) times(sent float64) requestLaw {
	r.mean *= sent
	r.square *= sent
	r.delivered *= sent
	r.cross *= sent
	r.inWindow *= sent
	r.deliveredInWindow *= sent
	return r
}

// requestFigures predicts requests per second, per delivered event and the
// wasted share from what one event costs. Requests count in the duration
// only, deliveries until the end of the drain.
func (b *builder) requestFigures(w world, r requestLaw) {
	count, dur := b.count(), b.duration()
	perS := count * w.rate * r.inWindow
	// The window's share scales the spread of the whole count.
	scale := 1.0
	if r.mean > 0 {
		scale = r.inWindow / r.mean
	}
	// Per event: Var(X) plus, for a Poisson count of batches, the count's
	// own spread, E[X]²·E[B²]/E[B].
	countVar := r.mean * r.mean * w.batch2 / w.batch
	if w.process != "poisson" {
		countVar = 0
	}
	varX := r.square - r.mean*r.mean
	b.add("requests_per_s", perS, func(s Sizes) float64 {
		return sigmas * scale * count * math.Sqrt(s.Events*(varX+countVar)) / dur
	})
	if r.delivered <= 0 {
		return
	}
	ratio := r.inWindow / r.delivered
	// A ratio of sums over independent events: Var(X − ρY)/(n·E[Y]²).
	rho := r.mean / r.delivered
	se := func(s Sizes) float64 {
		v := r.square - 2*rho*r.cross + rho*rho*r.delivered
		return scale * math.Sqrt(max(v, 0)/max(s.Events, 1)) / r.delivered
	}
	b.add("requests_per_delivered_event", ratio, func(s Sizes) float64 { return sigmas * se(s) })
	if r.inWindow > 0 {
		// The requests that gave no new event.
		wasted := 1 - r.deliveredInWindow/r.inWindow
		b.add("wasted_fraction", wasted, func(s Sizes) float64 { return sigmas * se(s) / (ratio * ratio) })
	}
}

// disables reports whether the endpoint's disable policy may trigger, as
// reason says, and if so records that no closed form applies.
func (b *builder) disables(reason func(*scenario.Disable) string) bool {
	policy := b.sc.Store.Webhooks.Plan().Disable
	if policy == nil {
		return false
	}
	if why := reason(policy); why != "" {
		b.none("the sender may disable the endpoint (%s): what follows has no closed form", why)
		return true
	}
	return false
}

// disablesOnFailures says why independent failures with probability p may
// trigger policy over the run, or "" when the chance is negligible.
func (b *builder) disablesOnFailures(policy *scenario.Disable, p float64, k int) string {
	if p == 0 {
		return ""
	}
	events := b.w.rate * b.duration()
	if policy.OnExhausted && events*math.Pow(p, float64(k)) > negligible {
		return "an event may exhaust its retries"
	}
	if policy.Consecutive > 0 && events*float64(k)*math.Pow(p, float64(policy.Consecutive)) > negligible {
		return fmt.Sprintf("%d failures in a row", policy.Consecutive)
	}
	if policy.AfterFailing > 0 {
		// Failing without a success for the whole span: every attempt in
		// it fails, and there are at least λ·span of them.
		span := policy.AfterFailing.D().Seconds()
		if b.duration()/span*math.Pow(p, max(b.w.rate*span, 1)) > negligible {
			return "failures for " + policy.AfterFailing.D().String()
		}
	}
	if policy.FailureRate != nil && p > policy.FailureRate.Above/2 {
		return "the failure rate"
	}
	return ""
}
