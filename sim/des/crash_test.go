package des

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// crashScenario: every ack comes back after the sender's 3 s timeout (2 s
// each way), so the sender retries events the receiver has already queued;
// a crash every 5 minutes loses what waits in the volatile queue.
func crashScenario(delays string, restart string) string {
	crashes := ""
	for m := 5; m < 120; m += 5 {
		if crashes != "" {
			crashes += ", "
		}
		crashes += fmt.Sprintf("{at: %dm, restart: %s}", m, restart)
	}
	return fmt.Sprintf(`
name: crash-while-retrying
seed: 1
duration: 2h
drain: 1h
network:
  latency: 2s
store:
  arrivals: {process: poisson, rate: 120/h}
  webhooks: {timeout: 3s, retry: {delays: %s}}
clients:
  - name: async
    webhook:
      processing: {mode: async, time: {mean: 2s}, workers: 1, queue: 1000}
      crashes: [%s]
`, delays, crashes)
}

// fates returns, per event, the kinds of record traced for it, in order.
func fates(records []metrics.Record) map[int64][]metrics.Record {
	m := map[int64][]metrics.Record{}
	for _, r := range records {
		m[r.Seq] = append(m[r.Seq], r)
	}
	return m
}

// A crash that loses an event while the sender is still retrying it is not
// a drop: the retry delivers it. A drop is recorded only when it is final.
func TestCrashLossWhileSenderRetriesIsNotFinal(t *testing.T) {
	t.Parallel()
	res, records := traced(t, parse(t, crashScenario("[10s, 1m]", "1s")))
	c := row(t, res, "async")
	lostThenHeld := 0
	for seq, rs := range fates(records["async"]) {
		for i, r := range rs {
			if r.Kind == metrics.LostForGood && i < len(rs)-1 {
				lostThenHeld++
				t.Errorf("event %d was recorded lost (%v), then held again", seq, r.Cause)
			}
		}
	}
	assert.Zero(t, lostThenHeld)
	// With this seed, the crashes caught 4 events in the queue while the
	// sender was still retrying them; every retry after was accepted.
	assert.Zero(t, c.Dropped.Total, "dropped %v", c.Dropped.ByCause)
	assert.Equal(t, c.Emitted, c.Delivered)
}

// When the sender is done without a later accepted attempt, the event a
// crash lost is dropped, for that cause: here the one retry comes while the
// receiver is still restarting, refused.
func TestCrashLossIsRecordedWhenTheSenderIsDone(t *testing.T) {
	t.Parallel()
	res, records := traced(t, parse(t, crashScenario("[5s]", "2m")))
	c := row(t, res, "async")
	require.Positive(t, c.Dropped.ByCause["crash_lost_queue"], "dropped %v", c.Dropped.ByCause)
	for seq, rs := range fates(records["async"]) {
		for i, r := range rs {
			if r.Kind == metrics.LostForGood {
				assert.Equal(t, len(rs)-1, i, "event %d was held after it was recorded lost", seq)
			}
		}
	}
}
