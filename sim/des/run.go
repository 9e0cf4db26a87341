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
	cfg := metrics.Config{Duration: sc.Duration.D(), End: sc.End().D(), Resources: sc.Store.Resources}
	plan := sc.Store.Webhooks.Plan()
	e.clients = make([]clientState, len(sc.Clients)) // final size: pollers point into it
	for i, cl := range sc.Clients {
		cs := &e.clients[i]
		*cs = clientState{
			name:   cl.Name,
			wakeAt: client.Never,
			net:    random.Stream(seed, "network/"+cl.Name),
		}
		outages := client.NewOutages(cl.Outages)
		switch {
		case cl.Poll != nil:
			cs.fixed = *client.NewFixedPoller(*cl.Poll, outages, random.Stream(seed, "client/"+cl.Name))
			cs.poller = &cs.fixed
			cs.reader = st.AddReader(cl.Name, seed)
		case cl.Webhook != nil:
			cs.receiver = client.NewReceiver(outages)
			cs.sender = store.NewSender(plan, random.New(seed, "store/sender/"+cl.Name))
			e.webhookClients = append(e.webhookClients, int32(i))
		}
		cc := metrics.ClientConfig{Name: cl.Name, Strategy: sc.Strategy(i), Polls: cl.Poll != nil}
		for _, o := range cl.Outages {
			cc.Outages = append(cc.Outages, metrics.Outage{AtS: o.At.D().Seconds(), ForS: o.For.D().Seconds(), Mode: o.Mode})
		}
		cfg.Clients = append(cfg.Clients, cc)
	}
	e.rec = metrics.NewRecorder(cfg)
	st.OnCreate = e.rec.Created
	for i := range e.clients {
		if p := e.clients[i].poller; p != nil {
			e.act(int32(i), client.Action{Wake: p.Start()})
		}
	}
	if len(e.webhookClients) > 0 {
		e.dispatcher = st.AddReader("webhook-dispatcher", seed)
		e.scheduleEmit()
	}
	return e, nil
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
	e.dispatch(it)
	e.events++
	return true
}

// results settles the end-of-run accounting and assembles the Results.
func (e *engine) results(sc *scenario.Scenario, interrupted bool) (*metrics.Results, error) {
	emitted := e.store.Emitted(e.now)
	tallies := make([]metrics.Tally, len(e.clients))
	for i := range e.clients {
		if p := e.clients[i].poller; p != nil {
			tallies[i].InFlight = e.settlePoller(int32(i), p.Cursor(), emitted)
		}
	}
	e.deliveries.each(func(d *delivery) {
		if !d.held {
			tallies[d.client].InFlight++
		}
	})
	info := metrics.ScenarioInfo{
		Name: sc.Name, Description: sc.Description, File: sc.File(), SHA256: sc.SHA256(),
		DurationS: sc.Duration.D().Seconds(), DrainS: sc.Drain.D().Seconds(),
	}
	run := metrics.RunInfo{
		Runner: Runner, Seed: sc.Seed, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Interrupted: interrupted, SimulatedS: e.now.Seconds(), Events: e.events,
	}
	return e.rec.Results(info, run, emitted, tallies)
}

// settlePoller accounts for the events after a poller's cursor when the run
// ends: those that aged out of the store are lost, the rest are in flight.
// It returns how many are in flight.
func (e *engine) settlePoller(c int32, cursor, emitted int64) int64 {
	first, last := e.store.Kept(e.now)
	for seq := cursor + 1; seq < first && seq <= emitted; seq++ {
		e.rec.Lost(int(c), seq, e.now, metrics.RetentionExpired)
	}
	return max(0, last-max(cursor+1, first)+1)
}
