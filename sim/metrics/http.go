package metrics

import (
	"math"
	"slices"
	"strconv"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// HTTP is what the live runner measured on the wire, in wall-clock time:
// what the simulation cannot see. Only live runs have it; durations in it
// are wall-clock seconds, not scenario seconds.
type HTTP struct {
	Speedup   float64 `json:"speedup"`   // scenario seconds per wall-clock second
	WallS     float64 `json:"wall_s"`    // wall-clock length of the run
	Exchanges int64   `json:"exchanges"` // HTTP exchanges started, drain included
	// ProcessCPUS is the CPU time of the whole process: the store, the
	// clients and the runner.
	ProcessCPUS float64 `json:"process_cpu_s"`
	// StoreCPUS is the CPU time of the store's goroutines alone: its API
	// server and its webhook sender, each connection included. Null when
	// it was not measured.
	StoreCPUS *float64 `json:"store_cpu_s"`
	// StoreRequests counts the exchanges the store took part in: API
	// requests it served and webhook attempts it made.
	StoreRequests   int64        `json:"store_requests"`
	StoreCPUPer1000 *float64     `json:"store_cpu_s_per_1000_requests"`
	Clients         []HTTPClient `json:"clients"`
}

// HTTPClient is one client row's HTTP exchanges, drain included: its
// requests to the store's API, and the webhook attempts the store made to
// its receivers.
type HTTPClient struct {
	Name      string `json:"name"`
	Exchanges int64  `json:"exchanges"`
	// Status counts the exchanges by HTTP status code, and as "error"
	// those that got no response (a refused connection, a timeout).
	Status map[string]int64 `json:"status"`
	// Latency is from the moment a request was started to its response
	// read in full.
	Latency WallLatency `json:"latency"`
	// Lateness is, for every request sent on a schedule, the time from the
	// instant it was due to the moment it was written to the connection: a
	// poll is due at its tick; a webhook attempt at its event's creation, at
	// its retry's instant, or when a concurrency slot freed for it.
	Lateness WallLatency `json:"lateness"`
	// Behind is, for every message that can carry events to the client (a
	// poll's answer, a webhook attempt), how much later than the model it
	// reached the client: from the instant the model has it arrive, counted
	// from when its request was due, to the moment it did. It bounds what
	// the run added to any delivery's latency.
	Behind WallLatency `json:"behind"`
	// WireIn and WireOut are the bytes the client received and sent, as the
	// servers counted them: request or status line, headers and body.
	WireIn  int64 `json:"wire_bytes_in"`
	WireOut int64 `json:"wire_bytes_out"`
	// StoreCPUS is the store's CPU time spent on this client: serving its
	// requests or sending it webhooks. Null when it was not measured.
	StoreCPUS *float64 `json:"store_cpu_s"`
	// Rejected counts, for a webhook receiver, the deliveries it refused
	// before its model saw them, by reason: forged, stale, truncated,
	// oversized, malformed, unknown.
	Rejected map[string]int64 `json:"rejected,omitempty"`
}

// WallLatency summarises wall-clock durations, from an HDR histogram with
// two significant digits, never beyond the max; the mean and the max are
// exact.
type WallLatency struct {
	Count int64   `json:"count"`
	MeanS float64 `json:"mean_s"`
	P50S  float64 `json:"p50_s"`
	P90S  float64 `json:"p90_s"`
	P99S  float64 `json:"p99_s"`
	P999S float64 `json:"p999_s"`
	MaxS  float64 `json:"max_s"`
}

// The reasons a receiver rejects a delivery before its model sees it.
const (
	RejectForged    = "forged"    // the signature does not verify
	RejectStale     = "stale"     // the timestamp is outside the tolerance: a replay, or a clock far off
	RejectTruncated = "truncated" // the body ended before its announced length
	RejectOversized = "oversized" // the body is larger than the receiver takes
	RejectMalformed = "malformed" // the body or the headers do not parse
	RejectUnknown   = "unknown"   // it names no delivery the sender has under way
)

// HTTPRecorder collects the HTTP-level figures of a live run. It is not safe
// for concurrent use.
type HTTPRecorder struct {
	names []string
	rows  []httpRow
}

type httpRow struct {
	exchanges int64
	status    map[int]int64
	errors    int64
	latency   *wallLatencies
	lateness  *wallLatencies
	behind    *wallLatencies
	wireIn    int64
	wireOut   int64
	rejected  map[string]int64
}

// NewHTTPRecorder returns a recorder for the client rows named names, indexed
// as listed.
func NewHTTPRecorder(names []string) *HTTPRecorder {
	r := &HTTPRecorder{names: names, rows: make([]httpRow, len(names))}
	for i := range r.rows {
		r.rows[i] = httpRow{status: map[int]int64{}, latency: newWallLatencies(), lateness: newWallLatencies(), behind: newWallLatencies(), rejected: map[string]int64{}}
	}
	return r
}

// Exchange records that an exchange of row ended with status (0 for no
// response) after latency.
func (r *HTTPRecorder) Exchange(row, status int, latency time.Duration) {
	x := &r.rows[row]
	x.exchanges++
	if status == 0 {
		x.errors++
	} else {
		x.status[status]++
	}
	x.latency.record(latency)
}

// Late records how late a scheduled request of row left.
func (r *HTTPRecorder) Late(row int, late time.Duration) { r.rows[row].lateness.record(max(late, 0)) }

// Behind records how much later than the model a message of row reached
// its client.
func (r *HTTPRecorder) Behind(row int, behind time.Duration) {
	r.rows[row].behind.record(max(behind, 0))
}

// Wire records bytes that crossed the wire for row: in to the client, out
// from it.
func (r *HTTPRecorder) Wire(row int, in, out int) {
	r.rows[row].wireIn += int64(in)
	r.rows[row].wireOut += int64(out)
}

// Rejected records that row's receiver rejected a delivery for reason.
func (r *HTTPRecorder) Rejected(row int, reason string) { r.rows[row].rejected[reason]++ }

// CPU is the CPU time a run measured. Store and ByRow are nil when the
// store's share was not measured.
type CPU struct {
	Process time.Duration
	Store   *time.Duration
	ByRow   []time.Duration // the store's CPU per client row
}

// Results assembles the HTTP section of a live run that lasted wall at the
// given speedup, in which the store took part in storeRequests exchanges.
func (r *HTTPRecorder) Results(speedup float64, wall time.Duration, storeRequests int64, cpu CPU) *HTTP {
	h := &HTTP{Speedup: speedup, WallS: wall.Seconds(), ProcessCPUS: cpu.Process.Seconds(), StoreRequests: storeRequests, Clients: []HTTPClient{}}
	if cpu.Store != nil {
		s := cpu.Store.Seconds()
		h.StoreCPUS = &s
		if storeRequests > 0 {
			per := s / float64(storeRequests) * 1000
			h.StoreCPUPer1000 = &per
		}
	}
	for i := range r.rows {
		x := &r.rows[i]
		c := HTTPClient{Name: r.names[i], Exchanges: x.exchanges, Status: map[string]int64{},
			Latency: x.latency.results(), Lateness: x.lateness.results(), Behind: x.behind.results(), WireIn: x.wireIn, WireOut: x.wireOut}
		codes := make([]int, 0, len(x.status))
		for code := range x.status {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			c.Status[strconv.Itoa(code)] = x.status[code]
		}
		if x.errors > 0 {
			c.Status["error"] = x.errors
		}
		if len(x.rejected) > 0 {
			c.Rejected = x.rejected
		}
		if cpu.ByRow != nil && i < len(cpu.ByRow) {
			s := cpu.ByRow[i].Seconds()
			c.StoreCPUS = &s
		}
		h.Exchanges += x.exchanges
		h.Clients = append(h.Clients, c)
	}
	return h
}

// wallLatencies is a histogram of wall-clock durations in microseconds, up
// to an hour, with the exact mean and max beside it.
type wallLatencies struct {
	h       *hdrhistogram.Histogram
	count   int64
	sumS    float64
	maxSeen time.Duration
}

const wallHighest = int64(time.Hour / time.Microsecond)

func newWallLatencies() *wallLatencies {
	return &wallLatencies{h: hdrhistogram.New(1, wallHighest, latencyDigits)}
}

func (l *wallLatencies) record(d time.Duration) {
	l.count++
	l.sumS += d.Seconds()
	l.maxSeen = max(l.maxSeen, d)
	_ = l.h.RecordValue(min(max(int64(d/time.Microsecond), 1), wallHighest)) // within range
}

func (l *wallLatencies) results() WallLatency {
	res := WallLatency{Count: l.count}
	if l.count == 0 {
		return res
	}
	res.MaxS = math.Max(l.maxSeen.Seconds(), 0)
	// A bucket's upper edge can lie beyond the largest value recorded.
	at := func(p float64) float64 { return math.Min(unitSeconds(l.h.ValueAtPercentile(p)), res.MaxS) }
	res.MeanS = l.sumS / float64(l.count)
	res.P50S, res.P90S, res.P99S, res.P999S = at(50), at(90), at(99), at(99.9)
	return res
}
