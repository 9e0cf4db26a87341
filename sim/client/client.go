// Package client holds the client strategies: pollers that decide when to ask
// the store for events, and webhook receivers that decide how to answer the
// store's deliveries.
//
// A strategy is a state machine a runner drives. The runner tells it the
// instant (a virtual time.Duration since the start of the run), hands it the
// store's answers, and carries out what it asks for; the strategy does no I/O
// and reads no clock.
package client

import (
	"math"
	"slices"
	"time"

	"github.com/pushpull/pushpull/sim/scenario"
)

// Never is a wake-up instant that never comes.
const Never = time.Duration(math.MaxInt64)

// Outages are the windows in which a client is down, in time order.
type Outages []scenario.Outage

// NewOutages returns the windows of list in time order.
func NewOutages(list []scenario.Outage) Outages {
	o := slices.Clone(list)
	slices.SortFunc(o, func(a, b scenario.Outage) int { return int(a.At - b.At) })
	return o
}

// At returns the outage under way at instant t, if any.
func (o Outages) At(t time.Duration) (scenario.Outage, bool) {
	for _, w := range o {
		if t < w.At.D() {
			break
		}
		if t < (w.At + w.For).D() {
			return w, true
		}
	}
	return scenario.Outage{}, false
}

// Down reports whether the client is down at instant t.
func (o Outages) Down(t time.Duration) bool {
	_, down := o.At(t)
	return down
}
