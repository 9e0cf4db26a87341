// Package des runs a scenario in virtual time: a discrete-event simulation on
// one goroutine, with a heap of scheduled events ordered by (time, seq) and
// one seeded random stream per component. The same scenario and seed give
// the same results, byte for byte.
//
// The runner only drives: what happens is decided by the store and the
// client strategies (sim/store, sim/client) and measured by sim/metrics.
package des

import (
	"context"
	"fmt"
	"runtime"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// Runner is the name results give this runner.
const Runner = "des"

// checkEvery is how many events pass between looks at the context and
// between trims of the store's log.
const checkEvery = 1 << 14

// Options adjust a run without changing what it simulates.
type Options struct {
	// Trace, when set, sees every delivery, duplicate and drop as it is
	// recorded.
	Trace func(metrics.Record)
}

// Run simulates sc with its seed and returns what it measured. When ctx is
// cancelled the run stops and returns the results so far, marked
// interrupted, together with ctx's error. When the accounting of events does
// not balance it returns the results and an error wrapping
// metrics.ErrInvariant.
func Run(ctx context.Context, sc *scenario.Scenario, opts Options) (*metrics.Results, error) {
	e, err := build(sc)
	if err != nil {
		return nil, err
	}
	e.rec.Trace = opts.Trace
	interrupted := e.loop(ctx)
	res, err := e.results(sc, interrupted)
	if interrupted {
		return res, ctx.Err()
	}
	return res, err
}

// build creates the store, the clients and the recorder of sc.
func build(sc *scenario.Scenario) (*engine, error) {
	seed := sc.Seed
	st, err := store.New(sc, seed)
	if err != nil {
		return nil, fmt.Errorf("building the store of %s: %w", sc.Name, err)
	}
	e := &engine{
		end:     sc.End().D(),
		store:   st,
		network: sc.Network.Latency.Distribution(),
	}
	e.rec = metrics.NewRecorder(client.RecorderConfig(sc))
	st.OnCreate = e.rec.Created

	plan := sc.Store.Webhooks.Plan()
	for i, cl := range sc.Clients {
		outages := client.NewOutages(cl.Outages)
		for k := range max(cl.Count, 1) {
			name := client.SubscriberName(cl, k)
			s := int32(len(e.subs))
			sub := subscriber{row: int32(i), net: random.Stream(seed, "network/"+name), endpoint: -1, reconcile: -1, sync: -1}
			loops := client.NewLoops(cl, name, sc.Store.Resources, outages, seed)
			for _, p := range loops.Feeds {
				sub.polls = append(sub.polls, e.addLoop(s, p))
			}
			if cl.Webhook != nil {
				sub.endpoint = e.addEndpoint(s, sc, cl, outages, plan, name)
				e.webhookSubs = append(e.webhookSubs, s)
			}
			if loops.Reconcile != nil {
				sub.reconcile = e.addLoop(s, loops.Reconcile)
			}
			if loops.Sync != nil {
				sub.sync = e.addLoop(s, loops.Sync)
			}
			sub.losses = client.NewLosses(sub.endpoint >= 0 && sub.hybrid())
			sub.reader = st.AddReader(name, seed, loops.Use)
			e.subs = append(e.subs, sub)
		}
	}
	for l := range e.loops {
		e.act(int32(l), client.Action{Wake: e.loops[l].poller.Start()})
	}
	if len(e.webhookSubs) > 0 {
		e.dispatcher = st.AddReader("webhook-dispatcher", seed, store.ReadsFeed)
		e.scheduleEmit()
	}
	e.startSampling(sc.Duration.D(), seed)
	return e, nil
}

func (e *engine) addLoop(s int32, p *client.Poller) int32 {
	e.loops = append(e.loops, loop{sub: s, poller: p, wakeAt: client.Never})
	return int32(len(e.loops) - 1)
}

func (e *engine) addEndpoint(s int32, sc *scenario.Scenario, cl scenario.Client, outages client.Outages, plan scenario.RetryPlan, name string) int32 {
	w := sc.Store.Webhooks
	ep := int32(len(e.endpoints))
	x := endpoint{
		sub:       s,
		sender:    store.NewSender(plan, w.Concurrency, random.New(sc.Seed, "store/sender/"+name)),
		receiver:  client.NewReceiver(*cl.Webhook, outages, random.New(sc.Seed, "client/"+name+"/receiver")),
		faults:    store.NewFaults(w, random.Stream(sc.Seed, "store/sender-faults/"+name)),
		thin:      cl.Webhook.Thin,
		processes: client.Processes(cl),
	}
	for i, c := range x.receiver.Crashes() {
		e.schedule(c.At.D(), kindCrash, ep, int32(i), 0)
	}
	e.endpoints = append(e.endpoints, x)
	return ep
}

// loop processes events in time order until the run ends or ctx is done,
// and reports whether it was interrupted.
func (e *engine) loop(ctx context.Context) bool {
	for e.step() {
		if e.events%checkEvery == 0 {
			if ctx.Err() != nil {
				return true
			}
			e.store.Advance(e.now)
		}
	}
	if ctx.Err() != nil {
		return true
	}
	e.now = e.end
	return false
}

// step processes the next event, and reports false when none is left
// before the end of the run.
func (e *engine) step() bool {
	if e.q.len() == 0 || e.q.peek().at >= e.end {
		return false
	}
	it := e.q.pop()
	e.now = it.at
	e.dispatch(&it)
	e.events++
	return true
}

// results settles the end-of-run accounting and assembles the Results.
func (e *engine) results(sc *scenario.Scenario, interrupted bool) (*metrics.Results, error) {
	emitted := e.store.Emitted(e.now)
	tallies := make([]metrics.Tally, len(sc.Clients))
	pending := e.pipeline()
	for s := range e.subs {
		tallies[e.subs[s].row].InFlight += e.account(int32(s), emitted, pending[int32(s)])
	}
	info := client.ScenarioInfo(sc)
	run := metrics.RunInfo{
		Runner: Runner, Seed: sc.Seed, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Interrupted: interrupted, SimulatedS: e.now.Seconds(), Events: e.events,
	}
	return e.rec.Results(info, run, emitted, tallies)
}
