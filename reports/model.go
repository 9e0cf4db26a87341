package reports

import (
	"math"

	"github.com/pushpull/pushpull/sim/metrics"
)

// This file holds the closed forms the sweep charts draw through their
// measured points: a fixed-interval poller's, from ../shared/MODELS.md §1.
// They stand in for the expectations of sim/model, which is to carry them
// into the results themselves; when it does, the charts take them from
// there and this file goes.

// fixedPoll is a poller that polls every T seconds at a random phase, with
// events arriving at rate λ, and b the mean time from the store's snapshot
// to the client holding the response. Pages, rate limits and outages are
// outside the model.
type fixedPoll struct {
	t, b, lambda float64
	poisson      bool // Poisson arrivals; otherwise evenly spaced
}

// pollModel returns the model of client name at a sweep point, or false
// when the client is not a fixed poller.
func pollModel(in metrics.ModelInputs, name string) (fixedPoll, bool) {
	for _, c := range in.Clients {
		if c.Name == name && c.PollIntervalS != nil && *c.PollIntervalS > 0 {
			return fixedPoll{t: *c.PollIntervalS, b: c.ResponseS, lambda: in.EventRatePerS, poisson: in.Arrivals == "poisson"}, true
		}
	}
	return fixedPoll{}, false
}

// with returns the model at another interval.
func (m fixedPoll) with(t float64) fixedPoll { m.t = t; return m }

// quantile is the p-quantile of latency (0 < p < 1): the delay to the next
// snapshot is uniform on [0, T), for any arrival process.
func (m fixedPoll) quantile(p float64) float64 { return p*m.t + m.b }

// mean is the mean latency, T/2 + b.
func (m fixedPoll) mean() float64 { return m.t/2 + m.b }

// requestsPerHour is 3600/T: one poll per interval, pages left out.
func (m fixedPoll) requestsPerHour() float64 { return 3600 / m.t }

// emptyFraction is the share of polls that find nothing new: e^(−λT) for
// Poisson arrivals, (1 − λT)⁺ for evenly spaced ones.
func (m fixedPoll) emptyFraction() float64 {
	x := m.lambda * m.t
	if m.poisson {
		return math.Exp(-x)
	}
	return math.Max(0, 1-x)
}

// requestsPerEvent is 1/(λT): polls per event delivered.
func (m fixedPoll) requestsPerEvent() float64 { return 1 / (m.lambda * m.t) }

// modelled returns the model's value of the named metric, and false when
// the model says nothing of it.
func (m fixedPoll) modelled(metric string) (float64, bool) {
	switch metric {
	case "mean_latency_s":
		return m.mean(), true
	case "p50_latency_s":
		return m.quantile(0.5), true
	case "p90_latency_s":
		return m.quantile(0.9), true
	case "p99_latency_s":
		return m.quantile(0.99), true
	case "p999_latency_s":
		return m.quantile(0.999), true
	case "requests_per_hour":
		return m.requestsPerHour(), true
	case "requests_per_s":
		return 1 / m.t, true
	case "empty_poll_fraction":
		return m.emptyFraction(), true
	case "requests_per_delivered_event":
		if m.lambda > 0 {
			return m.requestsPerEvent(), true
		}
	}
	return 0, false
}
