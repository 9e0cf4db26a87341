package client

import (
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// Fetching is a runner's record of what one subscriber of thin deliveries
// holds, as the answer to a fetch changes it.
type Fetching interface {
	// Hold records that the subscriber now holds ev, fetched, and lets its
	// application process it. It reports whether the subscriber held it
	// for the first time.
	Hold(ev *store.Event) bool
	// Expired records that event seq aged out of the store before the
	// subscriber fetched it: the delivery that named it brought nothing.
	Expired(seq int64)
}

// Fetched reads the store's answer resp to req, a thin delivery's fetch of
// its event: it tells h whether the subscriber now holds the event or lost
// it to retention (404), and returns what the Recorder counts of the
// exchange. headerBytes is what the request's headers weigh. Whether to
// fetch again is RefetchAfter's to say.
func Fetched[H Fetching](req *Request, resp *store.PollResponse, headerBytes int, h H) metrics.Outcome {
	o := metrics.Outcome{BytesIn: resp.Bytes, BytesOut: headerBytes}
	switch resp.Status {
	case store.StatusOK:
		o.Returned = 1
		if h.Hold(&resp.Events[0]) {
			o.New = 1
		}
	default:
		o.Status = answerStatus(resp.Status)
		if resp.Status == store.StatusNotFound {
			h.Expired(req.Fetch)
		}
	}
	return o
}
