package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// pollSweep is the sweep of scenarios/ecommerce-orders.yaml over the
// poller's interval, 1s to 5m. Rewrite it with
// pushpull run scenarios/ecommerce-orders.yaml -set clients.poll-10s.poll.interval=1s,5s,10s,30s,1m,5m -out /tmp/x
// and a copy of /tmp/x/ecommerce-orders/sweep/sweep.json.
func pollSweep(t testing.TB) *metrics.Sweep {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "poll-sweep.json"))
	require.NoError(t, err)
	var sw metrics.Sweep
	require.NoError(t, json.Unmarshal(data, &sw))
	return &sw
}

func TestRenderSweep(t *testing.T) {
	t.Parallel()
	got, err := RenderSweep(pollSweep(t), Options{})
	require.NoError(t, err)
	byName := files(t, got)
	want := []string{"report.html", "summary.md", "points.csv"}
	for _, ch := range []string{"tradeoff-p50", "tradeoff-p99", "sweep-p50_latency_s", "sweep-p99_latency_s", "sweep-requests_per_hour", "sweep-wasted_fraction"} {
		want = append(want, "charts/"+ch+".svg", "charts/"+ch+".png")
	}
	for _, name := range want {
		assert.NotEmpty(t, byName[name], name)
	}
	assert.Len(t, byName, len(want), "dropped_rate, zero everywhere, has no chart")
	for _, name := range want {
		if name == "report.html" {
			goldenFile(t, "poll-sweep/report.outline", []byte(outline(string(byName[name]))))
			continue
		}
		goldenFile(t, "poll-sweep/"+name, byName[name])
	}
	summary := string(byName["summary.md"])
	assert.Contains(t, summary, "Zero at every point, so not charted: dropped\\_rate.")
	assert.Contains(t, summary, "webhook is the same at every point")
}

// The trade-off chart draws the closed form through the measured points:
// for a fixed poller, 3600/T requests an hour at a p-quantile of pT + b.
func TestTradeoffModelGoesThroughThePoints(t *testing.T) {
	t.Parallel()
	sw := pollSweep(t)
	var poller sweepSeries
	for _, s := range seriesOf(sw) {
		if s.client == "poll-10s" {
			poller = s
		}
	}
	require.Len(t, poller.points, 6)
	curve := tradeoffModel(poller, 0.99)
	require.Len(t, curve, modelSteps+1)
	assert.InDelta(t, 3600, curve[0].X, 1e-9, "the curve starts at the 1s interval")
	assert.InDelta(t, 12, curve[len(curve)-1].X, 1e-9, "and ends at 5m")
	for _, pt := range poller.points {
		m, ok := pollModel(pt.model, "poll-10s")
		require.True(t, ok)
		measured := pt.c.Latency.P99S
		model := m.quantile(0.99)
		assert.InDelta(t, 1, measured/model, 0.05, "at %s the p99 is %v; the model says %v", pt.label, measured, model)
		assert.InDelta(t, m.requestsPerHour(), 3600*pt.c.Requests.PerS, 0.5, "requests per hour at %s", pt.label)
		empty, _ := m.modelled("empty_poll_fraction")
		assert.InDelta(t, empty, *pt.c.EmptyPollFraction, 0.02, "empty polls at %s", pt.label)
	}
}

func TestPareto(t *testing.T) {
	t.Parallel()
	front := pareto([]tradeoffPoint{{x: 10, y: 5}, {x: 1, y: 100}, {x: 20, y: 6}, {x: 50, y: 1}, {x: 5, y: 50}, {x: 5, y: 40}})
	var got [][2]float64
	for _, p := range front {
		got = append(got, [2]float64{p.x, p.y})
	}
	assert.Equal(t, [][2]float64{{1, 100}, {5, 40}, {10, 5}, {50, 1}}, got)
}

// A grid of two fields, a sweep with no point and an unknown metric.
func TestSweepEdgeCases(t *testing.T) {
	t.Parallel()
	grid := pollSweep(t)
	grid.Axes = append(grid.Axes, metrics.SweepAxis{Set: "store.api.page_size", Values: []string{"10", "100"}, Numbers: []float64{10, 100}})
	var points []metrics.SweepPoint
	for _, p := range grid.Points {
		for _, size := range []string{"10", "100"} {
			points = append(points, metrics.SweepPoint{Values: append(append([]string(nil), p.Values...), size), Model: p.Model, Results: p.Results})
		}
	}
	grid.Points = points
	got, err := renderSweep(grid, Options{Metrics: []string{"p99_latency_s", "empty_poll_fraction"}}, false)
	require.NoError(t, err)
	page := string(files(t, got)["report.html"])
	assert.Contains(t, page, "poll-10s, page_size = 100")
	assert.Equal(t, 4, strings.Count(page, "<figure"))

	empty := pollSweep(t)
	empty.Points, empty.Interrupted = nil, true
	got, err = renderSweep(empty, Options{}, false)
	require.NoError(t, err)
	assert.Contains(t, string(files(t, got)["report.html"]), "No point of the sweep finished")

	_, err = RenderSweep(pollSweep(t), Options{Metrics: []string{"p99"}})
	assert.ErrorContains(t, err, `unknown metric "p99"`)
	_, err = RenderSweep(nil, Options{})
	assert.Error(t, err)
}
