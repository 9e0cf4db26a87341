package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// CapacityOptions bound a capacity measurement. Zero fields take the
// defaults in DefaultCapacity.
type CapacityOptions struct {
	// Network is where the store listens; nil is TCP on 127.0.0.1.
	Network Network
	// MaxP99 is the most a window's 99th percentile latency may be.
	MaxP99 time.Duration
	// MaxErrors is the largest share of a window's polls that may fail.
	MaxErrors float64
	// Start is the poll rate the ramp starts at, per second.
	Start float64
	// Slope is how many polls per second the ramp adds every second.
	Slope float64
	// MaxDuration bounds the ramp.
	MaxDuration time.Duration
	// Deliveries is how many webhook deliveries measure their cost.
	Deliveries int
	// Before, when set, is called with the store's URL once it listens and
	// before the ramp: to point another load generator at the same
	// endpoint in the same run.
	Before func(storeURL string)
	// Window, when set, is told each window of the ramp as it closes.
	Window func(CapacityWindow)
}

// DefaultCapacity are the bounds of a capacity measurement by default: a
// ramp from 100 polls/s, 300 more every second, for at most a minute, until
// two windows in a row have a p99 above 20 ms, more than 1 % errors, or fall
// short of the rate asked for by more than 10 %; then 20,000 webhook
// deliveries, enough for a CPU profile's samples to weigh them within a
// few per cent.
var DefaultCapacity = CapacityOptions{
	MaxP99: 20 * time.Millisecond, MaxErrors: 0.01, Start: 100, Slope: 300,
	MaxDuration: time.Minute, Deliveries: 20_000,
}

// CapacityWindow is one second of the ramp.
type CapacityWindow struct {
	AtS      float64 `json:"at_s"`      // start of the window, from the start of the ramp
	TargetS  float64 `json:"target"`    // polls per second the ramp asked for
	Achieved float64 `json:"achieved"`  // polls per second sent
	P99S     float64 `json:"p99_s"`     // 99th percentile latency
	Errors   float64 `json:"errors"`    // share of polls that failed
	Within   bool    `json:"within"`    // the window kept within every limit
	Broken   string  `json:"broken_by"` // which limit it broke, if any
}

// CapacityPollers is how many pollers of one client the sustainable rate
// serves.
type CapacityPollers struct {
	Client    string  `json:"client"`
	IntervalS float64 `json:"interval_s"` // mean time between a poller's requests
	Pollers   float64 `json:"pollers"`
}

// Capacity is what the store sustains on this machine.
type Capacity struct {
	// SustainablePollsS is the highest rate of a window within every
	// limit, before the ramp broke one.
	SustainablePollsS float64 `json:"sustainable_polls_per_s"`
	BrokenBy          string  `json:"broken_by"` // the limit that ended the ramp, or "" if it never broke one
	// Pollers says what the sustainable rate means for each polling client
	// of the scenario, at its interval.
	Pollers []CapacityPollers `json:"pollers"`
	// CPUPerPollS and CPUPerDeliveryS are the CPU time of one poll served
	// and of one webhook delivery made, as CPUBasis says.
	CPUPerPollS     float64 `json:"cpu_per_poll_s"`
	CPUPerDeliveryS float64 `json:"cpu_per_delivery_s"`
	CPUBasis        string  `json:"cpu_basis"`
	// DeliveriesS is how many webhook deliveries per second the CPU the
	// sustainable poll rate takes would make.
	DeliveriesS float64          `json:"webhook_deliveries_per_s"`
	Windows     []CapacityWindow `json:"windows"`
}

func (o CapacityOptions) withDefaults() CapacityOptions {
	d := DefaultCapacity
	if o.MaxP99 <= 0 {
		o.MaxP99 = d.MaxP99
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = d.MaxErrors
	}
	if o.Start <= 0 {
		o.Start = d.Start
	}
	if o.Slope <= 0 {
		o.Slope = d.Slope
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = d.MaxDuration
	}
	if o.Deliveries <= 0 {
		o.Deliveries = d.Deliveries
	}
	return o
}

// phaseWebhooks labels the goroutines of the webhook phase, to tell its
// CPU time from the ramp's.
const phaseWebhooks = "webhooks"

// MeasureCapacity ramps polling load on the store of sc, with vegeta's
// LinearPacer, until latency or errors break a limit, and reports the poll
// rate it sustained; then it makes webhook deliveries to a receiver that
// verifies them, and reports how many of those the same CPU time would
// make. It measures the store's own cost: the model's service times,
// network delays, rate limits and errors are left out.
func MeasureCapacity(ctx context.Context, sc *scenario.Scenario, opts CapacityOptions) (*Capacity, error) {
	opts = opts.withDefaults()
	bare := *sc
	bare.Store.API.RateLimit = nil
	bare.Store.API.Errors = 0
	bare.Store.API.Latency = scenario.FixedLatency(0)
	bare.Network.Latency = scenario.FixedLatency(0)
	bare.Clients = nil
	nw := opts.Network
	if nw == nil {
		nw = Loopback{}
	}
	w, err := newWorld(&bare, NewClock(time.Now(), 1), nw)
	if err != nil {
		return nil, err
	}
	w.addAnonymous()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	w.ctx = runCtx
	defer func() {
		stop()
		w.shutdown()
		w.wg.Wait()
	}()
	url, err := w.serve(sideStore, http.HandlerFunc(w.serveAPI))
	if err != nil {
		return nil, err
	}
	if opts.Before != nil {
		opts.Before(url)
	}
	prof := startCPUProfile()
	cpu0 := processCPU()
	storeReqs0 := w.served()
	res := &Capacity{}
	w.ramp(runCtx, url, opts, res)
	polls := w.served() - storeReqs0
	cpu1 := processCPU()
	delivered, err := w.webhookCost(runCtx, opts.Deliveries)
	cpu2 := processCPU()
	var byLabel map[labelKey]time.Duration
	var profErr error = errNoProfile
	if prof != nil {
		byLabel, profErr = prof.finish()
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	res.CPUBasis = "the whole process: the store, the load generator and the receiver"
	pollCPU, hookCPU := cpu1-cpu0, cpu2-cpu1
	if profErr == nil {
		pollCPU, hookCPU = 0, 0
		for k, d := range byLabel {
			switch {
			case k.side == sideStore && k.client == phaseWebhooks:
				hookCPU += d
			case k.side == sideStore:
				pollCPU += d
			}
		}
		res.CPUBasis = "the store's goroutines: its API server for polls, its webhook sender for deliveries (CPU profile labels)"
	}
	if polls > 0 {
		res.CPUPerPollS = pollCPU.Seconds() / float64(polls)
	}
	if delivered > 0 {
		res.CPUPerDeliveryS = hookCPU.Seconds() / float64(delivered)
	}
	if res.CPUPerDeliveryS > 0 {
		res.DeliveriesS = res.SustainablePollsS * res.CPUPerPollS / res.CPUPerDeliveryS
	}
	for _, cl := range sc.Clients {
		if cl.Poll == nil {
			continue
		}
		interval := pollInterval(*cl.Poll)
		feeds := 1.0
		if cl.Poll.PerResource {
			feeds = float64(sc.Store.Resources)
		}
		res.Pollers = append(res.Pollers, CapacityPollers{Client: cl.Name, IntervalS: interval.Seconds(),
			Pollers: res.SustainablePollsS * interval.Seconds() / feeds})
	}
	return res, nil
}

// errNoProfile says that no CPU profile could be taken: another runs.
var errNoProfile = errors.New("a CPU profile is already running")

// pollInterval is the mean time between a poller's requests, at its
// shortest: its interval, its adaptive minimum, or its long-poll hold.
func pollInterval(p scenario.Poll) time.Duration {
	switch {
	case p.Adaptive != nil:
		return p.Adaptive.Min.D()
	case p.AIMD != nil:
		return p.AIMD.Min.D()
	case p.Long != nil:
		return p.Long.Hold.D()
	}
	return p.Interval.D()
}

// served is how many requests the store has taken part in.
func (w *world) served() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.storeReqs
}

// ramp runs the linear ramp against the store at url and fills in the
// sustainable rate and the windows.
func (w *world) ramp(ctx context.Context, url string, opts CapacityOptions, res *Capacity) {
	tr := &http.Transport{DialContext: w.net.DialContext, MaxConnsPerHost: 512, MaxIdleConnsPerHost: 512, DisableCompression: true}
	defer tr.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: tr, Timeout: 5 * time.Second}), vegeta.Workers(32))
	pacer := vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: int(opts.Start), Per: time.Second}, Slope: opts.Slope}
	target := func(t *vegeta.Target) error {
		w.mu.Lock()
		head := w.store.Emitted(w.clock.Now())
		w.mu.Unlock()
		t.Method, t.URL = http.MethodGet, url+"/v1/events?after="+strconv.FormatInt(head, 10)
		return nil
	}
	stopAtk := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stopAtk()
	began := time.Now()
	var windows []*rampWindow
	closed, failing := 0, 0
	closeUpTo := func(n int) {
		for ; closed < n && closed < len(windows); closed++ {
			cw := windows[closed].close(float64(closed), pacer.Rate(time.Duration(closed)*time.Second+time.Second/2), opts)
			res.Windows = append(res.Windows, cw)
			if opts.Window != nil {
				opts.Window(cw)
			}
			if res.BrokenBy != "" {
				continue
			}
			if cw.Within {
				failing = 0
				continue
			}
			if failing++; failing == 2 {
				res.BrokenBy = cw.Broken
				atk.Stop()
			}
		}
	}
	for r := range atk.Attack(target, pacer, opts.MaxDuration, "capacity") {
		i := int(r.Timestamp.Sub(began) / time.Second)
		if i < 0 {
			continue
		}
		for len(windows) <= i {
			windows = append(windows, newRampWindow())
		}
		windows[i].add(r)
		closeUpTo(i - 1) // a window is closed once its successor's successor begins
	}
	closeUpTo(len(windows) - 1) // the last window was cut short
	// The sustainable rate: the best window within the limits before the
	// pair that broke them.
	last := len(res.Windows)
	if res.BrokenBy != "" {
		for i := range res.Windows {
			if !res.Windows[i].Within && i+1 < len(res.Windows) && !res.Windows[i+1].Within {
				last = i
				break
			}
		}
	}
	for _, cw := range res.Windows[:last] {
		if cw.Within {
			res.SustainablePollsS = math.Max(res.SustainablePollsS, cw.Achieved)
		}
	}
}

// rampWindow collects one second of the ramp.
type rampWindow struct {
	n, errors int64
	latency   *hdrhistogram.Histogram
}

func newRampWindow() *rampWindow {
	return &rampWindow{latency: hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 2)}
}

func (rw *rampWindow) add(r *vegeta.Result) {
	rw.n++
	if r.Code != http.StatusOK {
		rw.errors++
	}
	_ = rw.latency.RecordValue(min(max(int64(r.Latency/time.Microsecond), 1), int64(time.Minute/time.Microsecond)))
}

func (rw *rampWindow) close(at, target float64, opts CapacityOptions) CapacityWindow {
	cw := CapacityWindow{AtS: at, TargetS: target, Achieved: float64(rw.n)}
	if rw.n > 0 {
		cw.P99S = float64(rw.latency.ValueAtPercentile(99)) / 1e6
		cw.Errors = float64(rw.errors) / float64(rw.n)
	}
	switch {
	case cw.P99S > opts.MaxP99.Seconds():
		cw.Broken = fmt.Sprintf("p99 latency %.1f ms above %v at %.0f polls/s", cw.P99S*1e3, opts.MaxP99, cw.Achieved)
	case cw.Errors > opts.MaxErrors:
		cw.Broken = fmt.Sprintf("%.1f %% errors, above %.1f %%, at %.0f polls/s", cw.Errors*100, opts.MaxErrors*100, cw.Achieved)
	case cw.Achieved < 0.9*target:
		cw.Broken = fmt.Sprintf("%.0f polls/s sent of the %.0f asked for", cw.Achieved, target)
	}
	cw.Within = cw.Broken == ""
	return cw
}

// webhookCost makes n webhook deliveries, signed, to a receiver that
// verifies each, from goroutines labelled as the store's webhook sender,
// and returns how many the receiver took.
func (w *world) webhookCost(ctx context.Context, n int) (int, error) {
	hook, err := standardwebhooks.NewWebhook(NewSecret())
	if err != nil {
		return 0, fmt.Errorf("making a signing secret: %w", err)
	}
	receiver := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxWebhookBody))
		if err != nil || verify(hook, body, r.Header, time.Now()) != nil {
			http.Error(rw, "rejected", http.StatusUnauthorized)
			return
		}
		rw.WriteHeader(http.StatusOK)
	})
	url, err := w.serve(sideClient, receiver)
	if err != nil {
		return 0, err
	}
	tr := &http.Transport{DialContext: w.net.DialContext, MaxConnsPerHost: 16, MaxIdleConnsPerHost: 16, DisableCompression: true}
	defer tr.CloseIdleConnections()
	out := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	jobs := make(chan int64)
	var taken atomic.Int64
	var wg sync.WaitGroup
	pprof.Do(context.Background(), pprof.Labels(labelSide, sideStore, labelClient, phaseWebhooks), func(context.Context) {
		for range 8 {
			wg.Go(func() {
				for seq := range jobs {
					if deliver(ctx, out, url, hook, w.codec, seq) {
						taken.Add(1)
					}
				}
			})
		}
	})
	for seq := int64(1); seq <= int64(n) && ctx.Err() == nil; seq++ {
		jobs <- seq
	}
	close(jobs)
	wg.Wait()
	return int(taken.Load()), nil
}

// deliver signs and POSTs one webhook, and reports whether it was taken.
func deliver(ctx context.Context, out *http.Client, url string, hook *standardwebhooks.Webhook, c codec, seq int64) bool {
	body := c.appendWebhook(nil, store.Event{Seq: seq, Size: int32(c.payload)}, false, 0)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	now := time.Now()
	id := messageID(seq)
	sig, err := hook.Sign(id, now, body)
	if err != nil {
		return false
	}
	req.Header.Set(standardwebhooks.HeaderWebhookID, id)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	req.Header.Set("Content-Type", "application/json")
	resp, err := out.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
