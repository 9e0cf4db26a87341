package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pushpull/pushpull/sim/store"
)

// The wire format of the store's API and of its webhooks. Instants on the
// wire are RFC 3339 timestamps of the scenario's clock: the wall-clock time
// the run started, plus the scenario instant. Durations on the wire
// (Retry-After, wait=) are in scenario time too.

// Headers the store's answers carry besides the standard ones.
const (
	// headerModelBytes is the size the store's model gives its answer
	// (docs/metrics.md, Bytes), so that a client records the same bytes
	// as in the simulation; the bytes on the wire are counted apart.
	headerModelBytes = "Pushpull-Model-Bytes"
	// headerModelTime is how long the store's model held and served a
	// request, in scenario nanoseconds, so that the client knows when the
	// model has the answer reach it.
	headerModelTime = "Pushpull-Model-Time"
	// headerDue is the scenario instant, in nanoseconds, the model has a
	// webhook attempt reach its receiver.
	headerDue = "Pushpull-Due"
	// headerAttempt numbers a webhook attempt, from 1, for the runner's
	// own accounting.
	headerAttempt = "Pushpull-Attempt"
)

// eventType is the type of every event the store emits.
const eventType = "event.created"

// wireEvent is one event as the API returns it and a webhook carries it.
type wireEvent struct {
	ID       string    `json:"id"`
	Seq      int64     `json:"seq"`
	Type     string    `json:"type,omitempty"`
	Resource int32     `json:"resource"`
	Created  time.Time `json:"created"`
	Data     payload   `json:"data,omitempty"`
}

// payload is an event's data on the wire. A client needs only its size,
// so reading it keeps nothing else.
type payload int

func (p *payload) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 {
		*p = payload(len(b) - 2) // a string without escapes: its bytes
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = payload(len(s))
	return nil
}

// wirePage is the answer to GET /v1/events.
type wirePage struct {
	Events  []wireEvent `json:"events"`
	First   int64       `json:"first"`
	Cursor  int64       `json:"cursor"`
	HasMore bool        `json:"has_more"`
	Expired int64       `json:"expired"`
	Skipped []int64     `json:"skipped"`
}

// wireState is the answer to GET /v1/state: every resource's state as of
// its snapshot (cursor), and what it reflects since the snapshot the client
// named (after): the events still kept, without their data, from first, and
// how many before first had aged out.
type wireState struct {
	Cursor    int64               `json:"cursor"`
	First     int64               `json:"first"`
	Expired   int64               `json:"expired"`
	Events    []wireEvent         `json:"events"`
	Resources []wireResourceState `json:"resources"`
}

type wireResourceState struct {
	Resource int    `json:"resource"`
	Data     string `json:"data"`
}

// wireWebhook is the body of a webhook, as Standard Webhooks lays it out.
type wireWebhook struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      wireEvent `json:"data"`
}

// wireError is the body of every error answer.
type wireError struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

// codec writes and reads the wire format of one run.
type codec struct {
	epoch   time.Time // wall-clock time of scenario instant 0, without a monotonic reading
	filler  string    // an event's payload
	payload int
}

func newCodec(epoch time.Time, payloadBytes int) codec {
	return codec{epoch: epoch.Round(0).UTC(), filler: strings.Repeat("x", payloadBytes), payload: payloadBytes}
}

func eventID(seq int64) string   { return "evt_" + strconv.FormatInt(seq, 10) }
func messageID(seq int64) string { return "msg_" + strconv.FormatInt(seq, 10) }

// instant is the scenario instant of a timestamp on the wire.
func (c codec) instant(t time.Time) time.Duration { return t.Sub(c.epoch) }

// timestamp is the wire timestamp of scenario instant d.
func (c codec) timestamp(d time.Duration) time.Time { return c.epoch.Add(d) }

func (c codec) appendEvent(b []byte, ev store.Event, withData bool) []byte {
	b = append(b, `{"id":"evt_`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `","seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"type":"`+eventType+`","resource":`...)
	b = strconv.AppendInt(b, int64(ev.Resource), 10)
	b = append(b, `,"created":"`...)
	b = c.timestamp(ev.Created).AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if withData {
		b = append(b, `,"data":"`...)
		b = append(b, c.filler[:min(int(ev.Size), len(c.filler))]...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendPage writes the answer to a poll.
func (c codec) appendPage(b []byte, resp *store.PollResponse) []byte {
	b = append(b, `{"events":[`...)
	for i, ev := range resp.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendEvent(b, ev, true)
	}
	b = append(b, `],"first":`...)
	b = strconv.AppendInt(b, resp.First, 10)
	b = append(b, `,"cursor":`...)
	b = strconv.AppendInt(b, resp.Cursor, 10)
	b = append(b, `,"has_more":`...)
	b = strconv.AppendBool(b, resp.HasMore)
	b = append(b, `,"expired":`...)
	b = strconv.AppendInt(b, resp.Expired, 10)
	b = append(b, `,"skipped":[`...)
	for i, seq := range resp.Skipped {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, seq, 10)
	}
	return append(b, "]}"...)
}

// appendState writes the answer to a state sync: every resource's state.
func (c codec) appendState(b []byte, resp *store.PollResponse, resources int) []byte {
	b = append(b, `{"cursor":`...)
	b = strconv.AppendInt(b, resp.Cursor, 10)
	b = append(b, `,"first":`...)
	b = strconv.AppendInt(b, resp.First, 10)
	b = append(b, `,"expired":`...)
	b = strconv.AppendInt(b, resp.Expired, 10)
	b = append(b, `,"events":[`...)
	for i, ev := range resp.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendEvent(b, ev, false)
	}
	b = append(b, `],"resources":[`...)
	for r := range resources {
		if r > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"resource":`...)
		b = strconv.AppendInt(b, int64(r), 10)
		b = append(b, `,"data":"`...)
		b = append(b, c.filler...)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// appendWebhook writes the body of a webhook carrying ev, or only its ID
// and seq for a thin delivery.
func (c codec) appendWebhook(b []byte, ev store.Event, thin bool, sentAt time.Duration) []byte {
	b = append(b, `{"type":"`+eventType+`","timestamp":"`...)
	b = c.timestamp(sentAt).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	if thin {
		b = append(b, `{"id":"evt_`...)
		b = strconv.AppendInt(b, ev.Seq, 10)
		b = append(b, `","seq":`...)
		b = strconv.AppendInt(b, ev.Seq, 10)
		b = append(b, '}')
	} else {
		b = c.appendEvent(b, ev, true)
	}
	return append(b, '}')
}

func (c codec) event(w wireEvent) store.Event {
	return store.Event{Seq: w.Seq, Created: c.instant(w.Created), Resource: w.Resource, Size: int32(w.Data)}
}

// The kinds of API request, by the path they take.
type route uint8

const (
	routeEvents route = iota // GET /v1/events: a feed
	routeFetch               // GET /v1/events/{id}: one event
	routeState               // GET /v1/state: every resource's state
)

// decode reads an answer of the API to a request on route into resp, as
// the poller that asked needs it.
func (c codec) decode(r route, code int, h http.Header, body []byte, resp *store.PollResponse) error {
	*resp = store.PollResponse{Events: resp.Events[:0], Skipped: resp.Skipped[:0]}
	resp.Bytes, _ = strconv.Atoi(h.Get(headerModelBytes))
	switch code {
	case http.StatusOK:
		resp.Status = store.StatusOK
	case http.StatusNotModified:
		resp.Status = store.StatusNotModified
		return nil
	case http.StatusTooManyRequests:
		resp.Status = store.StatusRateLimited
		secs, err := strconv.Atoi(h.Get("Retry-After"))
		if err != nil || secs < 0 {
			return fmt.Errorf("429 with Retry-After %q: %w", h.Get("Retry-After"), errBadAnswer)
		}
		resp.RetryAfter = time.Duration(secs) * time.Second
		return nil
	case http.StatusNotFound:
		resp.Status = store.StatusNotFound
		return nil
	default:
		resp.Status = store.StatusUnavailable
		return nil
	}
	switch r {
	case routeFetch:
		var ev wireEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			return fmt.Errorf("reading an event: %w", err)
		}
		resp.Events = append(resp.Events, c.event(ev))
		resp.First, resp.Count, resp.Cursor = ev.Seq, 1, ev.Seq
	case routeState:
		var st struct {
			Cursor  int64       `json:"cursor"`
			First   int64       `json:"first"`
			Expired int64       `json:"expired"`
			Events  []wireEvent `json:"events"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			return fmt.Errorf("reading a state: %w", err)
		}
		for _, ev := range st.Events {
			e := c.event(ev)
			e.Size = int32(c.payload) // a state reflects events without carrying their data
			resp.Events = append(resp.Events, e)
		}
		resp.Cursor, resp.First, resp.Expired = st.Cursor, st.First, st.Expired
	default:
		var page wirePage
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("reading a page: %w", err)
		}
		for _, ev := range page.Events {
			resp.Events = append(resp.Events, c.event(ev))
		}
		resp.Count = len(resp.Events)
		resp.First, resp.Cursor, resp.HasMore, resp.Expired = page.First, page.Cursor, page.HasMore, page.Expired
		resp.Skipped = append(resp.Skipped, page.Skipped...)
	}
	return nil
}
