package store

import (
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Faults decides what a webhook sender loses on its own, whatever its
// receiver answers: events it never sends (silent loss), attempts that fail
// on the way (independent failures). Each endpoint has its own, drawing from
// its own stream.
type Faults struct {
	silentLoss, failures float64
	rng                  random.Source
}

// NewFaults returns the faults w describes, drawing from rng.
func NewFaults(w scenario.Webhooks, rng random.Source) Faults {
	return Faults{silentLoss: w.SilentLoss, failures: w.Failures, rng: rng}
}

// LosesSilently reports whether the sender loses the event now created
// without a trace: it will never make an attempt.
func (f *Faults) LosesSilently() bool {
	return f.silentLoss > 0 && f.rng.Bernoulli(f.silentLoss)
}

// FailsOnTheWay reports whether the attempt now sent fails on the way: it
// never reaches the receiver, and the sender learns so after a round trip.
func (f *Faults) FailsOnTheWay() bool {
	return f.failures > 0 && f.rng.Bernoulli(f.failures)
}
