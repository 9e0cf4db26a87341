package model

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/scenario"
)

// A hybrid against a sender that loses 10 % of events silently: measured
// and expected agree on every figure predicted, which include the latency
// law, the cost of both paths and the duplicates each second path makes.
func TestHybridsAgreeWithTheModel(t *testing.T) {
	t.Parallel()
	for _, second := range []string{"reconcile: {every: 10m}", "sync: {every: 10m}"} {
		t.Run(second, func(t *testing.T) {
			t.Parallel()
			sc, err := scenario.Parse("hybrid.yaml", []byte(`
duration: 72h
drain: 1h
store:
  arrivals: {process: poisson, rate: 300/h}
  webhooks: {silent_loss: 0.1}
clients:
  - name: hybrid
    webhook: {}
    `+second+`
`))
			require.NoError(t, err)
			res, err := des.Run(context.Background(), sc, des.Options{})
			require.NoError(t, err)
			assert.Empty(t, Check(sc, res))
			m := res.Clients[0].Model
			require.NotNil(t, m)
			for _, metric := range []string{"mean_latency_s", "p50_latency_s", "p90_latency_s", "p99_latency_s", "dropped_rate", "duplicates", "requests_per_s", "requests_per_delivered_event"} {
				assert.Contains(t, m.Expected, metric)
			}
			// The tolerances are tight enough to mean something: the mean
			// latency, a mix of push's milliseconds and the 5 min wait
			// of the missed tenth, is known to within a fifth.
			mean := m.Expected["mean_latency_s"]
			assert.InDelta(t, 0.1*300, mean.Value, 0.1*300*0.05, "a tenth of events wait R/2 on average")
			assert.Less(t, mean.Tolerance, mean.Value/5)
			assert.Zero(t, m.Expected["dropped_rate"].Value)
		})
	}
}
