package model

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// The figures each kind of client is predicted, by name.
var (
	latencyMetrics = []string{"mean_latency_s", "p50_latency_s", "p90_latency_s", "p99_latency_s"}
	pollCost       = []string{"empty_poll_fraction", "wasted_fraction", "requests_per_s", "requests_per_delivered_event"}
	pushCost       = []string{"requests_per_s", "requests_per_delivered_event", "wasted_fraction"}
	noLoss         = []string{"dropped_rate", "duplicates", "out_of_order"}
	losses         = []string{"dropped_rate", "duplicates"}
	viewFigures    = []string{"fresh_fraction", "mean_age_s", "mean_unseen"}

	// pollerFigures are those of a fixed or adaptive poller of one feed
	// of steady Poisson events.
	pollerFigures = figures(latencyMetrics, pollCost, noLoss, viewFigures)
	// blindPollerFigures are those of a poller whose view has no closed
	// form: per-resource feeds, evenly spaced events, long polling.
	blindPollerFigures = figures(latencyMetrics, pollCost, noLoss)
	// pushedFigures are those of a webhook receiver whose every attempt
	// is accepted.
	pushedFigures = figures(latencyMetrics, pushCost, noLoss, viewFigures)
	// retriedFigures are those of a receiver whose attempts fail
	// independently or that is down for a while: no closed form for
	// order or freshness.
	retriedFigures = figures(latencyMetrics, pushCost, losses)
	// lateFigures are those of a receiver that acknowledges after
	// processing, too late for the sender's timeout: every attempt is
	// accepted, so its view is known.
	lateFigures = figures(latencyMetrics, pushCost, losses, viewFigures)
)

// figures is the sorted union of sets of metric names.
func figures(sets ...[]string) []string {
	out := slices.Concat(sets...)
	slices.Sort(out)
	return out
}

// gridPoint is a scenario of one client, named c, whose every predicted
// figure a run must reproduce within its tolerance.
type gridPoint struct {
	name string
	src  string   // the scenario
	want []string // the figures it must predict, sorted

	// about names the figures the point exists to test: its run must be
	// long enough to measure each of them to within sharpness.
	about []string
}

// sharpness is the one rule every point's run is sized by: each figure it
// is about has a tolerance (sigmas standard errors, from the model's own
// variance at the run's sample sizes) of at most this share of its value,
// so that a model that far off fails the point. It asks for no number of
// events held: every point predicts the dropped rate, so a run that holds
// fewer events than the model expects fails Check.
const sharpness = 0.10

// meanLatency is what most pollers are about.
var meanLatency = []string{"mean_latency_s"}

// grid spans λT from 0.001 to 50 for fixed polling, adaptive backoff, long
// polling, and webhooks with independent failures, silent loss, late
// acknowledgements and outages shorter and longer than the retry schedule.
var grid = []gridPoint{
	// Fixed polling, λT = x from 0.001 to 50. Evenly spaced events come
	// 1/√2 s apart, a spacing no interval here is commensurate with.
	{
		name: "fixed x=0.001 constant b",
		src: `
duration: 100000s
drain: 1m
network: {latency: 5ms}
store:
  arrivals: {process: poisson, rate: 0.01/s}
  api: {latency: 10ms}
clients:
  - {name: c, poll: {interval: 100ms}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=0.01 lognormal network",
		src: `
duration: 30000s
drain: 1m
network: {latency: {median: 2ms, p99: 10ms}}
store:
  arrivals: {process: poisson, rate: 0.1/s}
  api: {latency: 10ms}
clients:
  - {name: c, poll: {interval: 100ms}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=0.05",
		src: `
duration: 100000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  api: {latency: 30ms}
clients:
  - {name: c, poll: {interval: 1s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=0.1 jitter",
		src: `
duration: 50000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.1/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 1s, jitter: 400ms}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=0.3 delay loop lognormal b",
		src: `
duration: 50000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 0.1/s}
clients:
  - {name: c, poll: {interval: 3s, loop: delay}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=0.5 exponential service",
		src: `
duration: 100000s
drain: 1m
network: {latency: 15ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  api: {latency: {mean: 50ms}}
clients:
  - {name: c, poll: {interval: 10s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=1 per-resource feeds",
		src: `
duration: 20000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.4/s}
  resources: 4
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 10s, per_resource: true}}
`,
		want: blindPollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=1 uniform network",
		src: `
duration: 50000s
drain: 1m
network: {latency: {min: 5ms, max: 25ms}}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 5s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=2.47 evenly spaced",
		src: `
duration: 10000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: constant, rate: 0.7071067811865476/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 3.5s}}
`,
		want: blindPollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=2.47 evenly spaced jitter",
		src: `
duration: 10000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: constant, rate: 0.7071067811865476/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 3.5s, jitter: 1s}}
`,
		want: blindPollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=2 three subscribers",
		src: `
duration: 30000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  api: {latency: 20ms}
clients:
  - {name: c, count: 3, poll: {interval: 10s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=5 lognormal service",
		src: `
duration: 20000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  api: {latency: {median: 100ms, p99: 1s}}
clients:
  - {name: c, poll: {interval: 10s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=10 jitter",
		src: `
duration: 10000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 1/s}
clients:
  - {name: c, poll: {interval: 10s, jitter: 3s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=20",
		src: `
duration: 5000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 2/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 10s}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "fixed x=50",
		src: `
duration: 2000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 5/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 10s}}
`,
		want: pollerFigures, about: meanLatency,
	},

	// Exponential backoff.
	{
		name: "adaptive MODELS.md example",
		src: `
duration: 1500000s
drain: 10m
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {latency: 40ms}
clients:
  - {name: c, poll: {adaptive: {min: 1s, max: 300s, factor: 2}}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "adaptive fast",
		src: `
duration: 60000s
drain: 1m
network: {latency: 5ms}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {adaptive: {min: 500ms, max: 10s, factor: 1.5}}}
`,
		want: pollerFigures, about: meanLatency,
	},
	{
		name: "adaptive slow",
		src: `
duration: 500000s
drain: 10m
network: {latency: 5ms}
store:
  arrivals: {process: poisson, rate: 0.01/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {adaptive: {min: 2s, max: 60s, factor: 3}}}
`,
		want: pollerFigures, about: meanLatency,
	},

	// Long polling.
	{
		name: "long poll rare events",
		src: `
duration: 100000s
drain: 1m
network: {latency: 20ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  api: {latency: 40ms}
clients:
  - {name: c, poll: {long: {hold: 30s}}}
`,
		want: blindPollerFigures, about: meanLatency,
	},
	{
		name: "long poll frequent events",
		src: `
duration: 12500s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 2/s}
clients:
  - {name: c, poll: {long: {hold: 5s}}}
`,
		want: blindPollerFigures, about: meanLatency,
	},

	// Webhooks: no failures, silent loss, independent failures p of
	// several presets, the receiver's errors, late acknowledgements.
	{
		name: "push no failures",
		src: `
duration: 4000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 5/s}
  resources: 5
clients:
  - {name: c, webhook: {}}
`,
		want: pushedFigures, about: meanLatency,
	},
	{
		name: "push silent loss q=0.1",
		src: `
duration: 4000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 5/s}
  resources: 5
  webhooks: {silent_loss: 0.1}
clients:
  - {name: c, webhook: {}}
`,
		want: pushedFigures, about: []string{"mean_latency_s", "dropped_rate"},
	},
	{
		name: "svix p=0.1",
		src: `
duration: 20000s
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: svix}, failures: 0.1}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"requests_per_delivered_event"},
	},
	{
		name: "svix p=0.9",
		src: `
duration: 600h
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.01/s}
  webhooks: {retry: {preset: svix}, failures: 0.9}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		// Most retries fall after the duration, where requests are no
		// longer counted.
		name: "svix p=0.9 retrying past the duration",
		src: `
duration: 30000s
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 1/s}
  webhooks: {retry: {preset: svix}, failures: 0.9}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		name: "outpost p=0.9",
		src: `
duration: 500h
drain: 9h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.02/s}
  webhooks: {retry: {preset: outpost}, failures: 0.9}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		// Shopify's own policy disables the endpoint once an event
		// exhausts its retries; this sender never does.
		name: "shopify p=0.9 never disabled",
		src: `
duration: 400h
drain: 5h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.025/s}
  webhooks: {retry: {preset: shopify}, failures: 0.9, disable: {consecutive: 1000000}}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		// Twilio retries once, at once, and only a failed connection.
		name: "twilio p=0.5",
		src: `
duration: 20000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: twilio}, failures: 0.5}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		// The median sits on the jump from the first attempt to the
		// second (P = 0.5005): see the discrepancy svix p=0.5.
		name: "outpost p=0.5",
		src: `
duration: 600h
drain: 9h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: outpost}, failures: 0.5}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		name: "outpost receiver errors 0.3",
		src: `
duration: 20000s
drain: 9h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: outpost}}
clients:
  - {name: c, webhook: {errors: 0.3}}
`,
		want: retriedFigures, about: []string{"requests_per_delivered_event"},
	},
	{
		name: "svix failures 0.2 and errors 0.2",
		src: `
duration: 100h
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: svix}, failures: 0.2}
clients:
  - {name: c, webhook: {errors: 0.2}}
`,
		want: retriedFigures, about: []string{"requests_per_delivered_event"},
	},
	{
		name: "svix failures 0.5 and errors 0.2",
		src: `
duration: 400h
drain: 28h
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 0.1/s}
  webhooks: {retry: {preset: svix}, failures: 0.5}
clients:
  - {name: c, webhook: {errors: 0.2}}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		name: "svix silent loss 0.2 and failures 0.3",
		src: `
duration: 100h
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: svix}, failures: 0.3, silent_loss: 0.2}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"dropped_rate", "requests_per_delivered_event"},
	},
	{
		// Processing takes 30 s on average against a 15 s timeout:
		// three attempts in five are acknowledged late, and retried.
		name: "svix ack after slow processing",
		src: `
duration: 600h
drain: 28h
network: {latency: {median: 10ms, p99: 40ms}}
store:
  arrivals: {process: poisson, rate: 0.005/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {processing: {mode: sync, time: {mean: 30s}}}}
`,
		want: lateFigures, about: []string{"duplicates", "requests_per_delivered_event"},
	},
	{
		name: "svix ack after slow processing dedupe",
		src: `
duration: 20000s
drain: 1h
network: {latency: {median: 10ms, p99: 40ms}}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {processing: {mode: sync, time: {mean: 30s}}, dedupe: {ttl: 1h}}}
`,
		want: lateFigures, about: []string{"duplicates", "requests_per_delivered_event"},
	},

	// Webhooks through the receiver's outages, shorter and longer than
	// the retry schedule (the last attempt is 27h35m5s after the first
	// for svix, 8h31m30s for outpost, 4h for shopify).
	{
		name: "svix refuse 1h",
		src: `
duration: 32h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 1/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {}, outages: [{at: 2h, for: 1h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		// The outage's later retries fall after the duration.
		name: "svix refuse 1h near the end",
		src: `
duration: 12h
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 1/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {}, outages: [{at: 10h, for: 1h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		name: "svix refuse 48h",
		src: `
duration: 100h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {}, outages: [{at: 10h, for: 48h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		name: "svix hang 30h",
		src: `
duration: 100h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.25/s}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: c, webhook: {}, outages: [{at: 20h, for: 30h, mode: hang}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		name: "shopify refuse 2h",
		src: `
duration: 20h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: shopify}}
clients:
  - {name: c, webhook: {}, outages: [{at: 5h, for: 2h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		name: "shopify hang 3h",
		src: `
duration: 20h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: shopify}}
clients:
  - {name: c, webhook: {}, outages: [{at: 5h, for: 3h, mode: hang}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		// Shopify's own policy would disable the endpoint once an event
		// exhausts its retries; this sender never does.
		name: "shopify refuse 6h never disabled",
		src: `
duration: 20h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
  webhooks: {retry: {preset: shopify}, disable: {consecutive: 1000000}}
clients:
  - {name: c, webhook: {}, outages: [{at: 5h, for: 6h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},
	{
		name: "outpost refuse 4h",
		src: `
duration: 30h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  webhooks: {retry: {preset: outpost}}
clients:
  - {name: c, webhook: {}, outages: [{at: 5h, for: 4h}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "requests_per_delivered_event"},
	},
	{
		name: "outpost hang 12h",
		src: `
duration: 30h
drain: 1h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.2/s}
  webhooks: {retry: {preset: outpost}}
clients:
  - {name: c, webhook: {}, outages: [{at: 5h, for: 12h, mode: hang}]}
`,
		want: retriedFigures, about: []string{"mean_latency_s", "dropped_rate", "requests_per_delivered_event"},
	},

	// Points that once showed the model wrong, kept so it stays right:
	// evenly spaced events counted only to within one, a lattice of one
	// point, a ticker overtaking itself, a percentile on a jump between
	// attempts, a latency with no spread, and thin deliveries' waste.
	{
		name: "fixed x=0.71 evenly spaced",
		src: `
duration: 10000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: constant, rate: 0.7071067811865476/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 1s}}
`,
		want: blindPollerFigures, about: meanLatency,
	},
	{
		name: "fixed evenly spaced, spacing four intervals",
		src: `
duration: 20000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: constant, rate: 0.1/s}
  api: {latency: 20ms}
clients:
  - {name: c, poll: {interval: 2.5s}}
`,
		// Every event waits the same time, set by the phase: the latency
		// can only be bounded, the share of empty polls is exact.
		want: blindPollerFigures, about: []string{"empty_poll_fraction"},
	},
	{
		name: "fixed x=50 slow service",
		src: `
duration: 300000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 5/s}
  api: {latency: {mean: 4s}, page_size: 1000}
clients:
  - {name: c, poll: {interval: 10s}}
`,
		// The ticker's next poll often leaves before the response:
		// what polls find has no closed form, their duplicates have.
		want:  []string{"dropped_rate", "duplicates", "out_of_order", "requests_per_delivered_event", "requests_per_s"},
		about: []string{"duplicates", "requests_per_s"},
	},
	{
		name: "svix p=0.5",
		src: `
duration: 200h
drain: 28h
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.05/s}
  webhooks: {retry: {preset: svix}, failures: 0.5}
clients:
  - {name: c, webhook: {}}
`,
		want: retriedFigures, about: []string{"requests_per_delivered_event"},
	},
	{
		name: "push constant network",
		src: `
duration: 20000s
drain: 1m
network: {latency: 10ms}
store:
  arrivals: {process: poisson, rate: 0.5/s}
clients:
  - {name: c, webhook: {}}
`,
		want: pushedFigures, about: []string{"requests_per_delivered_event"},
	},
	{
		name: "push thin deliveries",
		src: `
duration: 4000s
drain: 1m
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 5/s}
  resources: 5
  api: {latency: 30ms}
clients:
  - {name: c, webhook: {thin: true}}
`,
		want: figures(latencyMetrics, pushCost, noLoss), about: meanLatency,
	},
}

func TestGrid(t *testing.T) {
	t.Parallel()
	for _, pt := range grid {
		t.Run(pt.name, func(t *testing.T) {
			t.Parallel()
			sc, err := scenario.Parse("grid.yaml", []byte(pt.src))
			require.NoError(t, err)
			preds := Predict(sc)
			require.Len(t, preds, 1)
			var got []string
			for _, f := range preds[0].Figures {
				got = append(got, f.Metric)
			}
			slices.Sort(got)
			require.Equal(t, pt.want, got, "Predict(%s) figures; no closed form: %s", pt.name, preds[0].Missing)

			res, err := des.Run(context.Background(), sc, des.Options{})
			require.NoError(t, err)
			outside := checkAgainst(preds, res) // Check(sc, res), predicting once
			c := &res.Clients[0]
			logDeviations(t, c)
			assert.Empty(t, outside, "Check(%s): figures outside their tolerance", pt.name)
			for _, metric := range pt.want {
				assert.NotNil(t, c.Model.Expected[metric].Measured, "%s predicted but not measured", metric)
			}

			require.NotEmpty(t, pt.about, "every point names the figures it is about")
			require.Contains(t, pt.want, "dropped_rate", "the dropped rate stands in for a floor on events held")
			for _, metric := range pt.about {
				e := c.Model.Expected[metric]
				assert.Positive(t, e.Value, "%s: a relative tolerance needs a value", metric)
				assert.LessOrEqual(t, e.Tolerance, sharpness*e.Value,
					"%s = %v ± %v: the run is too small to test it to %v of its value", metric, e.Value, e.Tolerance, sharpness)
			}
		})
	}
}

// logDeviations logs every figure's deviation in standard errors (a
// quarter of its tolerance), so that a failure reads at a glance.
func logDeviations(t *testing.T, c *metrics.ClientResults) {
	t.Helper()
	for _, metric := range metrics.MetricNames() {
		e, ok := c.Model.Expected[metric]
		if !ok || e.Measured == nil {
			continue
		}
		dev := 0.0
		if e.Tolerance > 0 {
			dev = (*e.Measured - e.Value) / (e.Tolerance / sigmas)
		}
		t.Logf("%-28s expected %-12.6g ± %-10.3g measured %-12.6g (%+.2fσ)", metric, e.Value, e.Tolerance, *e.Measured, dev)
	}
}
