package live

import (
	"context"
	"net/http"
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// ServeOptions adjust Serve.
type ServeOptions struct {
	// Speedup makes the store's clock, and so its events, run this many
	// times faster than the wall clock; 0 means 1.
	Speedup float64
	// Network is where the store listens; nil is TCP on 127.0.0.1.
	Network Network
	// Started is told the store's URL once it listens.
	Started func(storeURL string)
}

// anonymousReader names the reader of requests that name no client.
const anonymousReader = "anonymous"

// Serve runs the store of sc alone, on loopback, until ctx is done: its API
// as a live run serves it, to poll by hand or with other tools. A request
// may name one of the scenario's clients (client=NAME), whose rate-limit
// bucket it then takes from, or none, and share one bucket with every other
// anonymous request. The store's model, service times included, decides
// every answer; its events are created as the clock reaches them.
func Serve(ctx context.Context, sc *scenario.Scenario, opts ServeOptions) error {
	nw := opts.Network
	if nw == nil {
		nw = Loopback{}
	}
	w, err := newWorld(sc, NewClock(time.Now(), opts.Speedup), nw)
	if err != nil {
		return err
	}
	w.addAnonymous()
	w.ctx = ctx
	url, err := w.serve(sideStore, http.HandlerFunc(w.serveAPI))
	if err != nil {
		return err
	}
	if opts.Started != nil {
		opts.Started(url)
	}
	<-ctx.Done()
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.shutdown()
	w.wg.Wait()
	return nil
}

// addAnonymous registers the reader of requests that name no client: it
// may read every feed and fetch. Call it before any request.
func (w *world) addAnonymous() {
	s := &subscriber{index: -1, row: -1, name: anonymousReader, net: random.Stream(w.sc.Seed, "network/"+anonymousReader)}
	s.reader = w.store.AddReader(anonymousReader, w.sc.Seed, store.ReadsFeed|store.ReadsResources|store.Fetches)
	w.anonymous = s
}
