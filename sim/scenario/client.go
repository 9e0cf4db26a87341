package scenario

// Client is one consumer strategy: a poller or a webhook receiver, which a
// receiver can back with a reconciliation poll or a state sync (hybrids).
type Client struct {
	Name      string     `yaml:"name" required:"true" doc:"Required. Unique name; a row of the results. Letters, digits, '.', '_' and '-'."`
	Count     int        `yaml:"count" default:"1" doc:"Number of identical, independent subscribers this row stands for, each with its own phase and random streams. Figures are summed over them; the store serves all of them."`
	Poll      *Poll      `yaml:"poll" doc:"The client polls the store's API."`
	Webhook   *Webhook   `yaml:"webhook" doc:"The client receives the store's webhooks."`
	Reconcile *Reconcile `yaml:"reconcile" doc:"A webhook client also reads the whole feed every so often, to catch what push missed. Needs the poll API."`
	Sync      *Sync      `yaml:"sync" doc:"A webhook client also fetches the whole state every so often, making its mirror current. Needs the poll API."`
	Outages   []Outage   `yaml:"outages" doc:"Windows during which the client is down. A poller sends nothing; a webhook receiver refuses connections or hangs."`
}

// Poll is a polling strategy. Exactly one of interval, adaptive, aimd and
// long.
type Poll struct {
	Interval    Duration  `yaml:"interval" doc:"A fixed interval between polls."`
	Adaptive    *Adaptive `yaml:"adaptive" doc:"Exponential backoff: the interval grows after every empty poll and falls back to min on a hit."`
	AIMD        *AIMD     `yaml:"aimd" doc:"Additive increase, multiplicative decrease of the interval: longer by step after an empty poll, shorter by factor on a hit."`
	Long        *LongPoll `yaml:"long" doc:"Long polling: the store holds each request until an event arrives or the hold runs out, and the client asks again at once."`
	Loop        string    `yaml:"loop" default:"rate" enum:"rate,delay" doc:"With interval. rate: a fixed-rate ticker, so a poll leaves when due even if the previous one has not returned; delay: the next poll leaves interval after the previous response arrived."`
	Jitter      Duration  `yaml:"jitter" default:"0s" doc:"With interval. Each interval is interval + U(-jitter, +jitter). Less than interval."`
	Phase       *Duration `yaml:"phase" doc:"Time of the first poll. Absent: uniform in [0, interval) (or [0, min)), drawn per client, so clients do not poll in lock-step."`
	Paging      bool      `yaml:"paging" default:"true" doc:"Follow has_more at once with another request (kind page). false: read one page per poll and leave the rest for the next poll."`
	Conditional bool      `yaml:"conditional" default:"false" doc:"Send If-None-Match with the last ETag: the store answers 304 Not Modified, with no body, when nothing new is there."`
	PerResource bool      `yaml:"per_resource" default:"false" doc:"Poll each resource's own feed, every one on this schedule, rather than one feed of all events: a poll per resource per interval."`
	Backoff     *Backoff  `yaml:"backoff" doc:"After a 503, wait before polling again, doubling the wait at every error in a row. A 429's Retry-After is always honoured."`
}

// Adaptive is exponential backoff polling, reset on a hit.
type Adaptive struct {
	Min    Duration `yaml:"min" required:"true" doc:"Required. The interval after a poll that brought events."`
	Max    Duration `yaml:"max" required:"true" doc:"Required. The largest interval."`
	Factor float64  `yaml:"factor" default:"2" doc:"After an empty poll the interval is multiplied by factor, up to max. Above 1."`
}

// AIMD is additive-increase, multiplicative-decrease polling.
type AIMD struct {
	Min    Duration `yaml:"min" required:"true" doc:"Required. The shortest interval, and the first."`
	Max    Duration `yaml:"max" required:"true" doc:"Required. The longest interval."`
	Step   Duration `yaml:"step" required:"true" doc:"Required. After an empty poll the interval grows by step, up to max."`
	Factor float64  `yaml:"factor" default:"0.5" doc:"After a poll that brought events the interval is multiplied by factor, down to min. Between 0 and 1."`
}

// LongPoll is a request the store holds until there is something to say.
type LongPoll struct {
	Hold Duration `yaml:"hold" required:"true" doc:"Required. Longest time the store holds a request with nothing new before answering empty."`
}

// Backoff is the wait after a server error.
type Backoff struct {
	Initial Duration `yaml:"initial" required:"true" doc:"Required. Wait after the first 503."`
	Max     Duration `yaml:"max" required:"true" doc:"Required. Longest wait."`
}

// Webhook is a receiver of the store's webhooks.
type Webhook struct {
	Processing *Processing `yaml:"processing" doc:"How the receiver processes a delivery. Absent: at once, acknowledged on arrival."`
	Dedupe     *Dedupe     `yaml:"dedupe" doc:"Drop deliveries of an event already processed, by event ID (an atomic insert-if-absent before any side effect)."`
	Errors     float64     `yaml:"errors" default:"0" doc:"Probability that the receiver answers a delivery 500, without keeping it, independently. From 0 to 1."`
	Thin       bool        `yaml:"thin" default:"false" doc:"Deliveries carry the event's ID only: the client fetches each event from the API (a request of kind fetch) and holds it when the fetch returns. Needs the poll API."`
	Crashes    []Crash     `yaml:"crashes" doc:"Instants at which the receiver crashes: it loses what waits in a queue that is not durable, and refuses connections while it restarts."`
}

// Processing is what a receiver does with a delivery.
type Processing struct {
	Mode     string  `yaml:"mode" required:"true" enum:"sync,async" doc:"Required. sync: process, then acknowledge (a sender timeout shorter than processing makes duplicates); async: acknowledge at once and queue the work for workers."`
	Time     Latency `yaml:"time" required:"true" doc:"Required. Processing time of one event."`
	Workers  int     `yaml:"workers" default:"1" doc:"async: workers taking events from the queue."`
	Queue    int     `yaml:"queue" default:"1000" doc:"async: most events waiting; a delivery that finds the queue full is answered with overflow."`
	Durable  bool    `yaml:"durable" default:"false" doc:"async: the queue survives a crash. A receiver with a durable queue holds an event once it is queued; otherwise once it is processed."`
	Overflow string  `yaml:"overflow" default:"503" enum:"503,429" doc:"async: the status a full queue answers with. Senders with a floor wait at least that long after a 429."`
}

// Dedupe is deduplication by event ID.
type Dedupe struct {
	TTL Duration `yaml:"ttl" required:"true" doc:"Required. How long an event ID is remembered; a duplicate arriving later is processed again."`
}

// Crash is a receiver crash and restart.
type Crash struct {
	At      Duration `yaml:"at" required:"true" doc:"Required. Instant of the crash, from the start of the run."`
	Restart Duration `yaml:"restart" default:"1m" doc:"Time to restart, during which connections are refused."`
}

// Reconcile is a periodic read of the whole feed by a webhook client.
type Reconcile struct {
	Every Duration `yaml:"every" required:"true" doc:"Required. Time between reconciliation sweeps, each reading the feed from where the last left off, page after page."`
}

// Sync is a periodic fetch of the whole state by a webhook client.
type Sync struct {
	Every Duration `yaml:"every" required:"true" doc:"Required. Time between state syncs. A sync returns the current state of every resource (its size: resources × payload_bytes) and makes the client's mirror current."`
}

// Outage is a window in which a client is down.
type Outage struct {
	At   Duration `yaml:"at" required:"true" doc:"Required. Start of the outage, from the start of the run."`
	For  Duration `yaml:"for" required:"true" doc:"Required. Length of the outage."`
	Mode string   `yaml:"mode" default:"refuse" enum:"refuse,hang" doc:"refuse: connections are refused at once; hang: requests hang until the sender's timeout."`
}
