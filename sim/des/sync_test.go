package des

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A state sync judges what aged out at the instant the store answers, not by
// what the store's log still happens to keep: the runner trims the log
// every so many events, so the drops of a hybrid would otherwise depend on
// how busy the other clients keep the runner.
func TestStateSyncRetentionDoesNotDependOnTrimming(t *testing.T) {
	t.Parallel()
	const src = `
name: sync-retention
seed: 1
duration: 48h
drain: 2h
store:
  arrivals: {process: poisson, rate: 600/h}
  api: {retention: 1h}
  webhooks: {retry: {preset: github}}
clients:
  - {name: hybrid, webhook: {}, sync: {every: 30m}, outages: [{at: 20h, for: 3h}]}
`
	alone := row(t, run(t, parse(t, src)), "hybrid")
	// A busy neighbour makes the runner trim the log far more often; it
	// changes nothing the hybrid sees.
	busy := row(t, run(t, parse(t, src+"  - {name: busy, poll: {interval: 1s}}\n")), "hybrid")

	// Push loses everything sent during the 3 h outage (no retries); the
	// first sync after it, up to 30 min later, finds the events older than
	// 1 h gone: about 2 to 2.5 h of events at 600/h.
	dropped := alone.Dropped.ByCause["retention_expired"]
	require.Equal(t, alone.Dropped.Total, dropped)
	assert.InDelta(t, 1350, dropped, 250, "retention_expired drops after a 3 h outage with a 1 h retention")
	assert.Equal(t, alone.Dropped, busy.Dropped)
	assert.Equal(t, alone.Delivered, busy.Delivered)
	assert.Equal(t, alone.Latency.MeanS, busy.Latency.MeanS)
}
