package metrics

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fptr(v float64) *float64 { return &v }

func TestLookupMetric(t *testing.T) {
	t.Parallel()
	c := &ClientResults{
		Delivered: 90, InFlight: 2,
		Latency:              Latency{Count: 90, MeanS: 5, P50S: 4, P90S: 9, P99S: 10, P999S: 10.5, MaxS: 11},
		Requests:             Requests{Total: 360, PerS: 0.1},
		Wasted:               Wasted{Total: 300, Fraction: fptr(300.0 / 360)},
		RequestsPerDelivered: fptr(4),
		Dropped:              Dropped{Total: 8, Rate: fptr(0.08)},
		Duplicates:           3, OutOfOrder: 1,
		Bytes:     Bytes{In: 1000, Out: 500, PerDelivered: fptr(1500.0 / 90)},
		Freshness: Freshness{Samples: 10_000, Fresh: 0.93, AgeMeanS: 0.2, UnseenMean: 0.07},
	}
	want := map[string]float64{
		"delivered": 90, "in_flight": 2, "mean_latency_s": 5, "p50_latency_s": 4, "p90_latency_s": 9,
		"p99_latency_s": 10, "p999_latency_s": 10.5, "max_latency_s": 11, "requests": 360,
		"requests_per_s": 0.1, "requests_per_hour": 360, "requests_per_delivered_event": 4,
		"wasted": 300, "wasted_fraction": 300.0 / 360, "dropped": 8, "dropped_rate": 0.08,
		"duplicates": 3, "out_of_order": 1, "bytes_in": 1000, "bytes_out": 500, "bytes_per_delivered_event": 1500.0 / 90,
		"fresh_fraction": 0.93, "mean_age_s": 0.2, "mean_unseen": 0.07,
	}
	for _, name := range MetricNames() {
		m, ok := LookupMetric(name)
		require.True(t, ok, name)
		got, defined := m.Of(c)
		if name == "empty_poll_fraction" {
			assert.False(t, defined, "a client without an empty-poll fraction has no value")
			continue
		}
		assert.True(t, defined, name)
		assert.InDelta(t, want[name], got, 1e-9, "%s.Of(c)", name)
	}
	assert.Len(t, want, len(MetricNames())-1, "every metric is checked")
}

func TestMetricsOfAClientThatDeliveredNothing(t *testing.T) {
	t.Parallel()
	c := &ClientResults{Requests: Requests{Total: 10}, Dropped: Dropped{Rate: fptr(0)}}
	for _, name := range []string{"p50_latency_s", "max_latency_s", "requests_per_delivered_event", "bytes_per_delivered_event", "wasted_fraction", "fresh_fraction", "mean_age_s"} {
		m, _ := LookupMetric(name)
		_, defined := m.Of(c)
		assert.False(t, defined, "%s of a client that delivered nothing", name)
	}
	m, _ := LookupMetric("delivered")
	v, defined := m.Of(c)
	assert.True(t, defined)
	assert.Zero(t, v)
}

func TestMetricDirection(t *testing.T) {
	t.Parallel()
	p99, _ := LookupMetric("p99_latency_s")
	assert.True(t, p99.Better(10, 5), "a lower p99 is better")
	assert.False(t, p99.Better(5, 10))
	delivered, _ := LookupMetric("delivered")
	assert.True(t, delivered.Better(5, 10), "more deliveries are better")
}

func TestUnknownMetric(t *testing.T) {
	t.Parallel()
	_, ok := LookupMetric("p99")
	assert.False(t, ok)
	assert.Contains(t, UnknownMetric("p99_latency"), `unknown metric "p99_latency" (did you mean "p99_latency_s"?)`)
	assert.NotContains(t, UnknownMetric("zzzzzzzzzzzzzz"), "did you mean")
	assert.Contains(t, UnknownMetric("p99"), `(did you mean "p99_latency_s"?)`)
	assert.Contains(t, UnknownMetric("x"), "dropped_rate")
}

// docs/metrics.md lists every metric name with its unit.
func TestMetricNamesAreDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/metrics.md")
	require.NoError(t, err)
	for _, m := range Metrics() {
		assert.True(t, strings.Contains(string(doc), "| `"+m.Name+"` |"), "docs/metrics.md does not list the metric %s", m.Name)
	}
}
