// Package metrics defines what pushpull measures, and nothing else does.
//
// A runner reports facts to a Recorder: a request was sent, it was answered
// with this status and these events, an event was held by a client at this
// instant, an event was lost for this cause. The Recorder decides what is a
// delivery, a duplicate, an out-of-order delivery and a wasted request, as
// docs/metrics.md defines them, and turns the facts into Results.
package metrics

// Kind is the kind of a request. Both directions count: a webhook attempt is
// a request the store makes to the client.
type Kind uint8

// The kinds of request.
const (
	Poll           Kind = iota // a scheduled GET of new events
	Page                       // a GET that follows has_more at once
	LongPoll                   // a GET the store holds until an event or a timeout
	Fetch                      // a GET of one event named by a thin webhook
	WebhookAttempt             // a POST of one event from the store to the client
	Reconcile                  // a GET of a reconciliation sweep
	Sync                       // a GET of the whole state
	numKinds
)

var kindNames = [numKinds]string{"poll", "page", "long_poll", "fetch", "webhook_attempt", "reconcile", "sync"}

func (k Kind) String() string { return kindNames[k] }

// Status is how a request ended, as the side that sent it saw it.
type Status uint8

// The statuses of a request.
const (
	OK          Status = iota // 2xx with a body
	NotModified               // 304: nothing changed since the ETag
	RateLimited               // 429 with Retry-After
	Failed                    // connection refused, or a 5xx
	TimedOut                  // no answer within the timeout
	numStatuses
)

var statusNames = [numStatuses]string{"ok", "not_modified", "rate_limited", "failed", "timed_out"}

func (s Status) String() string { return statusNames[s] }

// Waste is the reason a request gave its client no new event.
type Waste uint8

// The reasons a request is wasted.
const (
	Empty          Waste = iota // a poll answered with no event
	SeenOnly                    // a poll answered only with events the client held already
	WasteUnchanged              // a 304
	WasteLimited                // a 429
	WasteFailed                 // a refused connection or a 5xx
	WasteTimedOut               // an attempt that got no answer in time and gave the client nothing new
	Duplicate                   // a webhook delivery of an event the client held already
	numWastes
)

var wasteNames = [numWastes]string{"empty", "seen_only", "not_modified", "rate_limited", "failed", "timed_out", "duplicate"}

func (w Waste) String() string { return wasteNames[w] }

// Cause is why an emitted event never reached a client.
type Cause uint8

// The causes of a drop.
const (
	RetriesExhausted Cause = iota // every webhook attempt failed
	SilentLoss                    // the sender never sent it, or it vanished after a 2xx
	CrashLostQueue                // the receiver crashed with it queued and unprocessed
	RetentionExpired              // it aged out of the store before the client read it
	EndpointDisabled              // the sender had disabled the client's endpoint
	numCauses
)

var causeNames = [numCauses]string{"retries_exhausted", "silent_loss", "crash_lost_queue", "retention_expired", "endpoint_disabled"}

func (c Cause) String() string { return causeNames[c] }

// Outcome is what a runner knows of one answered request.
type Outcome struct {
	Status   Status
	Returned int // events the answer carried to the client
	New      int // of those, events the client did not hold before
	BytesIn  int // bytes the client received for this request
	BytesOut int // bytes the client sent for this request
}

// waste classifies an answered request of kind k: whether it was wasted,
// and why. A request is wasted when it gave its client no new event; the
// reason is its status when that is not OK, else what it carried.
func waste(k Kind, o Outcome) (Waste, bool) {
	if o.New > 0 {
		return 0, false
	}
	switch o.Status {
	case NotModified:
		return WasteUnchanged, true
	case RateLimited:
		return WasteLimited, true
	case Failed:
		return WasteFailed, true
	case TimedOut:
		return WasteTimedOut, true
	}
	switch {
	case k == WebhookAttempt:
		return Duplicate, true
	case o.Returned == 0:
		return Empty, true
	default:
		return SeenOnly, true
	}
}
