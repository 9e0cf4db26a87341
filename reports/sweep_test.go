package reports

import (
	"encoding/json"
	"fmt"
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

// The sweep's charts draw the model from each point's expectations: on a
// chart against the swept field, a point per sweep point at the expected
// value, with the tolerance around it; on the trade-off chart, the
// expected requests per hour against the expected latency. For a fixed
// poller they run through the measured points.
func TestSweepChartsDrawTheExpectations(t *testing.T) {
	t.Parallel()
	sw := pollSweep(t)
	var poller sweepSeries
	for _, s := range seriesOf(sw) {
		if s.client == "poll-10s" {
			poller = s
		}
	}
	require.Len(t, poller.points, 6)
	p99 := poller.expected("p99_latency_s")
	perHour := poller.expected("requests_per_hour")
	require.Len(t, p99, 6)
	for i, pt := range poller.points {
		e := pt.c.Model.Expected["p99_latency_s"]
		require.True(t, p99[i].present, "the model predicts p99 at %s", pt.label)
		assert.Equal(t, pt.x, p99[i].x)
		assert.Equal(t, e.Value, p99[i].y)
		assert.InDelta(t, e.Tolerance, p99[i].yHi-p99[i].y, 1e-12)
		assert.InDelta(t, e.Tolerance, p99[i].y-p99[i].yLo, 1e-12)
		assert.InDelta(t, pt.c.Latency.P99S, p99[i].y, p99[i].yHi-p99[i].y, "at %s the measured p99 is within the bar", pt.label)
		assert.InDelta(t, 3600*pt.c.Model.Expected["requests_per_s"].Value, perHour[i].y, 1e-9, "requests per hour are scaled from per second")
		assert.InDelta(t, 3600*pt.c.Requests.PerS, perHour[i].y, 0.5, "requests per hour at %s", pt.label)
	}

	curve := tradeoffExpected(poller, "p99_latency_s")
	require.Len(t, curve, 6)
	assert.InDelta(t, 12, curve[0].x, 1e-6, "the cheapest expected point is the 5m interval")
	assert.InDelta(t, 3600, curve[len(curve)-1].x, 1e-6, "and the dearest 1s")
	for i := 1; i < len(curve); i++ {
		assert.Less(t, curve[i].y, curve[i-1].y, "more requests buy a lower expected latency")
	}

	// The default charts have a model wherever a client has expectations.
	charts, _, err := SweepCharts(sw, nil)
	require.NoError(t, err)
	for _, ch := range charts {
		svg, err := ch.SVG()
		require.NoError(t, err)
		assert.Contains(t, string(svg), "expected by the model", "%s has the model's legend", ch.Name)
	}
}

// A point measured outside its tolerance is flagged in the sweep's table,
// its report and its summary, and the chart of the metric names it.
func TestSweepFlagsFiguresOutsideTolerance(t *testing.T) {
	t.Parallel()
	sw := pollSweep(t)
	c := sw.Points[2].Results.Client("poll-10s")
	e := c.Model.Expected["p99_latency_s"]
	c.Latency.P99S = e.Value + 3*e.Tolerance
	e.Measured, e.Within = &c.Latency.P99S, false
	c.Model.Expected["p99_latency_s"] = e

	var table strings.Builder
	require.NoError(t, WriteSweepTable(&table, sw))
	assert.Contains(t, table.String(), latency(c.Latency.P99S)+"!")
	assert.Contains(t, table.String(), "! measured outside the model's tolerance at that point\n")
	assert.Contains(t, table.String(), "! poll-10s p99_latency_s at 10s: measured ")

	got, err := renderSweep(sw, Options{}, false)
	require.NoError(t, err)
	byName := files(t, got)
	page := string(byName["report.html"])
	assert.Contains(t, page, `class="num outside">`+latency(c.Latency.P99S)+`<span class="flag"`)
	assert.Contains(t, page, "! marks a figure measured outside the model&#39;s tolerance at that point.")
	summary := string(byName["summary.md"])
	assert.Contains(t, summary, "| 10s | poll-10s | 5.08s | "+latency(c.Latency.P99S)+"! |")
	assert.Contains(t, summary, "| 10s | poll-10s | p99\\_latency\\_s | "+latency(c.Latency.P99S)+" | ")
	ch := metricChart(sw, mustMetric(t, "p99_latency_s"))
	assert.Contains(t, ch.Notes, "Measured outside the model's tolerance: poll-10s at 10s.")
}

func mustMetric(t *testing.T, name string) metrics.Metric {
	t.Helper()
	m, ok := metrics.LookupMetric(name)
	require.True(t, ok, name)
	return m
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
			points = append(points, metrics.SweepPoint{Values: append(append([]string(nil), p.Values...), size), Results: p.Results})
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

// What has no closed form is said once per reason, naming the clients and
// the points it holds at.
func TestSweepModelGroupsWhatIsMissing(t *testing.T) {
	t.Parallel()
	sw := pollSweep(t)
	for i, p := range sw.Points {
		p.Results.Client("webhook").Model.Missing = "no closed form for this"
		if i < 2 {
			p.Results.Client("poll-10s").Model.Missing = "no closed form for this."
		}
	}
	mp := judgeSweepModel(sw)
	require.NotNil(t, mp)
	assert.Equal(t, []string{"No closed form for this (poll-10s at 1s and 5s; webhook at every point)."}, mp.Missing)
	n := 0
	for _, p := range sw.Points {
		n += predicted(p.Results)
	}
	assert.Equal(t, fmt.Sprintf("%d of %d predicted figures over the %d points are within the model's tolerance; 1 is not.", n-1, n, len(sw.Points)), mp.Lead)
	require.Len(t, mp.Outside, 1)
	assert.Equal(t, []string{"1s", "poll-10s", "duplicates", "1", "0"}, []string{mp.Outside[0][0].Text, mp.Outside[0][1].Text, mp.Outside[0][2].Text, mp.Outside[0][3].Text, mp.Outside[0][4].Text})
}
