package client

import (
	"fmt"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

// What every runner builds alike from a scenario: the subscribers' names,
// after which their random streams are named, so that two runners of one
// scenario and seed draw the same numbers; their polling loops; and what
// the Recorder measures of each client.

// SubscriberName is the name of subscriber k of cl. A single subscriber
// keeps its client's name, and so its streams.
func SubscriberName(cl scenario.Client, k int) string {
	if cl.Count > 1 {
		return fmt.Sprintf("%s#%d", cl.Name, k)
	}
	return cl.Name
}

// Loops are one subscriber's polling loops and what its reader at the store
// does.
type Loops struct {
	Feeds     []*Poller // the poller of each feed it polls: one, or one per resource
	Reconcile *Poller   // its reconciliation, or nil
	Sync      *Poller   // its state sync, or nil
	Use       store.Use
}

// NewLoops builds the loops of the subscriber of cl named name, in a store
// of the given number of resources.
func NewLoops(cl scenario.Client, name string, resources int, outages Outages, seed uint64) Loops {
	var l Loops
	switch {
	case cl.Poll != nil && cl.Poll.PerResource:
		l.Use |= store.ReadsResources
		for r := range resources {
			l.Feeds = append(l.Feeds, NewPoller(*cl.Poll, r, outages, random.Stream(seed, fmt.Sprintf("client/%s/resource-%d", name, r))))
		}
	case cl.Poll != nil:
		l.Use |= store.ReadsFeed
		l.Feeds = append(l.Feeds, NewPoller(*cl.Poll, -1, outages, random.Stream(seed, "client/"+name)))
	case cl.Webhook != nil && cl.Webhook.Thin:
		l.Use |= store.Fetches
	}
	if cl.Reconcile != nil {
		l.Use |= store.ReadsFeed
		l.Reconcile = NewReconciler(cl.Reconcile.Every.D(), outages, random.Stream(seed, "client/"+name+"/reconcile"))
	}
	if cl.Sync != nil {
		l.Use |= store.ReadsFeed
		l.Sync = NewSyncer(cl.Sync.Every.D(), outages, random.Stream(seed, "client/"+name+"/sync"))
	}
	return l
}

// Processes reports whether a client's processing is measured: it
// processes deliveries, deduplicates, or gets events by a second path.
func Processes(cl scenario.Client) bool {
	w := cl.Webhook
	return w != nil && (w.Processing != nil || w.Dedupe != nil || cl.Reconcile != nil || cl.Sync != nil)
}

// ScenarioInfo describes the scenario sc in its results, as every runner
// reports it.
func ScenarioInfo(sc *scenario.Scenario) metrics.ScenarioInfo {
	return metrics.ScenarioInfo{
		Name: sc.Name, Description: sc.Description, File: sc.File(), SHA256: sc.SHA256(),
		DurationS: sc.Duration.D().Seconds(), DrainS: sc.Drain.D().Seconds(),
	}
}

// RecorderConfig is what a Recorder of sc measures: its window and each
// client as a row.
func RecorderConfig(sc *scenario.Scenario) metrics.Config {
	cfg := metrics.Config{Duration: sc.Duration.D(), End: sc.End().D(), Resources: sc.Store.Resources}
	for i, cl := range sc.Clients {
		cc := metrics.ClientConfig{Name: cl.Name, Strategy: sc.Strategy(i), Count: cl.Count, Polls: cl.Poll != nil, Processes: Processes(cl)}
		for _, o := range cl.Outages {
			cc.Outages = append(cc.Outages, metrics.Outage{AtS: o.At.D().Seconds(), ForS: o.For.D().Seconds(), Mode: o.Mode})
		}
		cfg.Clients = append(cfg.Clients, cc)
	}
	return cfg
}
