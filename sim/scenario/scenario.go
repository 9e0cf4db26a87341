// Package scenario describes the world pushpull simulates: how a store emits
// events, what its API allows, how its webhook sender retries, which clients
// consume the events and what fails when.
//
// A scenario file is strict YAML. Load decodes it, rejects unknown fields,
// fills in defaults and validates it, reporting every problem at once with its
// file, line and field. Each field's documentation and default live in the
// struct tags below (doc and default); the loader, the JSON Schema and
// docs/scenarios.md are all generated from them.
package scenario

// Scenario is one simulated world and the clients that consume its events.
type Scenario struct {
	Name        string   `yaml:"name" doc:"Short name: names the output folder out/<name>/. Letters, digits, '.', '_' and '-'. Defaults to the file name without its extension."`
	Description string   `yaml:"description" doc:"One line on what the scenario asks; printed above the results."`
	Seed        uint64   `yaml:"seed" default:"1" doc:"Seed of every random stream. The same scenario and seed give byte-identical results; pushpull run -seed overrides it."`
	Duration    Duration `yaml:"duration" required:"true" doc:"Required. How long the store emits events; metrics cover the events emitted in [0, duration) and the requests sent in it."`
	Drain       Duration `yaml:"drain" default:"1h" doc:"How long clients keep running after duration so late deliveries still count. Emission stops at duration."`
	Network     Network  `yaml:"network" doc:"The network between the store and its clients."`
	Store       Store    `yaml:"store" required:"true" doc:"Required. The store: its events, its poll API and its webhook sender."`
	Clients     []Client `yaml:"clients" required:"true" doc:"Required. The client strategies run side by side against the same store and the same events."`

	Sweep      []Axis      `yaml:"sweep" doc:"Run the scenario once per value of one field, or per pair of values of two fields, and chart the results against them; pushpull run -set PATH=V1,V2,... does the same from the command line."`
	Thresholds []Threshold `yaml:"thresholds" doc:"Limits on the results, for CI: pushpull run lists every breach and exits 3."`

	source *source
}

// Network is the modelled network between the store and every client.
type Network struct {
	Latency     Latency `yaml:"latency" default:"0s" doc:"One-way delay of every message, each way, drawn independently."`
	HeaderBytes int     `yaml:"header_bytes" default:"300" doc:"Bytes of HTTP request line or status line and headers counted for every request and every response."`
}

// Store is the source of events and the server both kinds of client talk to.
type Store struct {
	Arrivals     Arrivals `yaml:"arrivals" required:"true" doc:"Required. When events are created."`
	Resources    int      `yaml:"resources" default:"1" doc:"Number of resources (orders, products...). Each event belongs to one, chosen uniformly; out-of-order deliveries are counted per resource."`
	PayloadBytes int      `yaml:"payload_bytes" default:"1000" doc:"Size of one event's JSON body in bytes."`
	API          API      `yaml:"api" doc:"The poll API: GET events after a cursor."`
	Webhooks     Webhooks `yaml:"webhooks" doc:"The webhook sender: one POST per event and subscribed client, retried on failure."`
}

// Arrivals chooses the process that creates events.
type Arrivals struct {
	Process string `yaml:"process" enum:"poisson,constant" required:"true" doc:"Required. poisson: exponential gaps at the given rate; constant: evenly spaced events at the given rate, the first at a random offset."`
	Rate    Rate   `yaml:"rate" required:"true" doc:"Required. Mean event rate, with a unit: 50/h, 2/s, 30/m, 1000/d."`
}

// API is the store's poll endpoint: GET events after a cursor, limit a page.
type API struct {
	Latency   Latency    `yaml:"latency" default:"{median: 40ms, p99: 250ms}" doc:"Service time of one request: from its arrival at the store, where the response's snapshot is taken, to the response leaving the store."`
	PageSize  int        `yaml:"page_size" default:"100" doc:"Most events in one response; has_more says whether more are waiting."`
	Retention Duration   `yaml:"retention" default:"720h" doc:"How long the store keeps an event. An event that ages out before a client reads it is dropped for that client (cause retention_expired)."`
	RateLimit *RateLimit `yaml:"rate_limit" doc:"Optional per-client token bucket. A request without a token is answered 429 with Retry-After. Absent: no limit."`
}

// RateLimit is a token bucket applied to each client separately.
type RateLimit struct {
	Rate  Rate `yaml:"rate" required:"true" doc:"Required. Tokens added per unit of time, with a unit: 2/s, 100/m, 5000/h."`
	Burst int  `yaml:"burst" default:"1" doc:"Bucket size: the most requests that can be made at once after a quiet spell."`
}

// Webhooks configures the store's webhook sender.
type Webhooks struct {
	Timeout Duration `yaml:"timeout" doc:"How long the sender waits for a 2xx before it counts the attempt as failed. Default: the retry preset's timeout, else 15s."`
	Retry   Retry    `yaml:"retry" default:"{preset: svix}" doc:"When failed attempts are retried. Exactly one of preset, delays and exponential."`
}

// Retry is a webhook retry policy: a named preset, an explicit list of
// delays, or an exponential schedule.
type Retry struct {
	Preset      string       `yaml:"preset" doc:"A named sender policy; pushpull validate lists them. Sets the delays and the default timeout."`
	Delays      []Duration   `yaml:"delays" doc:"Delay before each retry, counted from the moment the sender knows the previous attempt failed: a refusal comes back after one round trip, a hang at the timeout. [] means no retries."`
	Exponential *Exponential `yaml:"exponential" doc:"Delays initial, initial·factor, initial·factor², ... capped at cap."`
	Jitter      float64      `yaml:"jitter" default:"0" doc:"Each delay is multiplied by a uniform factor in [1 - jitter, 1 + jitter]. At least 0 and less than 1; with a preset, 0 keeps the preset's own."`
}

// Exponential is a retry schedule whose delays grow geometrically.
type Exponential struct {
	Initial  Duration `yaml:"initial" required:"true" doc:"Required. Delay before the first retry."`
	Factor   float64  `yaml:"factor" default:"2" doc:"Each delay is the previous one times factor. At least 1."`
	Cap      Duration `yaml:"cap" doc:"Largest delay. Absent or 0: no cap."`
	Attempts int      `yaml:"attempts" required:"true" doc:"Required. Attempts in all, the first included."`
}

// Client is one consumer strategy. Exactly one of poll and webhook is set.
type Client struct {
	Name    string   `yaml:"name" required:"true" doc:"Required. Unique name; a row of the results. Letters, digits, '.', '_' and '-'."`
	Poll    *Poll    `yaml:"poll" doc:"The client polls the store's API."`
	Webhook *Webhook `yaml:"webhook" doc:"The client receives the store's webhooks."`
	Outages []Outage `yaml:"outages" doc:"Windows during which the client is down. A poller sends nothing; a webhook receiver refuses connections or hangs."`
}

// Poll is a polling strategy.
type Poll struct {
	Interval Duration  `yaml:"interval" required:"true" doc:"Required. Time between polls: a fixed-rate ticker, so a poll leaves when due even if the previous one has not returned."`
	Jitter   Duration  `yaml:"jitter" default:"0s" doc:"Each interval is interval + U(-jitter, +jitter). Less than interval."`
	Phase    *Duration `yaml:"phase" doc:"Time of the first poll. Absent: uniform in [0, interval), drawn per client, so clients do not poll in lock-step."`
	Paging   bool      `yaml:"paging" default:"true" doc:"Follow has_more at once with another request (kind page). false: read one page per poll and leave the rest for the next poll."`
}

// Webhook is a receiver of the store's webhooks. It accepts every delivery
// at once unless it is in an outage.
type Webhook struct{}

// Outage is a window in which a client is down.
type Outage struct {
	At   Duration `yaml:"at" required:"true" doc:"Required. Start of the outage, from the start of the run."`
	For  Duration `yaml:"for" required:"true" doc:"Required. Length of the outage."`
	Mode string   `yaml:"mode" default:"refuse" enum:"refuse,hang" doc:"refuse: connections are refused at once; hang: requests hang until the sender's timeout."`
}

// File is the path the scenario was read from, or "" for one built in code.
func (s *Scenario) File() string {
	if s.source == nil {
		return ""
	}
	return s.source.file
}

// SHA256 is the hex SHA-256 of the file the scenario was read from, or ""
// for one built in code.
func (s *Scenario) SHA256() string {
	if s.source == nil {
		return ""
	}
	return s.source.sha256
}

// End is the instant the run stops: duration plus drain.
func (s *Scenario) End() Duration { return s.Duration + s.Drain }
