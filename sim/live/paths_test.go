package live

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paths no shipped scenario takes give, live in virtual time, exactly what
// the simulation gives too: a state sync after an outage longer than the
// retention, a crash that loses events the sender is still retrying, a
// reconciliation or a state sync that finds aged out events push still
// has on their way (retrying, or queued), and webhook attempts answered
// 500, 503, 429, left hanging or refused.
func TestVirtualTimeMatchesSimulationOnOtherPaths(t *testing.T) {
	t.Parallel()
	var crashes []string
	for m := 5; m < 120; m += 5 {
		crashes = append(crashes, fmt.Sprintf("{at: %dm, restart: 1s}", m))
	}
	for name, src := range map[string]string{
		"state-sync-retention": `
duration: 8h
drain: 1h
store:
  arrivals: {process: poisson, rate: 120/h}
  api: {retention: 1h}
  webhooks: {retry: {preset: github}}
clients:
  - {name: hybrid, webhook: {}, sync: {every: 30m}, outages: [{at: 2h, for: 3h}]}
`,
		"crash-while-retrying": `
duration: 2h
drain: 1h
network: {latency: 2s}
store:
  arrivals: {process: poisson, rate: 120/h}
  webhooks: {timeout: 3s, retry: {delays: [10s, 1m]}}
clients:
  - name: async
    webhook:
      processing: {mode: async, time: {mean: 2s}, workers: 1, queue: 1000}
      crashes: [` + strings.Join(crashes, ", ") + `]
`,
		"hybrid-retention-while-pushing": `
duration: 1h
drain: 1h
network: {latency: 50ms}
store:
  arrivals: {process: poisson, rate: 60/h}
  api: {retention: 2m}
  webhooks: {timeout: 3s, retry: {delays: [5m, 5m, 5m, 5m, 5m, 5m, 5m, 5m]}}
clients:
  - {name: reconcile, webhook: {}, reconcile: {every: 3m}, outages: [{at: 10m, for: 30m}]}
  - {name: sync, webhook: {}, sync: {every: 90s}, outages: [{at: 10m, for: 30m}]}
  - {name: gives-up, webhook: {}, reconcile: {every: 3m}, outages: [{at: 10m, for: 1h}]}
  - {name: queued, webhook: {processing: {mode: async, time: 40s, workers: 1, queue: 1000}}, reconcile: {every: 3m}}
`,
		"attempt-answers": `
duration: 1h
drain: 10m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 60/h}
  webhooks: {timeout: 1s, retry: {delays: [5s]}, failures: 0.2}
clients:
  - {name: accepted, webhook: {}}
  - {name: errors, webhook: {errors: 1}}
  - {name: full, webhook: {processing: {mode: async, time: 100h, queue: 1}}}
  - {name: full-429, webhook: {processing: {mode: async, time: 100h, queue: 1, overflow: 429}}}
  - {name: hangs, webhook: {}, outages: [{at: 0s, for: 2h, mode: hang}]}
  - {name: refuses, webhook: {}, outages: [{at: 0s, for: 2h, mode: refuse}]}
`,
		"attempts-outlive-timeouts": `
duration: 2h
drain: 10m
network: {latency: {median: 300ms, p99: 5s}}
store:
  arrivals: {process: poisson, rate: 120/h}
  webhooks: {timeout: 1s, retry: {delays: [2s, 30s]}}
clients:
  - {name: plain, webhook: {}}
  - {name: dedupe, webhook: {dedupe: {ttl: 1h}}}
  - {name: sync, webhook: {processing: {mode: sync, time: {mean: 300ms}}}}
  - {name: async, webhook: {processing: {mode: async, time: 200ms, workers: 1, queue: 10}, crashes: [{at: 1h, restart: 1m}]}}
  - {name: thin, webhook: {thin: true}}
  - {name: errors, webhook: {errors: 0.3}, outages: [{at: 30m, for: 10m, mode: hang}]}
`,
		"every-attempt-outlives-its-timeout": `
duration: 1h
drain: 10m
network: {latency: 2s}
store:
  arrivals: {process: poisson, rate: 60/h}
  webhooks: {timeout: 1s, retry: {delays: [5s]}}
clients:
  - {name: hook, webhook: {}}
`,
		"conditional-requests": `
duration: 2h
drain: 10m
network: {latency: {median: 200ms, p99: 3s}}
store:
  arrivals: {process: poisson, rate: 60/h}
  resources: 3
  api: {latency: 20ms, page_size: 2, rate_limit: {rate: 1/s, burst: 3, free_304: true}}
clients:
  - {name: fixed, count: 2, poll: {interval: 5s, conditional: true}}
  - {name: delay-loop, poll: {interval: 5s, loop: delay, conditional: true}}
  - {name: adaptive, poll: {adaptive: {min: 1s, max: 1m}, conditional: true}}
  - {name: per-resource, poll: {interval: 10s, per_resource: true, conditional: true}}
  - {name: long, poll: {long: {hold: 30s}, conditional: true}}
`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := parse(t, "name: "+name+"\nseed: 1\n"+src)
			want := simulate(t, sc)
			got := virtual(t, sc, Options{})
			assert.True(t, got.Run.InvariantOK)
			assert.Equal(t, want.Store, got.Store)
			require.Len(t, got.Clients, len(want.Clients))
			for i := range want.Clients {
				assert.Equal(t, want.Clients[i], got.Clients[i], "client %s", want.Clients[i].Name)
			}
			// The paths are taken.
			switch name {
			case "state-sync-retention":
				assert.Positive(t, got.Client("hybrid").Dropped.ByCause["retention_expired"])
			case "crash-while-retrying":
				assert.Positive(t, got.Client("async").Duplicates)
			case "hybrid-retention-while-pushing":
				for _, c := range []string{"reconcile", "sync", "queued"} {
					assert.Equal(t, got.Client(c).Emitted, got.Client(c).Delivered, "client %s", c)
				}
				assert.Positive(t, got.Client("gives-up").Dropped.ByCause["retention_expired"])
			case "attempts-outlive-timeouts":
				for _, c := range []string{"plain", "dedupe", "sync", "async", "thin", "errors"} {
					assert.Positive(t, got.Client(c).Wasted.ByReason["timed_out"], "client %s", c)
				}
			case "every-attempt-outlives-its-timeout":
				// The sender never hears back, yet every attempt arrives:
				// the event, then its retry as a duplicate.
				hook := got.Client("hook")
				assert.Equal(t, hook.Requests.Total, hook.Wasted.ByReason["timed_out"])
				assert.Equal(t, hook.Emitted, hook.Delivered)
				assert.Equal(t, hook.Emitted, hook.Duplicates)
				assert.Zero(t, hook.Dropped.Total)
			case "conditional-requests":
				for _, c := range []string{"fixed", "delay-loop", "adaptive", "per-resource"} {
					assert.Positive(t, got.Client(c).Wasted.ByReason["not_modified"], "client %s", c)
				}
			case "attempt-answers":
				for _, c := range []string{"errors", "full", "full-429", "hangs"} {
					assert.Positive(t, got.Client(c).Bytes.In, "client %s", c)
				}
				assert.Zero(t, got.Client("hangs").Bytes.Out)
				assert.Zero(t, got.Client("refuses").Bytes.In)
			}
		})
	}
}
