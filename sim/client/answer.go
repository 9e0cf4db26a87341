package client

import (
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// Holdings is a runner's record of what one subscriber holds, as an answer
// from the store changes it.
type Holdings interface {
	// Holds reports whether the subscriber holds event seq, or has lost
	// it for good.
	Holds(seq int64) bool
	// Hold records that the subscriber now holds ev, and reports whether
	// it held it for the first time.
	Hold(ev *store.Event) bool
	// Expired records that event seq aged out of the store before the
	// subscriber read it, unless the subscriber already holds it.
	Expired(seq int64)
}

// Answered reads the store's answer resp to req, a poller's request: it
// tells h which events the subscriber now holds and which aged out unread,
// and returns what the Recorder counts of the exchange. headerBytes is what
// the request's headers weigh.
//
// A state sync's answer reflects the events after the last snapshot: those
// the store still kept when it answered are now held, unless they were
// already (a state brings no event twice: it is no duplicate), and those
// that had aged out are lost, whether or not the store's log still has them.
func Answered[H Holdings](req *Request, resp *store.PollResponse, headerBytes int, h H) metrics.Outcome {
	o := metrics.Outcome{BytesIn: resp.Bytes, BytesOut: headerBytes}
	switch resp.Status {
	case store.StatusOK:
		o.Returned = resp.Count
		for seq := req.Cursor + 1; seq < resp.First && resp.Expired > 0; seq++ {
			h.Expired(seq)
		}
		for _, seq := range resp.Skipped {
			h.Expired(seq)
		}
		for i := range resp.Events {
			ev := &resp.Events[i]
			if req.State && h.Holds(ev.Seq) {
				continue
			}
			if h.Hold(ev) {
				o.New++
			}
		}
	default:
		o.Status = answerStatus(resp.Status)
	}
	return o
}

// answerStatus is how the Recorder counts an answer of the store other
// than a 200.
func answerStatus(s store.Status) metrics.Status {
	switch s {
	case store.StatusNotModified:
		return metrics.NotModified
	case store.StatusRateLimited:
		return metrics.RateLimited
	default:
		return metrics.Failed
	}
}
