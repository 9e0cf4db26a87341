// Package live runs a scenario over real HTTP on the loopback interface:
// the store is a net/http server, fixed-rate poll fleets are paced by
// vegeta's Attacker, other strategies run their own loops on one shared
// http.Client, and webhooks are real POSTs signed with the Standard
// Webhooks library to receiver servers that verify them.
//
// The runner only drives: what happens is decided by the same code the
// discrete-event runner drives (sim/store, sim/client), given scenario
// instants from a Clock, and measured by the same Recorder (sim/metrics).
// It adds what only a live run can measure: status codes, wall-clock
// latencies, how late each scheduled request left, CPU and bytes on the
// wire. docs/live.md says how its results compare with the simulation's.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Runner is the name results give this runner.
const Runner = "live"

// Options adjust a live run.
type Options struct {
	// Speedup divides every scenario duration: at 60, a scenario hour
	// takes a wall-clock minute. 0 means 1. Results are in scenario time.
	Speedup float64
	// Network is where servers listen and clients connect; nil is TCP on
	// 127.0.0.1.
	Network Network
	// Vegeta, when set, receives every HTTP exchange of the run as a
	// vegeta Result, gob-encoded as vegeta's own attack writes them: the
	// file vegeta report and vegeta plot read. One attack per client.
	Vegeta io.Writer
	// ProfileCPU measures the store's CPU time with a CPU profile of the
	// run. Only one profile can run in a process at a time; when another
	// is running, the store's CPU is not measured.
	ProfileCPU bool
	// Trace, when set, sees every delivery, duplicate and drop as it is
	// recorded.
	Trace func(metrics.Record)
	// Started, when set, is told the store's URL once every server
	// listens.
	Started func(storeURL string)
}

// shutdownGrace bounds how long servers wait for their connections to
// finish once the run stops.
const shutdownGrace = 2 * time.Second

// Run runs sc live, with its seed, and returns what it measured in the
// same Results as the simulation, with the HTTP section filled in. When ctx
// is cancelled the run stops, shuts every server down and returns the
// results so far, marked interrupted, with ctx's error. When the accounting
// of events does not balance it returns the results and an error wrapping
// metrics.ErrInvariant.
func Run(ctx context.Context, sc *scenario.Scenario, opts Options) (*metrics.Results, error) {
	nw := opts.Network
	if nw == nil {
		nw = Loopback{}
	}
	clock := NewClock(time.Now(), opts.Speedup)
	w, err := newWorld(sc, clock, nw)
	if err != nil {
		return nil, err
	}
	w.rec.Trace = opts.Trace
	if opts.Vegeta != nil {
		w.results = newResultWriter(opts.Vegeta)
	}
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	w.ctx = runCtx
	if err := w.listen(); err != nil {
		stop()
		w.shutdown()
		w.wg.Wait()
		return nil, err
	}
	if opts.Started != nil {
		opts.Started(w.apiURL)
	}
	var prof *cpuProfile
	if opts.ProfileCPU {
		prof = startCPUProfile()
	}
	rusage0 := processCPU()
	w.start()
	interrupted := !sleepUntil(ctx, clock, w.end)

	w.mu.Lock()
	w.closed = true
	w.stoppedAt = min(clock.Now(), w.end)
	if !interrupted {
		w.stoppedAt = w.end
	}
	w.mu.Unlock()
	wallEnd := time.Now()
	stop()
	w.shutdown()
	w.wg.Wait()
	cpu := metrics.CPU{Process: processCPU() - rusage0}
	if prof != nil {
		if byLabel, perr := prof.finish(); perr == nil {
			storeCPU(&cpu, byLabel, len(sc.Clients), w.rowIndex())
		}
	}
	if w.results != nil {
		if ferr := w.results.flush(); ferr != nil && err == nil {
			err = fmt.Errorf("writing vegeta results: %w", ferr)
		}
	}
	res, rerr := w.assemble(interrupted, wallEnd.Sub(clock.Wall(0)), cpu)
	switch {
	case interrupted:
		return res, ctx.Err()
	case rerr != nil:
		return res, rerr
	}
	return res, err
}

// listen starts the store's server and every receiver's.
func (w *world) listen() error {
	mux := http.HandlerFunc(w.serveAPI)
	url, err := w.serve(sideStore, mux)
	if err != nil {
		return err
	}
	w.apiURL = url
	for _, ep := range w.endpoints {
		ep.hook, err = standardwebhooks.NewWebhook(NewSecret())
		if err != nil {
			return fmt.Errorf("making a signing secret: %w", err)
		}
		u, err := w.serve(sideClient, w.receive(ep))
		if err != nil {
			return err
		}
		ep.url = u + "/webhook"
		ep.out = &http.Client{Transport: &http.Transport{
			DialContext:        w.net.DialContext,
			MaxConnsPerHost:    senderConnections(w.sc.Store.Webhooks.Concurrency),
			DisableCompression: true,
		}, CheckRedirect: noRedirects}
	}
	w.client = &http.Client{Transport: &http.Transport{
		DialContext:         w.net.DialContext,
		MaxConnsPerHost:     256,
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
	}, Timeout: w.requestTimeout(), CheckRedirect: noRedirects}
	return nil
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// senderConnections bounds a sender's connections to one endpoint: its
// concurrency, or a few hundred.
func senderConnections(concurrency int) int {
	if concurrency > 0 {
		return concurrency
	}
	return 256
}

// requestTimeout bounds an API request in wall-clock time: long enough for
// the longest hold the API allows, and the model's slowest answer.
func (w *world) requestTimeout() time.Duration {
	return w.clock.Scale(max(maxWait, w.end)) + 30*time.Second
}

// serve starts an http.Server for h on a new listener, its goroutines
// labelled with side for the CPU profile, and returns its URL.
func (w *world) serve(side string, h http.Handler) (string, error) {
	ln, err := w.net.Listen()
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		BaseContext: func(net.Listener) context.Context { return w.ctx }}
	w.servers = append(w.servers, srv)
	w.wg.Add(1)
	labelled(side, func() {
		go func() {
			defer w.wg.Done()
			_ = srv.Serve(ln) // ends with http.ErrServerClosed at shutdown
		}()
	})
	return "http://" + ln.Addr().String(), nil
}

// start starts every loop, every fleet, the webhook dispatcher and the
// timers.
func (w *world) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timers.kick = make(chan struct{}, 1)
	rates := map[int]float64{}
	for _, l := range w.loops {
		cl := w.sc.Clients[l.sub.row]
		if l.sub.reconcile != l && l.sub.sync != l && onTicker(cl.Poll) {
			rates[l.sub.row] += 1 / cl.Poll.Interval.D().Seconds()
		}
	}
	fleets := map[int]*fleet{}
	for row, rate := range rates {
		slowest := w.clock.Scale(w.sc.Store.API.Latency.Distribution().Quantile(0.99) + 2*w.delays.Quantile(0.99))
		fleets[row] = w.newFleet(row, rate, fleetConnections(rate*w.clock.Speedup(), slowest))
	}
	for _, l := range w.loops {
		cl := w.sc.Clients[l.sub.row]
		if l.sub.reconcile != l && l.sub.sync != l && onTicker(cl.Poll) {
			l.fleet = fleets[l.sub.row]
		}
		w.act(l, client.Action{Wake: l.poller.Start()}, time.Time{}, true)
		if l.fleet == nil {
			w.spawn(w.labels[l.sub.row].client, func() { w.drive(l) })
		}
	}
	for _, f := range w.fleets {
		w.spawn(w.labels[f.row].client, func() { f.attack(w.ctx) })
	}
	for _, ep := range w.endpoints {
		for i, c := range ep.receiver.Crashes() {
			w.after(c.At.D(), func(now time.Duration) { w.crash(ep, i, now) })
		}
	}
	if len(w.endpoints) > 0 {
		w.spawn(storeLabels, w.dispatch)
	}
	w.startSampling()
	w.spawn(runnerLabels, w.runTimers)
}

// shutdown stops every server: at once for new requests, and after a grace
// period for those under way, whose handlers see their context done.
func (w *world) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, srv := range w.servers {
		srv.SetKeepAlivesEnabled(false)
	}
	for _, srv := range w.servers {
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close() // the grace period ran out: cut what is left
		}
	}
	if w.client != nil {
		w.client.CloseIdleConnections()
	}
	for _, ep := range w.endpoints {
		if ep.out != nil {
			ep.out.CloseIdleConnections()
		}
	}
	for _, f := range w.fleets {
		f.transport.CloseIdleConnections()
	}
}

// assemble settles the accounting and assembles the Results.
func (w *world) assemble(interrupted bool, wall time.Duration, cpu metrics.CPU) (*metrics.Results, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	emitted := w.store.Emitted(w.stoppedAt)
	tallies := w.tallies(emitted)
	sc := w.sc
	info := client.ScenarioInfo(sc)
	w.hmu.Lock()
	httpRes := w.http.Results(w.clock.Speedup(), wall, w.storeReqs, cpu)
	w.hmu.Unlock()
	run := metrics.RunInfo{
		Runner: Runner, Seed: sc.Seed, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Interrupted: interrupted, SimulatedS: w.stoppedAt.Seconds(), Events: httpRes.Exchanges,
	}
	res, err := w.rec.Results(info, run, emitted, tallies)
	if res != nil {
		res.HTTP = httpRes
	}
	if err != nil && !errors.Is(err, metrics.ErrInvariant) {
		return res, fmt.Errorf("assembling results: %w", err)
	}
	return res, err
}

// rowIndex maps a client's name to its row.
func (w *world) rowIndex() map[string]int {
	m := map[string]int{}
	for i, cl := range w.sc.Clients {
		m[cl.Name] = i
	}
	return m
}
