package des

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped ecommerce-orders scenario against the closed forms of
// MODELS.md §1, with tolerances of four standard errors computed from the
// model's own variance (§7).
func TestEcommerceOrdersAgreesWithModel(t *testing.T) {
	t.Parallel()
	sc := shipped(t, "ecommerce-orders.yaml")
	res := run(t, sc)

	lambda := sc.Store.Arrivals.Rate.PerSecond()
	var interval float64
	for _, c := range sc.Clients {
		if c.Name == "poll-10s" {
			interval = c.Poll.Interval.D().Seconds()
		}
	}
	require.Equal(t, 10.0, interval)
	poll := row(t, res, "poll-10s")

	// Per-poll emptiness is i.i.d. Bernoulli(e^(−λT)) under Poisson arrivals.
	polls := float64(poll.Requests.ByKind["poll"])
	require.Greater(t, polls, 50_000.0)
	pEmpty := math.Exp(-lambda * interval)
	assert.InDelta(t, 0.8703, pEmpty, 5e-5, "the model's own value, REFERENCE.md §4")
	require.NotNil(t, poll.EmptyPollFraction)
	assert.InDelta(t, pEmpty, *poll.EmptyPollFraction, 4*math.Sqrt(pEmpty*(1-pEmpty)/polls),
		"empty-poll fraction = %v; want e^(−λT) = %v", *poll.EmptyPollFraction, pEmpty)

	// Latency W = U(0, T) + b, where b is the time from the store's snapshot
	// to the client holding the response: service time plus one network leg.
	service := sc.Store.API.Latency.Distribution()
	network := sc.Network.Latency.Distribution()
	b := service.Mean().Seconds() + network.Mean().Seconds()
	varW := interval*interval/12 + service.Variance() + network.Variance()
	n := float64(poll.Latency.Count)
	require.Greater(t, n, 8000.0)
	assert.InDelta(t, interval/2+b, poll.Latency.MeanS, 4*math.Sqrt(varW/n),
		"mean latency = %v s; want T/2 + b = %v s", poll.Latency.MeanS, interval/2+b)

	// 3600/T = 360 polls per simulated hour (± 1), and tighter: a ticker
	// started at a phase in [0, T) polls ⌊D/T⌋ or ⌈D/T⌉ times in a run of
	// D, one poll over the whole run at most.
	hours := sc.Duration.D().Hours()
	assert.InDelta(t, 3600/interval, polls/hours, 1, "360 polls per simulated hour (± 1)")
	assert.InDelta(t, 3600/interval, polls/hours, 1/hours, "one poll over the run at most, from the phase")
	assert.Zero(t, poll.Dropped.Total)
	assert.Zero(t, poll.InFlight)
	assert.Equal(t, res.Store.Emitted, poll.Delivered)

	// Webhooks: one attempt per event, none wasted, none lost.
	hook := row(t, res, "webhook")
	assert.Equal(t, res.Store.Emitted, hook.Requests.ByKind["webhook_attempt"])
	assert.Equal(t, res.Store.Emitted, hook.Requests.Total)
	assert.Equal(t, res.Store.Emitted, hook.Delivered)
	assert.Zero(t, hook.Wasted.Total)
	assert.Zero(t, hook.Dropped.Total)
	assert.Zero(t, hook.Duplicates)
	require.NotNil(t, hook.RequestsPerDelivered)
	assert.Equal(t, 1.0, *hook.RequestsPerDelivered)

	// And the emitted count is Poisson(λ·duration).
	mean := lambda * sc.Duration.D().Seconds()
	assert.InDelta(t, mean, float64(res.Store.Emitted), 4*math.Sqrt(mean))
}

// With constant service and network times, fixed polling with unlimited
// pages holds every event within T + b of its creation (MODELS.md §7).
func TestFixedPollingDelayIsAtMostIntervalPlusB(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 48h
network: {latency: 7ms}
store:
  arrivals: {process: poisson, rate: 600/h}
  api: {latency: 40ms}
clients:
  - {name: poll, poll: {interval: 10s}}
`)
	_, records := traced(t, sc)
	const bound = 10*1e9 + 47e6 // T + service + one network leg, in ns
	require.Greater(t, len(records["poll"]), 20_000)
	for _, r := range records["poll"] {
		require.GreaterOrEqual(t, r.At, r.Created)
		require.LessOrEqual(t, float64(r.At-r.Created), float64(bound), "event %d waited %v", r.Seq, r.At-r.Created)
	}
}
