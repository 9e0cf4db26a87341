package metrics

// Schema names the results.json format and Version is its version. The
// version changes when a field changes meaning or goes away; new fields may
// appear without a new version. docs/results.md describes every field.
const (
	Schema  = "pushpull/results"
	Version = 1
)

// Results is everything a run measured: the content of results.json.
// Durations are in seconds; ratios whose denominator is zero are null.
type Results struct {
	Schema   string          `json:"schema"`
	Version  int             `json:"version"`
	Scenario ScenarioInfo    `json:"scenario"`
	Run      RunInfo         `json:"run"`
	Store    StoreResults    `json:"store"`
	Timeline Timeline        `json:"timeline"`
	Clients  []ClientResults `json:"clients"`

	HTTP *HTTP `json:"http,omitempty"` // live runs only: what was measured on the wire (http.go)
}

// Timeline divides the run, drain included, into at most 120 buckets of a
// round width; each client's timeline counts per bucket too.
type Timeline struct {
	BucketS float64 `json:"bucket_s"` // width of a bucket
	Emitted []int64 `json:"emitted"`  // events the store created in each bucket
}

// ClientTimeline is what happened to one client, bucket by bucket.
type ClientTimeline struct {
	Requests   []int64 `json:"requests"`   // requests sent, drain included
	Deliveries []int64 `json:"deliveries"` // first deliveries
	Drops      []int64 `json:"drops"`      // losses, when they became final
}

// Outage is a window in which a client was down.
type Outage struct {
	AtS  float64 `json:"at_s"`
	ForS float64 `json:"for_s"`
	Mode string  `json:"mode"` // refuse or hang
}

// ScenarioInfo identifies the scenario that was run.
type ScenarioInfo struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	File        string  `json:"file,omitempty"`
	SHA256      string  `json:"sha256,omitempty"` // of the scenario file's bytes
	DurationS   float64 `json:"duration_s"`
	DrainS      float64 `json:"drain_s"`
}

// RunInfo says how the results were produced.
type RunInfo struct {
	Runner      string  `json:"runner"` // "des": virtual time
	Seed        uint64  `json:"seed"`
	GoVersion   string  `json:"go_version"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	Interrupted bool    `json:"interrupted"`  // the run was stopped before its end
	SimulatedS  float64 `json:"simulated_s"`  // scenario time reached
	Events      int64   `json:"sim_events"`   // discrete events processed
	InvariantOK bool    `json:"invariant_ok"` // emitted = delivered + dropped + in flight for every client
}

// StoreResults are the store's own figures.
type StoreResults struct {
	Emitted  int64   `json:"emitted"`  // events created in [0, duration)
	Requests int64   `json:"requests"` // requests served and webhook attempts made, sent in [0, duration)
	PerS     float64 `json:"requests_per_s"`
}

// ClientResults is one client strategy's row.
type ClientResults struct {
	Name     string `json:"name"`
	Strategy string `json:"strategy"` // the strategy in words, such as "poll every 10s"
	Count    int64  `json:"count"`    // subscribers the row stands for; its figures are their sums

	Emitted   int64 `json:"emitted"`   // events the client could have received: count × the store's
	Delivered int64 `json:"delivered"` // distinct events the client held by the end of drain
	InFlight  int64 `json:"in_flight"` // events neither held nor lost when the run ended

	Latency Latency `json:"latency"`

	Requests             Requests `json:"requests"`
	Wasted               Wasted   `json:"wasted"`
	RequestsPerDelivered *float64 `json:"requests_per_delivered_event"`
	EmptyPollFraction    *float64 `json:"empty_poll_fraction,omitempty"` // pollers only
	Dropped              Dropped  `json:"dropped"`
	Duplicates           int64    `json:"duplicates"`   // deliveries of an event already held: duplicates on the wire
	OutOfOrder           int64    `json:"out_of_order"` // first deliveries below the highest seq held of their resource
	Bytes                Bytes    `json:"bytes"`

	Processing *Processing `json:"processing,omitempty"` // receivers that process deliveries only
	Freshness  Freshness   `json:"freshness"`            // of the client's view, sampled in time
	Model      *Model      `json:"model,omitempty"`      // what theory predicts beside what was measured

	Outages  []Outage       `json:"outages"`
	Timeline ClientTimeline `json:"timeline"`
}

// Freshness describes the client's view of the store, sampled at regular
// instants of [0, duration): it is fresh when the client holds every event
// created so far that it will ever hold (an event lost for good counts as a
// drop, not as staleness).
type Freshness struct {
	Samples    int64   `json:"samples"`
	Fresh      float64 `json:"fresh"`       // share of the samples at which the view was fresh
	AgeMeanS   float64 `json:"age_mean_s"`  // mean time since the oldest event the view lacked was created; 0 when fresh
	UnseenMean float64 `json:"unseen_mean"` // mean number of events the view lacked
	LittleMean float64 `json:"little_mean"` // Little's law: events per second × mean latency, which unseen_mean should equal
}

// Model is what theory predicts for a client, beside what was measured.
type Model struct {
	Basis    string              `json:"basis"`                    // the closed forms used, as docs/models.md describes them
	Expected map[string]Expected `json:"expected"`                 // by metric name
	Missing  string              `json:"no_closed_form,omitempty"` // what has no closed form here, and why
}

// Expected is the closed-form value of one metric, the tolerance a
// measurement may differ from it by chance, and whether the measurement did.
type Expected struct {
	Value     float64  `json:"value"`
	Tolerance float64  `json:"tolerance"` // four standard errors from the model's variance and the measured sample size, plus the histogram's resolution for percentiles
	Measured  *float64 `json:"measured"`  // null when the run has no such figure
	Within    bool     `json:"within"`
}

// Processing is what a receiver did with the deliveries it took.
type Processing struct {
	Processed  int64   `json:"processed"`  // distinct events processed
	Reworked   int64   `json:"reworked"`   // processings of an event already processed: duplicates in the application
	Suppressed int64   `json:"suppressed"` // duplicate deliveries deduplication recognised and did not process
	Latency    Latency `json:"latency"`    // from an event's creation to the end of its first processing
}

// Latency summarises delivery latency: from an event's creation to the
// moment the client first held it.
type Latency struct {
	Count    int64        `json:"count"`
	MeanS    float64      `json:"mean_s"` // exact, not from the histogram
	P50S     float64      `json:"p50_s"`
	P90S     float64      `json:"p90_s"`
	P99S     float64      `json:"p99_s"`
	P999S    float64      `json:"p999_s"`
	MaxS     float64      `json:"max_s"`
	Spectrum []Percentile `json:"spectrum"` // the whole distribution, within 1 %: the same percentiles for every client
}

// Percentile is one point of a latency distribution.
type Percentile struct {
	Percentile float64 `json:"percentile"` // 0 to 100
	ValueS     float64 `json:"value_s"`    // the latency below which this percentage of deliveries fall
}

// Requests counts the requests of a client sent in [0, duration). Each is
// work for the store: it serves polls and makes webhook attempts.
type Requests struct {
	Total  int64            `json:"total"`
	PerS   float64          `json:"per_s"` // per second of duration
	ByKind map[string]int64 `json:"by_kind"`
}

// Wasted counts requests that gave their client no new event.
type Wasted struct {
	Total    int64            `json:"total"`
	Fraction *float64         `json:"fraction"` // of all requests
	ByReason map[string]int64 `json:"by_reason"`
	ByKind   map[string]int64 `json:"by_kind"`
}

// Dropped counts emitted events the client never held.
type Dropped struct {
	Total   int64            `json:"total"`
	Rate    *float64         `json:"rate"` // of emitted events
	ByCause map[string]int64 `json:"by_cause"`
}

// Bytes counts what crossed the wire for a client, from its side.
type Bytes struct {
	In           int64    `json:"in"`
	Out          int64    `json:"out"`
	PerDelivered *float64 `json:"per_delivered_event"` // in + out
}

// Client returns the results of the client named name, or nil.
func (r *Results) Client(name string) *ClientResults {
	for i := range r.Clients {
		if r.Clients[i].Name == name {
			return &r.Clients[i]
		}
	}
	return nil
}
