package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneMistake lists scenarios with exactly one mistake each, with where Parse
// must report it. FuzzParse starts from them too.
var oneMistake = []struct {
	name  string
	src   string
	line  int
	field string
	msg   string // a phrase of the message
}{
	{
		name: "unknown top-level key",
		src: `duration: 1h
colour: red
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 2, field: "colour", msg: `unknown field "colour"; valid fields here: name, description, seed, duration`,
	},
	{
		name: "near miss at top level",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
descripton: fifty an hour
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 4, field: "descripton", msg: `did you mean "description"?`,
	},
	{
		name: "near miss in a client",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, pagin: false}}
`,
		line: 5, field: "clients[0].poll.pagin", msg: `unknown field "pagin" (did you mean "paging"?); valid fields here: interval, adaptive, aimd, long, loop, jitter, phase, paging, conditional, per_resource, backoff`,
	},
	{
		name: "unknown key in the store's API",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api:
    page_sise: 10
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 5, field: "store.api.page_sise", msg: `did you mean "page_size"?`,
	},
	{
		name: "negative poll interval",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: -10s}}
`,
		line: 5, field: "clients[0].poll.interval", msg: "must be positive, got -10s",
	},
	{
		name: "zero poll interval",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 0s}}
`,
		line: 5, field: "clients[0].poll.interval", msg: "must be positive, got 0s",
	},
	{
		name: "poll interval left out",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll: {jitter: 1s}
`,
		line: 6, field: "clients[0].poll", msg: "give the poller a schedule: interval, adaptive, aimd or long",
	},
	{
		name: "rate without a unit",
		src: `duration: 1h
store:
  arrivals:
    process: poisson
    rate: 50
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 5, field: "store.arrivals.rate", msg: `"50" has no unit`,
	},
	{
		name: "rate with an unknown unit",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/w}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "store.arrivals.rate", msg: `unknown unit "w"`,
	},
	{
		name: "zero rate",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 0/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "store.arrivals.rate", msg: "must be positive",
	},
	{
		name: "empty list of clients",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients: []
`,
		line: 4, field: "clients", msg: "no clients",
	},
	{
		name: "clients left out",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
`,
		line: 1, field: "clients", msg: "no clients",
	},
	{
		name: "duplicate client names",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: poll, webhook: {}}
`,
		line: 6, field: "clients[1].name", msg: `duplicate client name "poll"; clients[0] has it already`,
	},
	{
		name: "outage starting when the run ends",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook: {}
    outages:
      - {at: 2h, for: 1m}
`,
		line: 8, field: "clients[0].outages[0].at", msg: "outside the run, which ends at 2h0m0s",
	},
	{
		name: "outage starting after the run ends",
		src: `duration: 1h
drain: 0s
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: hook, webhook: {}, outages: [{at: 90m, for: 1m}]}
`,
		line: 6, field: "clients[0].outages[0].at", msg: "outside the run, which ends at 1h0m0s",
	},
	{
		name: "duration without a unit",
		src: `duration: 10
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 1, field: "duration", msg: `"10" has no unit`,
	},
	{
		name: "duration with an unknown unit",
		src: `duration: 1h
drain: 5x
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 2, field: "drain", msg: `"5x" is not a duration`,
	},
	{
		name: "duration in words",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: ten seconds}}
`,
		line: 5, field: "clients[0].poll.interval", msg: `"ten seconds" is not a duration`,
	},
	{
		name: "duration as a list",
		src: `duration: [1h]
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 1, field: "duration", msg: "expected a duration such as 10s, got a list",
	},
	{
		name: "rate as a mapping",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: {n: 50, per: h}}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "store.arrivals.rate", msg: "expected a rate such as 50/h, got a mapping",
	},
	{
		name: "jitter equal to the interval",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, jitter: 10s}}
`,
		line: 5, field: "clients[0].poll.jitter", msg: "must be less than interval (10s), got 10s",
	},
	{
		name: "jitter above the interval",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, jitter: 1m}}
`,
		line: 5, field: "clients[0].poll.jitter", msg: "must be less than interval",
	},
	{
		name: "phase equal to the interval",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      interval: 10s
      phase: 10s
`,
		line: 8, field: "clients[0].poll.phase", msg: "must be less than the first interval (10s), got 10s",
	},
	{
		name: "negative phase",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, phase: -1s}}
`,
		line: 5, field: "clients[0].poll.phase", msg: "must not be negative",
	},
	{
		name: "client with poll and webhook",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: both, poll: {interval: 10s}, webhook: {}}
`,
		line: 5, field: "clients[0]", msg: "one strategy, poll or webhook, not both",
	},
	{
		name: "client with neither poll nor webhook",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: idle}
`,
		line: 5, field: "clients[0]", msg: "give the client a strategy: poll or webhook",
	},
	{
		name: "webhook left empty",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
`,
		line: 6, field: "clients[0].webhook", msg: "write webhook: {}",
	},
	{
		name: "unknown arrival process",
		src: `duration: 1h
store:
  arrivals: {process: bursty, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "store.arrivals.process", msg: `"bursty" is not one of poisson, constant, replay`,
	},
	{
		name: "latency whose p99 is below its median",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api:
    latency: {median: 40ms, p99: 10ms}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 5, field: "store.api.latency", msg: "p99 (10ms) must exceed median (40ms)",
	},
	{
		name: "latency with only a median",
		src: `duration: 1h
network:
  latency: {median: 20ms}
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "network.latency", msg: "give exactly one of {median, p99}, {min, max} or {mean}, or a single duration; got {median}",
	},
	{
		name: "latency as an empty mapping",
		src: `duration: 1h
network:
  latency: {}
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "network.latency", msg: "got {}",
	},
	{
		name: "overlapping outages",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook: {}
    outages:
      - {at: 10m, for: 20m}
      - {at: 20m, for: 5m}
`,
		line: 9, field: "clients[0].outages[1]", msg: "overlaps clients[0].outages[0]",
	},
	{
		name: "unknown retry preset",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry: {preset: nobody}
clients:
  - {name: hook, webhook: {}}
`,
		line: 5, field: "store.webhooks.retry.preset", msg: `unknown preset "nobody"; valid presets: ` + strings.Join(PresetNames(), ", "),
	},
	{
		name: "retry preset and delays",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry:
      preset: svix
      delays: [1s, 1m]
clients:
  - {name: hook, webhook: {}}
`,
		line: 6, field: "store.webhooks.retry", msg: "give only one of preset, delays or exponential, not preset and delays",
	},
	{
		name: "exponential retries with no attempts",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry:
      exponential: {initial: 1s, attempts: 0}
clients:
  - {name: hook, webhook: {}}
`,
		line: 6, field: "store.webhooks.retry.exponential.attempts", msg: "must be between 1 and 100, got 0",
	},
	{
		name: "exponential retries that overflow",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry:
      exponential: {initial: 1s, factor: 1e300, attempts: 100}
clients:
  - {name: hook, webhook: {}}
`,
		line: 6, field: "store.webhooks.retry.exponential", msg: "the last attempt would come more than 87600h0m0s after the event",
	},
	{
		name: "retry delays whose sum overflows",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry:
      delays: [2000000h, 2000000h]
clients:
  - {name: hook, webhook: {}}
`,
		line: 6, field: "store.webhooks.retry.delays", msg: "the last attempt would come more than 87600h0m0s after the event",
	},
	{
		name: "retry jitter that is not a number",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    retry: {preset: svix, jitter: .nan}
clients:
  - {name: hook, webhook: {}}
`,
		line: 5, field: "store.webhooks.retry.jitter", msg: "must be at least 0 and less than 1, got NaN",
	},
	{
		name: "scenario name with a space",
		src: `name: my scenario
duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 1, field: "name", msg: `"my scenario" is not a usable name`,
	},
	{
		name: "client name with a space",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll often, poll: {interval: 10s}}
`,
		line: 5, field: "clients[0].name", msg: `"poll often" is not a usable name`,
	},
	{
		name: "negative seed",
		src: `seed: -1
duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 1, field: "seed", msg: `expected a whole number, 0 or more, got "-1"`,
	},
	{
		name: "paging that is not a boolean",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, paging: maybe}}
`,
		line: 5, field: "clients[0].poll.paging", msg: `expected true or false, got "maybe"`,
	},
	{
		name: "clients as a number",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients: 3
`,
		line: 4, field: "clients", msg: `expected a list, got "3"`,
	},
	{
		name: "YAML syntax error",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 4, field: "", msg: "YAML syntax",
	},
	{
		name: "empty file",
		src:  "",
		line: 1, field: "", msg: "the scenario is empty",
	},
	{
		name: "only comments",
		src:  "# nothing yet\n",
		line: 1, field: "", msg: "the scenario is empty",
	},
	{
		name: "a list instead of a mapping",
		src: `- duration: 1h
- clients: []
`,
		line: 1, field: "", msg: "the scenario is not a mapping",
	},
	{
		name: "two YAML documents",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
---
duration: 2h
`,
		line: 6, field: "", msg: "a second YAML document starts here",
	},
	{
		name: "a key given twice",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
duration: 2h
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 4, field: "duration", msg: `"duration" is given twice; the first is at line 1`,
	},
	{
		name: "a nested key given twice",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s, interval: 20s}}
`,
		line: 5, field: "clients[0].poll.interval", msg: `"interval" is given twice; the first is at line 5`,
	},
	{
		name: "a merge of something not a mapping",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {<<: 10s}}
`,
		line: 5, field: "", msg: "map merge requires map or sequence of maps",
	},
	{
		name: "a mapping merged into itself",
		src: `duration: 1h
store: &store {arrivals: {process: poisson, rate: 50/h}, <<: *store}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 2, field: "", msg: "cyclic merge alias",
	},
	{
		name: "a list that holds itself",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients: &all [*all]
`,
		line: 4, field: "clients", msg: "expected a mapping, got a list",
	},
	{
		name: "a poll every nanosecond for a week",
		src: `duration: 168h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 1ns}}
`,
		line: 5, field: "clients", msg: "the most pushpull simulates in one run is 2e+09",
	},
	{
		name: "more events than a run can hold",
		src: `duration: 168h
store:
  arrivals: {process: poisson, rate: 1e9/s}
clients:
  - {name: hook, webhook: {}}
`,
		line: 3, field: "store.arrivals.rate", msg: "the most pushpull simulates in one run is 2e+09",
	},
	{
		// A two-hour burst of ×1000 at 50 a second is 3.6e8 events, within
		// a run's reach once; repeated each day of a week, 2.5e9 are not.
		name: "a burst repeated every day",
		src: `duration: 168h
store:
  arrivals: {process: poisson, rate: 50/s, bursts: [{at: 0s, for: 2h, factor: 1000, every: 24h}]}
clients:
  - {name: hook, webhook: {}}
`,
		line: 3, field: "store.arrivals.rate", msg: "means 2.55e+09 events",
	},
	{
		name: "duration plus drain beyond what time.Duration holds",
		src: `duration: 2000000h
drain: 2000000h
store:
  arrivals: {process: poisson, rate: 1/d}
clients:
  - {name: hook, webhook: {}}
`,
		line: 1, field: "duration", msg: "duration (2000000h0m0s) plus drain (2000000h0m0s) is more than the 87600h0m0s pushpull simulates",
	},
	{
		name: "long-poll hold longer than the run",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: long
    poll:
      long: {hold: 3h}
`,
		line: 7, field: "clients[0].poll.long.hold", msg: "3h0m0s is longer than the run (2h0m0s, duration + drain)",
	},
	{
		name: "polling without the poll API",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {enabled: false}
clients:
  - name: poll
    poll: {interval: 10s}
`,
		line: 7, field: "clients[0].poll", msg: "polling needs the poll API, and the store has none (store.api.enabled: false)",
	},
	{
		name: "reconciliation without the poll API",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {enabled: false}
clients:
  - name: hook
    webhook: {}
    reconcile: {every: 1h}
`,
		line: 8, field: "clients[0].reconcile", msg: "reconciliation needs the poll API",
	},
	{
		name: "state sync without the poll API",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {enabled: false}
clients:
  - name: hook
    webhook: {}
    sync: {every: 1h}
`,
		line: 8, field: "clients[0].sync", msg: "a state sync needs the poll API",
	},
	{
		name: "thin webhooks without the poll API",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {enabled: false}
clients:
  - name: hook
    webhook:
      thin: true
`,
		line: 8, field: "clients[0].webhook.thin", msg: "fetching thin deliveries needs the poll API",
	},
	{
		name: "async receiver without workers",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      processing: {mode: async, time: 50ms, workers: 0}
`,
		line: 7, field: "clients[0].webhook.processing.workers", msg: "an async receiver needs from 1 to 100000 workers, got 0",
	},
	{
		name: "async receiver with an empty queue",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      processing: {mode: async, time: 50ms, queue: 0}
`,
		line: 7, field: "clients[0].webhook.processing.queue", msg: "must be from 1 to 100000000, got 0",
	},
	{
		name: "workers for a sync receiver",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      processing:
        mode: sync
        time: 50ms
        workers: 4
`,
		line: 10, field: "clients[0].webhook.processing.workers", msg: "applies only to mode: async",
	},
	{
		name: "queue for a sync receiver",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      processing:
        mode: sync
        time: 50ms
        queue: 10
`,
		line: 10, field: "clients[0].webhook.processing.queue", msg: "applies only to mode: async",
	},
	{
		name: "jitter with adaptive polling",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      adaptive: {min: 1s, max: 1m}
      jitter: 1s
`,
		line: 8, field: "clients[0].poll.jitter", msg: "applies only to a fixed interval",
	},
	{
		name: "loop with adaptive polling",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      adaptive: {min: 1s, max: 1m}
      loop: delay
`,
		line: 8, field: "clients[0].poll.loop", msg: "applies only to a fixed interval",
	},
	{
		name: "two poll schedules",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      interval: 10s
      long: {hold: 30s}
`,
		line: 7, field: "clients[0].poll", msg: "give only one of interval, adaptive, aimd and long, not interval and long",
	},
	{
		name: "batch with a size and a mean",
		src: `duration: 1h
store:
  arrivals:
    process: poisson
    rate: 50/h
    batch: {size: 3, mean: 2}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 6, field: "store.arrivals.batch", msg: "give exactly one of size, min and max, or mean",
	},
	{
		name: "diurnal swing of a constant process",
		src: `duration: 1h
store:
  arrivals:
    process: constant
    rate: 50/h
    diurnal: {amplitude: 0.5}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 6, field: "store.arrivals.diurnal", msg: "needs process: poisson",
	},
	{
		name: "overlapping bursts",
		src: `duration: 1h
store:
  arrivals:
    process: poisson
    rate: 50/h
    bursts:
      - {at: 10m, for: 10m, factor: 5}
      - {at: 15m, for: 10m, factor: 2}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 8, field: "store.arrivals.bursts[1]", msg: "overlaps store.arrivals.bursts[0]",
	},
	{
		name: "a burst after the duration",
		src: `duration: 1h
store:
  arrivals:
    process: poisson
    rate: 50/h
    bursts:
      - {at: 90m, for: 10m, factor: 5}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 7, field: "store.arrivals.bursts[0].at", msg: "1h30m0s is not before duration (1h0m0s)",
	},
	{
		name: "replay without a file",
		src: `duration: 1h
store:
  arrivals: {process: replay}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 3, field: "store.arrivals.replay", msg: "required with process: replay; give {file: instants.csv}",
	},
	{
		name: "a disable policy with no trigger",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    disable: {while_off: drop}
clients:
  - {name: hook, webhook: {}}
`,
		line: 5, field: "store.webhooks.disable", msg: "give at least one trigger: after_failing, consecutive, failure_rate or on_exhausted",
	},
	{
		name: "holding deliveries while off without reenable",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    disable:
      consecutive: 5
      while_off: hold
clients:
  - {name: hook, webhook: {}}
`,
		line: 7, field: "store.webhooks.disable.while_off", msg: "give reenable too",
	},
	{
		name: "a failure rate of 1",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks:
    disable:
      failure_rate: {above: 1, window: 5m}
clients:
  - {name: hook, webhook: {}}
`,
		line: 6, field: "store.webhooks.disable.failure_rate.above", msg: "must be at least 0 and less than 1, got 1",
	},
	{
		name: "silent loss above 1",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks: {silent_loss: 1.5}
clients:
  - {name: hook, webhook: {}}
`,
		line: 4, field: "store.webhooks.silent_loss", msg: "must be a probability from 0 to 1, got 1.5",
	},
	{
		name: "negative failure probability",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks: {failures: -0.1}
clients:
  - {name: hook, webhook: {}}
`,
		line: 4, field: "store.webhooks.failures", msg: "must be a probability from 0 to 1, got -0.1",
	},
	{
		name: "API errors above 1",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {errors: 2}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
		line: 4, field: "store.api.errors", msg: "must be a probability from 0 to 1, got 2",
	},
	{
		name: "receiver errors that are not a number",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: hook, webhook: {errors: .nan}}
`,
		line: 5, field: "clients[0].webhook.errors", msg: "must be a probability from 0 to 1, got NaN",
	},
	{
		name: "count 0",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, count: 0, poll: {interval: 10s}}
`,
		line: 5, field: "clients[0].count", msg: "must be from 1 to 100000, got 0",
	},
	{
		name: "state sync as long as the retention",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {retention: 1h}
clients:
  - name: hook
    webhook: {}
    sync: {every: 1h}
`,
		line: 8, field: "clients[0].sync.every", msg: "must be shorter than the store's retention (1h0m0s)",
	},
	{
		name: "thin webhooks with processing",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      thin: true
      processing: {mode: sync, time: 1s}
`,
		line: 8, field: "clients[0].webhook.processing", msg: "a thin delivery is fetched, then processed at once: processing does not apply",
	},
	{
		name: "reconciliation on a poller",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll: {interval: 10s}
    reconcile: {every: 1h}
`,
		line: 7, field: "clients[0].reconcile", msg: "applies to webhook clients: a poller reads the feed already",
	},
	{
		name: "state sync on a poller",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll: {interval: 10s}
    sync: {every: 1h}
`,
		line: 7, field: "clients[0].sync", msg: "applies to webhook clients",
	},
	{
		name: "aimd factor of 1",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      aimd: {min: 1s, max: 1m, step: 1s, factor: 1}
`,
		line: 7, field: "clients[0].poll.aimd.factor", msg: "must be above 0 and below 1, got 1",
	},
	{
		name: "backoff shorter at its max than at first",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll:
      interval: 10s
      backoff: {initial: 1m, max: 10s}
`,
		line: 8, field: "clients[0].poll.backoff.max", msg: "must be at least initial (1m0s), got 10s",
	},
	{
		name: "a crash after the run",
		src: `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: hook
    webhook:
      crashes: [{at: 3h}]
`,
		line: 7, field: "clients[0].webhook.crashes[0].at", msg: "outside the run, which ends at 2h0m0s",
	},
}

// TestParseReportsTheOneMistake checks that Parse reports the mistake of
// each of oneMistake, and only it, at its line and field.
func TestParseReportsTheOneMistake(t *testing.T) {
	t.Parallel()
	for _, tt := range oneMistake {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("bad.yaml", []byte(tt.src))
			assert.Nil(t, s, "Parse returned a scenario with an error")
			var ps Problems
			require.True(t, errors.As(err, &ps), "Parse(%q) = %v; want Problems", tt.src, err)
			require.Len(t, ps, 1, "Parse(%q) = %v; want one problem", tt.src, err)
			p := ps[0]
			assert.Equal(t, "bad.yaml", p.File, "Parse(%q).File = %q; want %q", tt.src, p.File, "bad.yaml")
			assert.Equal(t, tt.line, p.Line, "Parse(%q).Line = %d; want %d (%v)", tt.src, p.Line, tt.line, p)
			assert.Equal(t, tt.field, p.Field, "Parse(%q).Field = %q; want %q (%v)", tt.src, p.Field, tt.field, p)
			assert.Contains(t, p.Msg, tt.msg, "Parse(%q).Msg = %q; want it to contain %q", tt.src, p.Msg, tt.msg)
		})
	}
}

func TestParseReportsEveryMistake(t *testing.T) {
	t.Parallel()
	src := `name: bad name
duration: 10
store:
  arrivals: {process: bursty, rate: 50}
  api: {page_size: 0, latency: {median: 40ms}}
clients:
  - {name: a, poll: {interval: -1s, jitter: 1s}}
  - {name: a, webhook: {}, outages: [{at: 1m, for: 0s, mode: crash}]}
  - {name: c, colour: red}
`
	_, err := Parse("many.yaml", []byte(src))
	var ps Problems
	require.True(t, errors.As(err, &ps), "Parse = %v; want Problems", err)

	type at struct {
		line  int
		field string
	}
	want := []at{
		{1, "name"},
		{2, "duration"},
		{4, "store.arrivals.process"},
		{4, "store.arrivals.rate"},
		{5, "store.api.page_size"},
		{5, "store.api.latency"},
		{7, "clients[0].poll.interval"},
		{8, "clients[1].name"},
		{8, "clients[1].outages[0].for"},
		{8, "clients[1].outages[0].mode"},
		{9, "clients[2]"},
		{9, "clients[2].colour"},
	}
	var got []at
	for _, p := range ps {
		got = append(got, at{p.Line, p.Field})
		assert.Equal(t, "many.yaml", p.File, "Parse(many.yaml): %v has File %q; want many.yaml", p, p.File)
	}
	assert.Equal(t, want, got, "Parse(many.yaml) = \n%v\nwant these lines and fields", err)
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		assert.True(t, a.Line < b.Line || a.Line == b.Line && a.Column <= b.Column,
			"Parse(many.yaml): %v comes before %v; want them sorted by position", a, b)
	}
}

// TestValidateAfterChangeInCode checks the problems of a parsed scenario
// changed in code: they still point into its file.
func TestValidateAfterChangeInCode(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll: {interval: 10s}
`
	s, err := Parse("change.yaml", []byte(src))
	require.NoError(t, err)
	require.NoError(t, s.Validate(), "Validate() of a scenario Parse accepted")

	s.Clients[0].Poll.Interval = -Duration(time.Second)
	err = s.Validate()
	var ps Problems
	require.True(t, errors.As(err, &ps), "Validate() = %v; want Problems", err)
	want := Problems{{File: "change.yaml", Line: 6, Column: 22, Field: "clients[0].poll.interval", Msg: "must be positive, got -1s"}}
	assert.Equal(t, want, ps, "Validate() = %v; want %v", ps, want)
}

// TestValidateBuiltInCode checks that a scenario built in code, with no file
// behind it, reports problems with no place.
func TestValidateBuiltInCode(t *testing.T) {
	t.Parallel()
	var s Scenario
	err := s.Validate()
	var ps Problems
	require.True(t, errors.As(err, &ps), "Scenario{}.Validate() = %v; want Problems", err)
	fields := map[string]bool{}
	for _, p := range ps {
		assert.Empty(t, p.File, "Scenario{}.Validate(): %v has a file", p)
		assert.Zero(t, p.Line, "Scenario{}.Validate(): %v has a line", p)
		fields[p.Field] = true
	}
	for _, f := range []string{"name", "duration", "store.arrivals.process", "store.arrivals.rate", "clients"} {
		assert.True(t, fields[f], "Scenario{}.Validate() = %v; want a problem with %s", err, f)
	}
}

func TestProblemError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Line: 3, Column: 5, Field: "clients[0].name", Msg: "bad"}, "a.yaml:3:5: clients[0].name: bad"},
		{Problem{File: "a.yaml", Line: 3, Field: "seed", Msg: "bad"}, "a.yaml:3: seed: bad"},
		{Problem{File: "a.yaml", Field: "seed", Msg: "bad"}, "a.yaml: seed: bad"},
		{Problem{File: "a.yaml", Line: 4, Column: 1, Msg: "YAML syntax: oops"}, "a.yaml:4:1: YAML syntax: oops"},
		{Problem{Field: "duration", Msg: "required"}, "scenario: duration: required"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.Error(), "%#v.Error() = %q; want %q", tt.p, tt.p.Error(), tt.want)
	}

	ps := Problems{tests[0].p, tests[1].p}
	want := "a.yaml:3:5: clients[0].name: bad\na.yaml:3: seed: bad"
	assert.Equal(t, want, ps.Error(), "Problems.Error() = %q; want %q", ps.Error(), want)
}

func TestParseErrorReadsFileLineColumnFieldMessage(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: -10s}}
  - {name: hook, webhook: {}, outages: [{at: 1m, for: 1m, mode: crash}]}
`
	_, err := Parse("dir/x.yaml", []byte(src))
	require.Error(t, err)
	want := "dir/x.yaml:5:35: clients[0].poll.interval: must be positive, got -10s\n" +
		`dir/x.yaml:6:65: clients[1].outages[0].mode: "crash" is not one of refuse, hang`
	assert.Equal(t, want, err.Error(), "Parse(dir/x.yaml).Error() = %q; want %q", err.Error(), want)
}

// A misspelt strategy is reported once, as the unknown key it is, not again
// as a missing strategy.
func TestMisspeltStrategyIsOneProblem(t *testing.T) {
	t.Parallel()
	_, err := Parse("typo.yaml", []byte(`
duration: 1h
store: {arrivals: {process: poisson, rate: 1/s}}
clients:
  - name: hook
    webhok: {}
`))
	var problems Problems
	require.ErrorAs(t, err, &problems)
	require.Len(t, problems, 1, "%v", err)
	assert.Equal(t, 6, problems[0].Line)
	assert.Contains(t, problems[0].Msg, `did you mean "webhook"`)
}
