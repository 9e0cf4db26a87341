package model

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
)

// A wrong expectation is caught: the mean latency of a fixed poller with T
// in place of T/2, and the loss of a webhook receiver under independent
// failures with p^(k−1) in place of p^k, are flagged, and nothing else is;
// the right ones flag nothing. Each wrong value lies many tolerances from
// the right one, so that catching it owes nothing to chance.
func TestCheckCatchesAPerturbedExpectation(t *testing.T) {
	t.Parallel()
	const (
		interval = 10.0 // T, seconds
		p        = 0.4  // per-attempt failure probability
		margin   = 5.0  // tolerances between a wrong value and the right one
	)
	// Slack's sender makes k = 3 attempts, and disables an endpoint only
	// above 95 % failures.
	sc := parseScenario(t, `
duration: 50000s
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  api: {latency: 20ms}
  webhooks: {retry: {preset: slack}, failures: 0.4}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: hook, webhook: {}}
`)
	k := sc.Store.Webhooks.Plan().Attempts()
	require.Equal(t, 3, k)
	res, err := des.Run(context.Background(), sc, des.Options{})
	require.NoError(t, err)

	preds := Predict(sc)
	require.Len(t, preds, 2)
	require.Equal(t, "poll", preds[0].Client)
	require.Equal(t, "hook", preds[1].Client)
	assert.Empty(t, checkAgainst(preds, res), "checkAgainst(Predict(sc), res)")
	tolerance := func(client, metric string) float64 {
		c := res.Client(client)
		require.NotNil(t, c, "no client %s", client)
		e, ok := c.Model.Expected[metric]
		require.True(t, ok, "%s: no %s predicted", client, metric)
		require.NotNil(t, e.Measured, "%s: %s not measured", client, metric)
		return e.Tolerance
	}
	meanTolerance := tolerance("poll", "mean_latency_s")
	droppedTolerance := tolerance("hook", "dropped_rate")

	perturbed := slices.Clone(preds)
	for i := range perturbed {
		perturbed[i].Figures = slices.Clone(preds[i].Figures)
	}
	mean := figureOf(t, perturbed[0], "mean_latency_s")
	b := mean.Value - interval/2 // what the prediction adds to T/2
	assert.InDelta(t, 0.030, b, 1e-9, "b: the service time and one network leg")
	right := mean.Value
	mean.Value = interval + b
	assert.GreaterOrEqual(t, math.Abs(mean.Value-right), margin*meanTolerance,
		"mean latency: T + b = %v against T/2 + b = %v ± %v", mean.Value, right, meanTolerance)

	dropped := figureOf(t, perturbed[1], "dropped_rate")
	assert.InDelta(t, math.Pow(p, float64(k)), dropped.Value, 1e-12, "p^k")
	right = dropped.Value
	dropped.Value = math.Pow(p, float64(k-1))
	assert.GreaterOrEqual(t, math.Abs(dropped.Value-right), margin*droppedTolerance,
		"dropped rate: p^(k−1) = %v against p^k = %v ± %v", dropped.Value, right, droppedTolerance)

	t.Logf("mean latency: T/2 + b = %.4g, T + b = %.4g, %.1f tolerances apart; dropped rate: p^k = %.4g, p^(k−1) = %.4g, %.1f tolerances apart",
		mean.Value-interval/2, mean.Value, interval/2/meanTolerance, right, dropped.Value, (dropped.Value-right)/droppedTolerance)

	assert.Equal(t, []string{"poll: mean_latency_s", "hook: dropped_rate"}, checkAgainst(perturbed, res),
		"checkAgainst(perturbed, res)")
	assert.Empty(t, checkAgainst(Predict(sc), res), "checkAgainst(Predict(sc), res) after the perturbed check")
}

// figureOf returns p's figure for metric, to be changed in place.
func figureOf(t *testing.T, p Prediction, metric string) *Figure {
	t.Helper()
	i := slices.IndexFunc(p.Figures, func(f Figure) bool { return f.Metric == metric })
	require.GreaterOrEqual(t, i, 0, "%s predicts no %s; no closed form: %s", p.Client, metric, p.Missing)
	return &p.Figures[i]
}
