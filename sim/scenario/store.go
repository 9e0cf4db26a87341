package scenario

// Store is the source of events and the server both kinds of client talk to.
type Store struct {
	Arrivals     Arrivals `yaml:"arrivals" required:"true" doc:"Required. When events are created."`
	Resources    int      `yaml:"resources" default:"1" doc:"Number of resources (orders, products...). Each event belongs to one, chosen uniformly unless a replay file says which; out-of-order deliveries are counted per resource."`
	PayloadBytes int      `yaml:"payload_bytes" default:"1000" doc:"Size of one event's JSON body in bytes."`
	API          API      `yaml:"api" doc:"The poll API: GET events after a cursor."`
	Webhooks     Webhooks `yaml:"webhooks" doc:"The webhook sender: one POST per event and subscribed client, retried on failure."`
}

// Arrivals chooses the process that creates events and what modulates it.
type Arrivals struct {
	Process string   `yaml:"process" enum:"poisson,constant,replay" required:"true" doc:"Required. poisson: independent exponential gaps at the given rate; constant: evenly spaced events at the given rate, the first at a random offset; replay: the instants of a CSV file."`
	Rate    Rate     `yaml:"rate" doc:"Mean event rate, with a unit: 50/h, 2/s, 30/m, 1000/d. Required unless the process is replay. With batches it is still the rate of events, not of batches."`
	Bursts  []Burst  `yaml:"bursts" doc:"Windows in which the rate is multiplied, such as a flash sale."`
	Diurnal *Diurnal `yaml:"diurnal" doc:"A daily (or other periodic) swing of the rate around its mean. Poisson only."`
	Batch   *Batch   `yaml:"batch" doc:"Events come in batches created at the same instant (a compound process): an order with its line items, a bulk import."`
	Replay  *Replay  `yaml:"replay" doc:"The file of instants the replay process reads. Required with process: replay."`
}

// Burst multiplies the arrival rate during a window, once or repeatedly.
type Burst struct {
	At     Duration `yaml:"at" required:"true" doc:"Required. Start of the (first) burst, from the start of the run."`
	For    Duration `yaml:"for" required:"true" doc:"Required. Length of the burst."`
	Factor float64  `yaml:"factor" required:"true" doc:"Required. The rate is multiplied by factor during the burst: 10 for ten times the usual rate, 1 for no burst at all. Above 0."`
	Every  Duration `yaml:"every" default:"0s" doc:"Repeat the burst this long after each start, until the end of duration, such as every 24h for a daily sale. 0s: once. Longer than for."`
}

// Diurnal makes the rate swing as a sinusoid: rate · (1 + amplitude ·
// cos(2π (t − peak) / period)), whose mean over a period is the rate.
type Diurnal struct {
	Amplitude float64  `yaml:"amplitude" required:"true" doc:"Required. Relative swing, from 0 (none) to 1 (the rate touches 0 at the trough)."`
	Period    Duration `yaml:"period" default:"24h" doc:"Length of one cycle."`
	Peak      Duration `yaml:"peak" default:"14h" doc:"Instant of the first peak, from the start of the run."`
}

// Batch sets how many events each arrival brings. Exactly one of size,
// min and max, or mean.
type Batch struct {
	Size int     `yaml:"size" doc:"Every batch has exactly this many events. At least 1."`
	Min  int     `yaml:"min" doc:"With max: a batch has a uniform number of events from min to max."`
	Max  int     `yaml:"max" doc:"With min: the largest batch."`
	Mean float64 `yaml:"mean" doc:"A batch has a geometric number of events (1, 2, 3, ...) with this mean. At least 1."`
}

// Replay names a CSV file of event instants.
type Replay struct {
	File  string `yaml:"file" required:"true" doc:"Required. Path of a CSV file, relative to the scenario file. One event per line: its instant in the first column and, optionally, its resource (0 to resources - 1) in the second. A first line whose first field is neither a number nor a duration is a header and is skipped."`
	Times string `yaml:"times" default:"relative" enum:"relative,absolute" doc:"relative: instants are durations from the start of the run (90s, 1h30m) or seconds (90, 5400.5); absolute: RFC 3339 timestamps (2024-11-29T09:00:00Z), shifted so that the first is at 0."`

	instants  []Duration // read from File
	resources []int      // per instant, or nil
}

// API is the store's poll endpoint: GET events after a cursor, limit a page.
type API struct {
	Enabled   bool       `yaml:"enabled" default:"true" doc:"false: the store offers webhooks only, and no client may poll or reconcile."`
	Latency   Latency    `yaml:"latency" default:"{median: 40ms, p99: 250ms}" doc:"Service time of one request: from its arrival at the store, where the response's snapshot is taken, to the response leaving the store."`
	PageSize  int        `yaml:"page_size" default:"100" doc:"Most events in one response; has_more says whether more are waiting."`
	Retention Duration   `yaml:"retention" default:"720h" doc:"How long the store keeps an event. An event that ages out before a client reads it is dropped for that client (cause retention_expired)."`
	RateLimit *RateLimit `yaml:"rate_limit" doc:"Optional per-client token bucket. A request without a token is answered 429 with Retry-After. Absent: no limit."`
	Errors    float64    `yaml:"errors" default:"0" doc:"Probability that a request is answered 503 instead, independently. From 0 to 1."`
}

// RateLimit is a token bucket applied to each client separately.
type RateLimit struct {
	Rate    Rate `yaml:"rate" required:"true" doc:"Required. Tokens added per unit of time, with a unit: 2/s, 100/m, 5000/h."`
	Burst   int  `yaml:"burst" default:"1" doc:"Bucket size: the most requests that can be made at once after a quiet spell."`
	Free304 bool `yaml:"free_304" default:"false" doc:"A conditional request answered 304 Not Modified takes no token, as GitHub counts them."`
}

// Webhooks configures the store's webhook sender.
type Webhooks struct {
	Timeout     Duration `yaml:"timeout" doc:"How long the sender waits for a 2xx before it counts the attempt as failed. Default: the retry preset's timeout, else 15s."`
	Retry       Retry    `yaml:"retry" default:"{preset: svix}" doc:"When failed attempts are retried. Exactly one of preset, delays and exponential."`
	Concurrency int      `yaml:"concurrency" default:"0" doc:"Most attempts in flight to one endpoint at once; more wait their turn, oldest first. 0: no limit."`
	Disable     *Disable `yaml:"disable" doc:"When the sender disables a failing endpoint. Default: the retry preset's policy, else never."`
	SilentLoss  float64  `yaml:"silent_loss" default:"0" doc:"Probability that the sender never sends an event at all (or loses it after a 2xx): only reconciliation recovers it (cause silent_loss). From 0 to 1."`
	Failures    float64  `yaml:"failures" default:"0" doc:"Probability that an attempt fails on the way, independently: the sender learns it after a round trip. From 0 to 1."`
}

// Retry is a webhook retry policy: a named preset, an explicit list of
// delays, or an exponential schedule.
type Retry struct {
	Preset      string       `yaml:"preset" doc:"A named sender policy; pushpull validate lists them. Sets the delays, the jitter, the floor, the timeout and the disable policy, each of which the scenario may still set."`
	Delays      []Duration   `yaml:"delays" doc:"Delay before each retry, counted from the moment the sender knows the previous attempt failed: a refusal comes back after one round trip, a hang at the timeout. [] means no retries."`
	Exponential *Exponential `yaml:"exponential" doc:"Delays initial, initial·factor, initial·factor², ... capped at cap."`
	Jitter      float64      `yaml:"jitter" default:"0" doc:"Each delay is multiplied by a uniform factor in [1 - jitter, 1 + jitter]. At least 0 and less than 1; with a preset, 0 keeps the preset's own."`
	Floor       Duration     `yaml:"floor" default:"0s" doc:"Least delay before a retry that follows a timeout or a 429, whatever the schedule says. With a preset, 0s keeps the preset's own."`
}

// Exponential is a retry schedule whose delays grow geometrically.
type Exponential struct {
	Initial  Duration `yaml:"initial" required:"true" doc:"Required. Delay before the first retry."`
	Factor   float64  `yaml:"factor" default:"2" doc:"Each delay is the previous one times factor. At least 1."`
	Cap      Duration `yaml:"cap" doc:"Largest delay. Absent or 0: no cap."`
	Attempts int      `yaml:"attempts" required:"true" doc:"Required. Attempts in all, the first included."`
}

// Disable is when a sender gives up on a failing endpoint. Give at least
// one trigger; the first that fires disables the endpoint.
type Disable struct {
	AfterFailing Duration     `yaml:"after_failing" doc:"Disable once attempts have been failing for this long without a single success in between."`
	Consecutive  int          `yaml:"consecutive" doc:"Disable after this many failed attempts in a row."`
	FailureRate  *FailureRate `yaml:"failure_rate" doc:"Disable when the share of failed attempts over a sliding window is above a threshold."`
	OnExhausted  bool         `yaml:"on_exhausted" doc:"Disable as soon as one event has exhausted its retries."`
	WhileOff     string       `yaml:"while_off" default:"drop" enum:"drop,hold" doc:"drop: events created or due while the endpoint is disabled are lost (cause endpoint_disabled); hold: they wait and are sent once it is enabled again."`
	Reenable     Duration     `yaml:"reenable" default:"0s" doc:"Enable the endpoint again this long after it was disabled, as a circuit breaker closes. 0s: it stays disabled for the rest of the run."`
}

// FailureRate is a disable trigger on the share of failed attempts.
type FailureRate struct {
	Above  float64  `yaml:"above" required:"true" doc:"Required. Disable when more than this share of the attempts in the window failed. Between 0 and 1."`
	Window Duration `yaml:"window" required:"true" doc:"Required. The sliding window the share is measured over."`
	Min    int      `yaml:"min" default:"10" doc:"Fewest attempts in the window for the share to count."`
}

// MaxBurstWindows bounds how many windows repeated bursts may make.
const MaxBurstWindows = 100_000

// Windows lists the [start, end) windows of b that begin before end: one,
// or one every Every.
func (b Burst) Windows(end Duration) [][2]Duration {
	if b.Every <= 0 {
		return [][2]Duration{{b.At, b.At + b.For}}
	}
	var out [][2]Duration
	for at := b.At; at < end && len(out) < MaxBurstWindows; at += b.Every {
		out = append(out, [2]Duration{at, at + b.For})
	}
	return out
}
