package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

func ptr(v float64) *float64 { return &v }

func TestThresholdsAreLoaded(t *testing.T) {
	t.Parallel()
	sc, err := Parse("shop.yaml", []byte(swept+`thresholds:
  - {client: hook, metric: dropped_rate, max: 0}
  - {client: poll-10s, metric: p99_latency_s, min: 1, max: 11}
`))
	require.NoError(t, err)
	require.Len(t, sc.Thresholds, 2)
	assert.Equal(t, "poll-10s p99_latency_s ≥ 1 and ≤ 11", sc.Thresholds[1].String())
}

func TestBadThresholds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		threshold, want string
	}{
		{"{client: hooks, metric: dropped_rate, max: 0}", `:11:23: thresholds[0].client: no client is named "hooks"; the clients are "poll-10s", "hook"`},
		{"{client: hook, metric: p99_latency, max: 1}", `thresholds[0].metric: unknown metric "p99_latency" (did you mean "p99_latency_s"?)`},
		{"{client: hook, metric: dropped_rate}", "thresholds[0]: give max, min or both"},
		{"{client: hook, metric: dropped_rate, min: 2, max: 1}", "thresholds[0].min: must not be above max (1), got 2"},
		{"{client: hook, metric: p99_latency_s, max: 2s}", `thresholds[0].max: expected a number, got "2s"`},
		{"{metric: dropped_rate, max: 0}", `thresholds[0].client: required; name one of the clients: "poll-10s", "hook"`},
		{"{client: hook, metric: dropped_rate, max: .nan}", "thresholds[0].max: must be a finite number"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("shop.yaml", []byte(swept+"thresholds: ["+tc.threshold+"]\n"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Len(t, strings.Split(err.Error(), "\n"), 1, "one problem: %v", err)
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	sc := &Scenario{Thresholds: []Threshold{
		{Client: "hook", Metric: "dropped_rate", Max: ptr(0)},
		{Client: "poll", Metric: "p99_latency_s", Max: ptr(11)},
		{Client: "poll", Metric: "delivered", Min: ptr(100)},
		{Client: "empty", Metric: "p50_latency_s", Max: ptr(1)},
	}}
	res := &metrics.Results{Clients: []metrics.ClientResults{
		{Name: "hook", Dropped: metrics.Dropped{Total: 3, Rate: ptr(0.03)}},
		{Name: "poll", Delivered: 90, Latency: metrics.Latency{Count: 90, P99S: 10}},
		{Name: "empty"},
	}}
	breaches := sc.Check(res)
	require.Len(t, breaches, 3, "%v", breaches)
	assert.Equal(t, "hook dropped_rate = 0.03, above the max of 0", breaches[0].String())
	assert.Equal(t, "poll delivered = 90, below the min of 100", breaches[1].String())
	assert.Contains(t, breaches[2].String(), "empty p50_latency_s has no value")

	res.Clients[0].Dropped = metrics.Dropped{Rate: ptr(0)}
	res.Clients[1].Delivered = 100
	res.Clients[2] = metrics.ClientResults{Name: "empty", Latency: metrics.Latency{Count: 1, P50S: 0.5}}
	assert.Empty(t, sc.Check(res), "every threshold holds")
}
