package live

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/store"
)

// The test vector of the Standard Webhooks specification.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeaders(sig string, ts int64) http.Header {
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, vectorID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	return h
}

// The library signs the specification's test vector as the specification
// says, and verify takes it within the tolerance and rejects it otherwise.
func TestSignatureVector(t *testing.T) {
	t.Parallel()
	hook, err := standardwebhooks.NewWebhook(vectorSecret)
	require.NoError(t, err)
	sig, err := hook.Sign(vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
	require.NoError(t, err)
	assert.Equal(t, vectorSignature, sig)

	at := time.Unix(vectorTimestamp, 0)
	h := vectorHeaders(vectorSignature, vectorTimestamp)
	for _, tc := range []struct {
		name   string
		body   string
		h      http.Header
		now    time.Time
		reason string
	}{
		{"the vector", vectorBody, h, at, ""},
		{"4 min late", vectorBody, h, at.Add(4 * time.Minute), ""},
		{"4 min early", vectorBody, h, at.Add(-4 * time.Minute), ""},
		{"replayed 6 min later", vectorBody, h, at.Add(6 * time.Minute), metrics.RejectStale},
		{"from 6 min ahead", vectorBody, h, at.Add(-6 * time.Minute), metrics.RejectStale},
		{"another body", `{"test": 2432232315}`, h, at, metrics.RejectForged},
		{"another signature", vectorBody, vectorHeaders("v1,"+strings.Repeat("A", 43)+"=", vectorTimestamp), at, metrics.RejectForged},
		{"another timestamp", vectorBody, vectorHeaders(vectorSignature, vectorTimestamp+1), at, metrics.RejectForged},
		{"rotating secrets", vectorBody, vectorHeaders("v1,bm90IGl0 "+vectorSignature, vectorTimestamp), at, ""},
		{"no signature", vectorBody, vectorHeaders("", vectorTimestamp), at, metrics.RejectMalformed},
		{"a bad timestamp", vectorBody, func() http.Header {
			h := vectorHeaders(vectorSignature, 0)
			h.Set(standardwebhooks.HeaderWebhookTimestamp, "yesterday")
			return h
		}(), at, metrics.RejectMalformed},
	} {
		err := verify(hook, []byte(tc.body), tc.h, tc.now)
		if tc.reason == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		var rej *rejection
		require.ErrorAs(t, err, &rej, tc.name)
		assert.Equal(t, tc.reason, rej.reason, tc.name)
		assert.GreaterOrEqual(t, rej.status, 400, tc.name)
		assert.Less(t, rej.status, 500, tc.name)
	}
}

// A receiver rejects with a 4xx, counts, and never hands to its model a
// delivery that is forged, replayed, truncated, oversized or unknown.
func TestReceiverRejects(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 1h
store:
  arrivals: {process: constant, rate: 1/s}
clients:
  - {name: hook, webhook: {processing: {mode: async, time: 1s}}}
`)
	w, err := newWorld(sc, NewClock(time.Now(), 1), Loopback{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	w.ctx = ctx
	require.NoError(t, w.listen())
	t.Cleanup(func() {
		cancel()
		w.shutdown()
		w.wg.Wait()
	})
	ep := w.endpoints[0]
	ev := store.Event{Seq: 1, Created: 0, Size: 1000}
	body := w.codec.appendWebhook(nil, ev, false, 0)

	// A delivery under way, attempt 1, for the good cases to be about.
	w.mu.Lock()
	d := &delivery{id: 1, ep: ep, ev: ev, attempt: 1, open: 1}
	w.deliveries[1] = d
	ep.bySeq[1] = d
	w.mu.Unlock()

	post := func(body []byte, h http.Header) int {
		req, err := http.NewRequest(http.MethodPost, ep.url, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	signed := func(hook *standardwebhooks.Webhook, id string, ts time.Time, body []byte, attempt int) http.Header {
		sig, err := hook.Sign(id, ts, body)
		require.NoError(t, err)
		h := http.Header{}
		h.Set(standardwebhooks.HeaderWebhookID, id)
		h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
		h.Set(standardwebhooks.HeaderWebhookSignature, sig)
		h.Set(headerAttempt, strconv.Itoa(attempt))
		return h
	}
	now := w.codec.timestamp(w.clock.Now())
	forger, err := standardwebhooks.NewWebhook(NewSecret())
	require.NoError(t, err)

	assert.Equal(t, http.StatusUnauthorized, post(body, signed(forger, messageID(1), now, body, 1)), "forged")
	assert.Equal(t, http.StatusUnauthorized, post(body, signed(ep.hook, messageID(1), now.Add(-10*time.Minute), body, 1)), "replayed")
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(bytes.Repeat([]byte("x"), maxWebhookBody+1), signed(ep.hook, messageID(1), now, body, 1)), "oversized")
	assert.Equal(t, http.StatusConflict, post(body, signed(ep.hook, messageID(1), now, body, 2)), "an attempt the sender is not making")
	wrongEvent := w.codec.appendWebhook(nil, store.Event{Seq: 2, Size: 1000}, false, 0)
	assert.Equal(t, http.StatusBadRequest, post(wrongEvent, signed(ep.hook, messageID(1), now, wrongEvent, 1)), "the body names another event than its id")

	// Truncated: the body ends before its announced length.
	host := strings.TrimSuffix(strings.TrimPrefix(ep.url, "http://"), "/webhook")
	conn, err := net.Dial("tcp", host)
	require.NoError(t, err)
	h := signed(ep.hook, messageID(1), now, body, 1)
	fmt.Fprintf(conn, "POST /webhook HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", host, len(body))
	require.NoError(t, h.Write(conn))
	fmt.Fprintf(conn, "\r\n%s", body[:len(body)/2])
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil { // the server may answer before it notices the connection is gone
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "truncated")
		resp.Body.Close()
	}
	conn.Close()

	require.Eventually(t, func() bool {
		w.hmu.Lock()
		defer w.hmu.Unlock()
		return w.http.Results(1, 0, 0, metrics.CPU{}).Clients[0].Rejected[metrics.RejectTruncated] == 1
	}, 5*time.Second, 10*time.Millisecond)
	w.hmu.Lock()
	rejected := w.http.Results(1, 0, 0, metrics.CPU{}).Clients[0].Rejected
	w.hmu.Unlock()
	assert.Equal(t, map[string]int64{
		metrics.RejectForged: 1, metrics.RejectStale: 1, metrics.RejectOversized: 1,
		metrics.RejectUnknown: 1, metrics.RejectMalformed: 1, metrics.RejectTruncated: 1,
	}, rejected)
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Zero(t, d.accepted, "no rejected delivery reached the receiver's model")
	assert.Empty(t, ep.receiver.Queued(), "nothing was queued for processing")

	// The genuine delivery goes through.
	w.mu.Unlock()
	status := post(body, signed(ep.hook, messageID(1), now, body, 1))
	w.mu.Lock()
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, d.accepted)
}
