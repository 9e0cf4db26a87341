package des

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook attempt that reached the receiver counts its request's bytes
// (headers and payload) in, whatever the receiver answered; the receiver's
// answer counts its headers out, unless it hung. An attempt refused, or
// failed on the way, carries nothing.
func TestWebhookAttemptBytes(t *testing.T) {
	t.Parallel()
	const header, payload = 100, 500
	for _, tt := range []struct {
		name     string
		client   string
		failures float64
		overflow bool  // a full queue answers most attempts
		in, out  int64 // per attempt
	}{
		{"accepted", `webhook: {}`, 0, false, header + payload, header},
		{"answered 500", `webhook: {errors: 1}`, 0, false, header + payload, header},
		{"answered 503", `webhook: {processing: {mode: async, time: 100h, queue: 1}}`, 0, true, header + payload, header},
		{"answered 429", `webhook: {processing: {mode: async, time: 100h, queue: 1, overflow: 429}}`, 0, true, header + payload, header},
		{"hung", `webhook: {}, outages: [{at: 0s, for: 2h, mode: hang}]`, 0, false, header + payload, 0},
		{"refused", `webhook: {}, outages: [{at: 0s, for: 2h, mode: refuse}]`, 0, false, 0, 0},
		{"failed on the way", `webhook: {}`, 1, false, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := parse(t, fmt.Sprintf(`
name: attempt-bytes
seed: 1
duration: 1h
drain: 10m
network: {latency: 10ms, header_bytes: %d}
store:
  arrivals: {process: constant, rate: 60/h}
  payload_bytes: %d
  webhooks: {timeout: 1s, retry: {delays: [5s]}, failures: %v}
clients:
  - {name: c, %s}
`, header, payload, tt.failures, tt.client))
			c := row(t, run(t, sc), "c")
			attempts := c.Requests.ByKind["webhook_attempt"]
			require.Positive(t, attempts)
			if tt.overflow {
				assert.Positive(t, c.Wasted.ByReason["failed"]+c.Wasted.ByReason["rate_limited"], "attempts answered overflow")
			}
			in, out := attempts*tt.in, attempts*tt.out
			assert.Equal(t, in, c.Bytes.In, "bytes in of %d attempts", attempts)
			assert.Equal(t, out, c.Bytes.Out, "bytes out of %d attempts", attempts)
		})
	}
}
