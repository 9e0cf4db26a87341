package des

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// A receiver outage longer than the sender's last retry offset loses exactly
// the events whose every attempt falls inside it (MODELS.md §4), and each is
// reported with cause retries_exhausted. A control receiver without the
// outage tells when every event was created.
func TestOutageLosesExactlyTheEventsWhoseEveryAttemptFallsInside(t *testing.T) {
	t.Parallel()
	const start = 24 * time.Hour
	svixOffsets := []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second,
		2*time.Hour + 35*time.Minute + 5*time.Second, 7*time.Hour + 35*time.Minute + 5*time.Second,
		17*time.Hour + 35*time.Minute + 5*time.Second, 27*time.Hour + 35*time.Minute + 5*time.Second}
	var stripeOffsets []time.Duration // 60 s·(2^i − 1): the running sum of doubling delays
	for i := range 13 {
		stripeOffsets = append(stripeOffsets, 60*time.Second*time.Duration(1<<i-1))
	}
	for _, tc := range []struct {
		preset  string
		offsets []time.Duration
		mode    string
		length  time.Duration
		timeout time.Duration // long for hang, so the shift it causes moves many events
	}{
		{"svix", svixOffsets, "refuse", 48 * time.Hour, 15 * time.Second},
		{"svix", svixOffsets, "refuse", 96 * time.Hour, 15 * time.Second},
		{"svix", svixOffsets, "hang", 48 * time.Hour, 10 * time.Minute},
		{"stripe-like", stripeOffsets, "refuse", 120 * time.Hour, 30 * time.Second},
	} {
		t.Run(fmt.Sprintf("%s %s %v", tc.preset, tc.mode, tc.length), func(t *testing.T) {
			t.Parallel()
			// The endpoint is never disabled here: this is the schedule's loss.
			sc := parse(t, fmt.Sprintf(`
duration: 240h
drain: 80h          # longer than the last retry offset: every event settles
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 20/h}
  api: {latency: 0s}
  webhooks: {retry: {preset: %s}, timeout: %v, disable: {consecutive: 1000000}}
clients:
  - {name: control, webhook: {}}
  - {name: down, webhook: {}, outages: [{at: %v, for: %v, mode: %s}]}
`, tc.preset, tc.timeout, start, tc.length, tc.mode))
			require.Equal(t, tc.offsets, sc.Store.Webhooks.Plan().Offsets())
			last := tc.offsets[len(tc.offsets)-1]
			res, records := traced(t, sc)

			created := map[int64]time.Duration{}
			for _, r := range records["control"] {
				require.Equal(t, metrics.HeldFirst, r.Kind)
				created[r.Seq] = r.Created
			}
			require.Len(t, created, int(res.Store.Emitted), "the control receiver holds every event")

			// Attempt i leaves at created + t_i, shifted by (i−1)·timeout
			// when every failed attempt hangs until the timeout.
			if tc.mode == "hang" {
				last += time.Duration(len(tc.offsets)-1) * tc.timeout
			}
			end := start + tc.length
			want := map[int64]bool{}
			inside := 0
			for seq, c := range created {
				if c >= start && c < end {
					inside++
				}
				if c >= start && c+last < end {
					want[seq] = true
				}
			}
			got := map[int64]bool{}
			for _, r := range records["down"] {
				if r.Kind == metrics.LostForGood {
					assert.Equal(t, metrics.RetriesExhausted, r.Cause, "event %d", r.Seq)
					got[r.Seq] = true
				}
			}
			require.Greater(t, len(want), 100, "the outage must lose enough events to test")
			assert.Equal(t, want, got, "the lost events are exactly those whose every attempt falls in the outage")

			down := row(t, res, "down")
			assert.Equal(t, int64(len(want)), down.Dropped.ByCause["retries_exhausted"])
			assert.Equal(t, res.Store.Emitted, down.Delivered+down.Dropped.Total)
			assert.Zero(t, down.InFlight)

			// MODELS.md §4: an event created uniformly inside an outage of
			// length D is lost with probability (1 − t_k/D)⁺.
			p := math.Max(0, 1-last.Seconds()/tc.length.Seconds())
			n := float64(inside)
			assert.InDelta(t, p, float64(len(got))/n, 4*math.Sqrt(p*(1-p)/n),
				"lost fraction of events created in the outage; model (1 − t_k/D)⁺ = %v", p)
		})
	}
}

// An outage shorter than the last retry offset loses nothing: the retries
// outlast it (MODELS.md §4: D = 1 h → loss 0).
func TestShortOutageLosesNothing(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 48h
drain: 30h
store:
  arrivals: {process: poisson, rate: 60/h}
clients:
  - {name: hook, webhook: {}, outages: [{at: 10h, for: 1h}]}
`)
	res := run(t, sc)
	hook := row(t, res, "hook")
	assert.Zero(t, hook.Dropped.Total)
	assert.Equal(t, res.Store.Emitted, hook.Delivered)
	assert.Positive(t, hook.Wasted.ByReason["failed"], "attempts during the outage are refused")
	assert.Positive(t, hook.OutOfOrder, "retries deliver behind newer events")
}
