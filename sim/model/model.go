// Package model computes what theory predicts for each client of a
// scenario, from the closed forms of MODELS.md, and checks a run's results
// against them: every predicted figure gets the measured value beside it,
// with the tolerance chance allows, and a verdict.
//
// A tolerance is four standard errors of the measurement, from the model's
// own variance at the run's sample sizes (MODELS.md §7), plus the 1 %
// resolution of the latency histogram for percentiles, plus any slack a
// model states for an effect it does not resolve (the lattice of evenly
// spaced events against a fixed interval). Where no closed form applies the
// prediction says so and predicts nothing: it never guesses.
//
// Like the rest of sim/ it does no I/O and reads no clock.
package model

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// sigmas is how many standard errors a measurement may stray by chance:
// at four, a figure falls outside less than once in 15,000 checks.
const sigmas = 4

// histogramError is the relative error of a percentile read from the
// latency histogram (DESIGN.md §4).
const histogramError = 0.01

// Prediction is what theory predicts for one client.
type Prediction struct {
	Client  string
	Basis   string   // the closed forms used, naming their section of MODELS.md
	Missing string   // what has no closed form for this client, and why; "" when nothing is missing
	Figures []Figure // in the order of metrics.Metrics

	sizes   Sizes // the sample sizes a run is expected to have
	latency *law  // the delivery latency's law, when predicted
}

// Figure is the predicted value of one metric and how far a measurement may
// stray from it by chance.
type Figure struct {
	Metric string // a metric name, as metrics.LookupMetric knows it
	Value  float64
	spread func(Sizes) float64 // the tolerance at the given sample sizes
}

// Tolerance is how far a measurement with the sample sizes s may differ
// from the value by chance.
func (f Figure) Tolerance(s Sizes) float64 { return f.spread(s) }

// Sizes are the sample sizes a tolerance depends on, per subscriber: the
// subscribers of a row share the store's events, so their figures are not
// independent, and a row is given no more weight than one of them.
type Sizes struct {
	Events    float64 // events the store created
	Delivered float64 // events one subscriber held
	Polls     float64 // polls (or long polls) one subscriber sent
	Samples   float64 // freshness samples of one subscriber's view
}

// Predict returns what theory predicts for every client of sc, in order.
func Predict(sc *scenario.Scenario) []Prediction {
	out := make([]Prediction, len(sc.Clients))
	w := newWorld(sc)
	for i, cl := range sc.Clients {
		out[i] = predict(sc, w, cl)
	}
	return out
}

// ExpectedSizes are the sample sizes the prediction expects a run of sc to
// have: for tolerances before anything is run.
func (p Prediction) ExpectedSizes() Sizes { return p.sizes }

// Check annotates every client of res with what theory predicts for it,
// beside what was measured, and returns the names of the figures measured
// outside their tolerance, as "client: metric".
func Check(sc *scenario.Scenario, res *metrics.Results) []string {
	return checkAgainst(Predict(sc), res)
}

// checkAgainst annotates res with the predictions preds, one per client in
// order.
//
// A live run's deliveries are also late by the wire: each by up to the
// speedup × (its client's longest lateness + longest exchange), in scenario
// seconds, which every latency's tolerance takes in; what else that
// lateness moves (wireMoved) is not checked.
func checkAgainst(preds []Prediction, res *metrics.Results) []string {
	var outside []string
	for i := range res.Clients {
		c := &res.Clients[i]
		if i >= len(preds) || preds[i].Client != c.Name {
			continue
		}
		p := preds[i]
		m := &metrics.Model{Basis: p.Basis, Missing: p.Missing, Expected: map[string]metrics.Expected{}}
		if res.Run.Interrupted {
			m.Expected = nil
			m.Missing = "the run was interrupted: it is not the whole run the models describe"
			c.Model = m
			continue
		}
		wire, live := wireDelay(res, c.Name)
		if live {
			m.Missing = joinMissing(m.Missing, "a live run: freshness, order and duplicates move with the wire's delay, which the models leave out")
		}
		sizes := measuredSizes(res, c)
		for _, f := range p.Figures {
			if live && wireMoved[f.Metric] {
				continue
			}
			e := metrics.Expected{Value: f.Value, Tolerance: f.Tolerance(sizes)}
			if live && latencyFigure[f.Metric] {
				e.Tolerance += wire
			}
			if math.IsNaN(e.Tolerance) || math.IsInf(e.Tolerance, 0) {
				continue // no finite tolerance at these sample sizes: nothing to check
			}
			if metric, ok := metrics.LookupMetric(f.Metric); ok {
				if v, ok := metric.Of(c); ok {
					e.Measured = &v
					// Rounding in the sums behind a figure is no disagreement.
					rounding := 1e-9 * max(math.Abs(v), math.Abs(f.Value))
					e.Within = math.Abs(v-f.Value) <= e.Tolerance+rounding
					if !e.Within {
						outside = append(outside, c.Name+": "+f.Metric)
					}
				}
			}
			m.Expected[f.Metric] = e
		}
		c.Model = m
	}
	return outside
}

// latencyFigure names the figures a live run's wire delays.
var latencyFigure = map[string]bool{"mean_latency_s": true, "p50_latency_s": true, "p90_latency_s": true, "p99_latency_s": true}

// wireMoved names the figures a live run's wire moves in ways the models
// leave out: a view's freshness, the order of deliveries, and the
// duplicates of polls that overlap when an exchange runs late.
var wireMoved = map[string]bool{"fresh_fraction": true, "mean_age_s": true, "mean_unseen": true, "out_of_order": true, "duplicates": true}

// wireDelay is how late the wire may make a live run's delivery to client,
// in scenario seconds, and false for a run that was not live.
func wireDelay(res *metrics.Results, client string) (float64, bool) {
	if res.HTTP == nil {
		return 0, false
	}
	for _, h := range res.HTTP.Clients {
		if h.Name == client {
			return res.HTTP.Speedup * h.Behind.MaxS, true
		}
	}
	return 0, true
}

func joinMissing(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func measuredSizes(res *metrics.Results, c *metrics.ClientResults) Sizes {
	n := float64(max(c.Count, 1))
	return Sizes{
		Events:    float64(res.Store.Emitted),
		Delivered: float64(c.Delivered) / n,
		Polls:     float64(c.Requests.ByKind["poll"]+c.Requests.ByKind["long_poll"]) / n,
		Samples:   float64(c.Freshness.Samples) / n,
	}
}

// builder assembles one client's prediction.
type builder struct {
	sc      *scenario.Scenario
	w       world // what every client shares
	cl      scenario.Client
	basis   []string
	missing []string
	figures []Figure
	polls   float64 // the polls a subscriber is expected to send
	latency *law    // the delivery latency's law, when predicted
}

func predict(sc *scenario.Scenario, w world, cl scenario.Client) Prediction {
	b := &builder{sc: sc, w: w, cl: cl}
	switch {
	case cl.Poll != nil:
		b.polling(*cl.Poll)
	case cl.Webhook != nil:
		b.webhooks(*cl.Webhook)
	}
	order := metrics.MetricNames()
	slices.SortStableFunc(b.figures, func(x, y Figure) int {
		return slices.Index(order, x.Metric) - slices.Index(order, y.Metric)
	})
	events := w.rate * sc.Duration.D().Seconds()
	return Prediction{
		sizes:   Sizes{Events: events, Delivered: events, Polls: b.polls, Samples: metrics.FreshnessSamples},
		latency: b.latency,
		Client:  cl.Name,
		Basis:   strings.Join(b.basis, "; "),
		Missing: strings.Join(b.missing, "; "),
		Figures: b.figures,
	}
}

// uses records a closed form the prediction rests on.
func (b *builder) uses(format string, args ...any) {
	b.basis = append(b.basis, fmt.Sprintf(format, args...))
}

// none records what has no closed form, and why.
func (b *builder) none(format string, args ...any) {
	b.missing = append(b.missing, fmt.Sprintf(format, args...))
}

// add predicts metric's value, with the tolerance spread gives.
func (b *builder) add(metric string, value float64, spread func(Sizes) float64) {
	if _, ok := metrics.LookupMetric(metric); !ok {
		panic("model: no metric " + metric) // a typo in this package
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		b.none("%s: the closed form has no finite value here", metric)
		return
	}
	b.figures = append(b.figures, Figure{Metric: metric, Value: value, spread: spread})
}

// count is the number of subscribers of the client.
func (b *builder) count() float64 { return float64(max(b.cl.Count, 1)) }

// duration is the run's measurement window in seconds.
func (b *builder) duration() float64 { return b.sc.Duration.D().Seconds() }
