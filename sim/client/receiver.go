package client

import "time"

// Reply is how a webhook receiver answers a delivery.
type Reply uint8

// The replies of a receiver.
const (
	Accept Reply = iota // holds the event and answers 2xx at once
	Refuse              // the connection is refused: the sender learns at once
	Hang                // the request hangs: the sender learns at its timeout
)

func (r Reply) String() string { return [...]string{"accept", "refuse", "hang"}[r] }

// Receiver is a webhook endpoint that accepts every delivery at once unless
// it is in an outage, where it refuses connections or hangs as the outage
// says.
type Receiver struct {
	outages Outages
}

// NewReceiver returns a receiver that is down during outages.
func NewReceiver(outages Outages) *Receiver { return &Receiver{outages: outages} }

// Reply decides how the receiver answers a delivery arriving at instant at.
func (r *Receiver) Reply(at time.Duration) Reply {
	o, down := r.outages.At(at)
	switch {
	case !down:
		return Accept
	case o.Mode == "hang":
		return Hang
	default:
		return Refuse
	}
}
