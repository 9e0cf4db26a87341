package live

import (
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// world is one live run: the decision core (the store, the pollers, the
// senders, the receivers and the Recorder), the runner's own accounting,
// and the servers and clients that carry it over HTTP.
//
// The decision core is not safe for concurrent use: mu serialises every
// call into it, and guards the accounting next to it. Nothing blocks while
// holding mu: every wait (a network delay, a service time, a long-poll
// hold, an HTTP exchange) happens outside it.
type world struct {
	sc       *scenario.Scenario
	clock    Clock
	codec    codec
	duration time.Duration
	end      time.Duration
	net      Network
	ctx      context.Context // done when the run stops
	wg       sync.WaitGroup  // every goroutine the run started

	mu         sync.Mutex
	store      *store.Store
	rec        *metrics.Recorder
	delays     random.Durations // the modelled one-way network delay
	subs       []*subscriber
	byName     map[string]*subscriber
	loops      []*loop
	endpoints  []*endpoint
	deliveries map[int32]*delivery
	lastID     int32
	fetches    map[*fetch]bool // thin deliveries' fetches under way, parked ones included
	dispatcher store.Reader
	dispatched int64 // the last event handed to the sender
	anonymous  *subscriber
	closed     bool          // the run is over: nothing more is recorded
	stoppedAt  time.Duration // the instant it ended, once closed
	storeReqs  int64         // exchanges the store took part in
	timers     timers

	hmu  sync.Mutex // guards http
	http *metrics.HTTPRecorder

	pmu     sync.Mutex // guards pending
	pending map[uint64]*pending
	lastReq atomic.Uint64

	apiURL  string
	client  *http.Client   // shared by every request but the fleets'
	results *resultWriter  // vegeta.bin, or nil
	labels  []labelContext // per client row, for the CPU profile
	fleets  []*fleet
	servers []*http.Server
}

// labelContext carries the pprof labels of a client row's goroutines.
type labelContext struct{ store, client context.Context }

// subscriber is one subscriber of a client row: the row itself, or one of
// its count.
type subscriber struct {
	index    int // in the Recorder
	row      int
	name     string // its identity at the API: the client's name, with #k for one of a count
	reader   store.Reader
	net      random.Source // its modelled network delays
	endpoint *endpoint     // its webhook endpoint, or nil
	polls    []*loop       // its poller's feeds
	// Hybrids: a second path can still deliver what push lost, and push
	// what the second path found aged out; losses says when a loss is final.
	reconcile *loop
	sync      *loop
	losses    client.Losses
}

// hybrid reports whether s has a second path beside push.
func (s *subscriber) hybrid() bool { return s.reconcile != nil || s.sync != nil }

// loop is one polling loop: a poller's feed, a reconciliation or a state
// sync. A loop on a fixed-rate ticker is driven by its client's vegeta
// fleet; any other by a goroutine of its own.
type loop struct {
	sub    *subscriber
	poller *client.Poller
	fleet  *fleet        // nil: driven by a goroutine
	wakeAt time.Duration // the wake-up asked for, or client.Never
	gen    uint32        // bumped at every new wake-up: older ones are stale
	kick   chan struct{} // wakes the loop's goroutine when wakeAt changes
}

// newWorld builds the store, the clients and the Recorder of sc, as the
// discrete-event runner does: the same random streams by the same names,
// so that the same events arrive and every poller keeps the same phase.
func newWorld(sc *scenario.Scenario, clock Clock, nw Network) (*world, error) {
	seed := sc.Seed
	st, err := store.New(sc, seed)
	if err != nil {
		return nil, fmt.Errorf("building the store of %s: %w", sc.Name, err)
	}
	w := &world{
		sc: sc, clock: clock, net: nw,
		codec:    newCodec(clock.Wall(0), sc.Store.PayloadBytes),
		duration: sc.Duration.D(), end: sc.End().D(),
		store: st, delays: sc.Network.Latency.Distribution(),
		byName: map[string]*subscriber{}, deliveries: map[int32]*delivery{}, fetches: map[*fetch]bool{},
		pending: map[uint64]*pending{},
	}
	var names []string
	for _, cl := range sc.Clients {
		names = append(names, cl.Name)
		w.labels = append(w.labels, labelContext{
			store:  pprof.WithLabels(context.Background(), pprof.Labels(labelSide, sideStore, labelClient, cl.Name)),
			client: pprof.WithLabels(context.Background(), pprof.Labels(labelSide, sideClient, labelClient, cl.Name)),
		})
	}
	w.rec = metrics.NewRecorder(client.RecorderConfig(sc))
	w.http = metrics.NewHTTPRecorder(names)
	st.OnCreate = w.rec.Created

	plan := sc.Store.Webhooks.Plan()
	for i, cl := range sc.Clients {
		outages := client.NewOutages(cl.Outages)
		for k := range max(cl.Count, 1) {
			name := client.SubscriberName(cl, k)
			s := &subscriber{index: len(w.subs), row: i, name: name, net: random.Stream(seed, "network/"+name)}
			loops := client.NewLoops(cl, name, sc.Store.Resources, outages, seed)
			for _, p := range loops.Feeds {
				s.polls = append(s.polls, w.addLoop(s, p))
			}
			if cl.Webhook != nil {
				s.endpoint = w.addEndpoint(s, cl, outages, plan, name)
			}
			if loops.Reconcile != nil {
				s.reconcile = w.addLoop(s, loops.Reconcile)
			}
			if loops.Sync != nil {
				s.sync = w.addLoop(s, loops.Sync)
			}
			s.losses = client.NewLosses(s.endpoint != nil && s.hybrid())
			s.reader = st.AddReader(name, seed, loops.Use)
			w.subs = append(w.subs, s)
			w.byName[name] = s
		}
	}
	if len(w.endpoints) > 0 {
		w.dispatcher = st.AddReader("webhook-dispatcher", seed, store.ReadsFeed)
	}
	return w, nil
}

// onTicker reports whether a client polls on a fixed-rate ticker, the
// open-model schedule a vegeta fleet paces.
func onTicker(p *scenario.Poll) bool {
	return p != nil && p.Adaptive == nil && p.AIMD == nil && p.Long == nil && p.Loop != "delay"
}

func (w *world) addLoop(s *subscriber, p *client.Poller) *loop {
	l := &loop{sub: s, poller: p, wakeAt: client.Never, kick: make(chan struct{}, 1)}
	w.loops = append(w.loops, l)
	return l
}

// delay draws a modelled one-way network delay for subscriber s.
func (w *world) delay(s *subscriber) time.Duration {
	if s == nil {
		return 0
	}
	return w.delays.Sample(&s.net)
}

// spawn runs f in a goroutine the run waits for, labelled with the pprof
// labels labels carries, for the CPU profile. The caller holds mu, and the run is not
// closed: so no goroutine starts once the run has begun to wait for them.
func (w *world) spawn(labels context.Context, f func()) {
	w.wg.Add(1)
	pprof.Do(labels, pprof.LabelSet{}, func(context.Context) {
		go func() {
			defer w.wg.Done()
			f()
		}()
	})
}

// newRequestID returns a fresh request ID, which the request's URL carries
// so that its answer can be matched to it.
func (w *world) newRequestID() uint64 { return w.lastReq.Add(1) }
