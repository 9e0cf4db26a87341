package model

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Every run is checked against the models, so the models must survive any
// valid scenario: no panic, no value that is not finite (results.json
// cannot hold one), and what they cannot predict said in words.
func TestOddScenariosGetFiniteOrNoPredictions(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"hardly any events": `
duration: 1s
store: {arrivals: {process: poisson, rate: 1/h}}
clients: [{name: poll, poll: {interval: 10s}}, {name: hook, webhook: {}}]`,
		"every attempt fails": `
duration: 2h
store: {arrivals: {process: poisson, rate: 60/h}, webhooks: {failures: 1, retry: {preset: github}}}
clients: [{name: hook, webhook: {}}]`,
		"every delivery errs": `
duration: 2h
store: {arrivals: {process: poisson, rate: 60/h}, webhooks: {retry: {delays: [1s, 2s]}}}
clients: [{name: hook, webhook: {errors: 1}}]`,
		"everything lost silently": `
duration: 2h
store: {arrivals: {process: poisson, rate: 60/h}, webhooks: {silent_loss: 1}}
clients: [{name: hook, webhook: {}}, {name: hybrid, webhook: {}, reconcile: {every: 10m}}]`,
		"an interval longer than the run": `
duration: 1h
store: {arrivals: {process: poisson, rate: 60/h}}
clients: [{name: poll, poll: {interval: 2h}}]`,
		"backoff with min equal to max": `
duration: 2h
store: {arrivals: {process: poisson, rate: 60/h}}
clients: [{name: adaptive, poll: {adaptive: {min: 30s, max: 30s}}}, {name: long, poll: {long: {hold: 1ms}}}]`,
		"a network slower than the interval": `
duration: 1h
network: {latency: {median: 1s, p99: 60s}}
store: {arrivals: {process: poisson, rate: 600/h}}
clients: [{name: poll, poll: {interval: 1s}}, {name: hook, webhook: {}}]`,
		"an outage for the whole run": `
duration: 2h
drain: 48h
store: {arrivals: {process: poisson, rate: 60/h}, webhooks: {retry: {delays: [1m]}}}
clients: [{name: hook, webhook: {}, outages: [{at: 0s, for: 2h}]}]`,
		"batches, many subscribers, many resources": `
duration: 2h
store:
  arrivals: {process: poisson, rate: 600/h, batch: {mean: 5}}
  resources: 1000
clients:
  - {name: many, count: 20, poll: {interval: 10s}}
  - {name: per-resource, poll: {interval: 10s, per_resource: true}}
  - {name: hook, webhook: {}}`,
		"evenly spaced events on the interval's lattice": `
duration: 2h
store: {arrivals: {process: constant, rate: 360/h}}
clients: [{name: poll, poll: {interval: 10s}}, {name: hook, webhook: {}}]`,
		"one attempt, zero processing time": `
duration: 2h
store: {arrivals: {process: poisson, rate: 60/h}, webhooks: {retry: {exponential: {initial: 1s, attempts: 1}}}}
clients: [{name: hook, webhook: {processing: {mode: sync, time: 0s}}}]`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, err := scenario.Parse("odd.yaml", []byte(src))
			require.NoError(t, err)
			for _, p := range Predict(sc) {
				sizes := p.ExpectedSizes()
				for _, f := range p.Figures {
					assert.False(t, math.IsNaN(f.Value) || math.IsInf(f.Value, 0), "%s %s = %v", p.Client, f.Metric, f.Value)
					tol := f.Tolerance(sizes)
					assert.False(t, math.IsNaN(tol) || tol < 0, "%s %s ± %v", p.Client, f.Metric, tol)
				}
				if len(p.Figures) == 0 {
					assert.NotEmpty(t, p.Missing, "%s: predicts nothing and says nothing", p.Client)
				}
			}
			res, err := des.Run(context.Background(), sc, des.Options{})
			require.NoError(t, err)
			Check(sc, res)
			_, err = json.Marshal(res)
			require.NoError(t, err, "results.json with the model beside it")
		})
	}
}
