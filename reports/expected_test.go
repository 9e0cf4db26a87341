package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// offModel is the six-client run with poll-10s's p99 measured at 12 s,
// outside the model's 9.98 s ± 144 ms.
func offModel(t *testing.T) *metrics.Results {
	t.Helper()
	res := sixClients(t)
	c := res.Client("poll-10s")
	require.NotNil(t, c.Model, "testdata/six-clients.results.json carries the model")
	e, ok := c.Model.Expected["p99_latency_s"]
	require.True(t, ok)
	require.True(t, e.Within, "the run as it was agrees with the model")
	c.Latency.P99S = 12
	e.Measured, e.Within = &c.Latency.P99S, false
	c.Model.Expected["p99_latency_s"] = e
	return res
}

// A figure measured outside the model's tolerance is flagged wherever the
// run's figures are shown: the printed table, report.html and summary.md.
func TestAFigureOutsideToleranceIsFlagged(t *testing.T) {
	t.Parallel()
	res := offModel(t)

	var table strings.Builder
	require.NoError(t, WriteTable(&table, res))
	assert.Contains(t, table.String(), "12.0s!")
	assert.Contains(t, table.String(), "! measured outside the model's tolerance (see below)")
	assert.Contains(t, table.String(), "! poll-10s p99_latency_s: measured 12.0s, the model expects 9.98s ± 144ms")

	got, err := render(res, Options{}, false)
	require.NoError(t, err)
	byName := files(t, got)
	n := predicted(res)
	lead := fmt.Sprintf("%d of %d predicted figures of this run are within the model's tolerance; 1 is not.", n-1, n)
	page := string(byName["report.html"])
	flag := `<span class="flag" title="measured outside the model's tolerance">!</span></td>`
	assert.Contains(t, page, `<td class="num">5.01s</td><td class="num outside">12.0s`+flag+`<td class="num">360</td>`, "the p99 cell is flagged in the verdict")
	assert.Contains(t, page, `<td class="num">9.98s<span class="tol">± 144ms</span></td>`, "the row under it has what the model expected")
	assert.Contains(t, page, strings.ReplaceAll(lead, "'", "&#39;"))
	assert.Contains(t, page, `<td>poll-10s</td><td>p99_latency_s</td><td class="num outside">12.0s<span class="flag"`, "the figure is listed with the client and metric")
	assert.Contains(t, page, `<td class="num">9.98s ± 144ms</td>`)
	assert.Contains(t, page, "<li>poll-5m: the client&#39;s outages: the drain of the backlog they leave has no closed form here.</li>")
	assert.Contains(t, page, "! marks a figure measured outside that tolerance.")

	summary := string(byName["summary.md"])
	assert.Contains(t, summary, "| poll-10s | poll every 10s | **8,619** | 5.01s | 12.0s! |")
	assert.Contains(t, summary, "| *expected* |  |  | 5.08s ± 266ms | 9.98s ± 144ms |")
	assert.Contains(t, summary, lead)
	assert.Contains(t, summary, "| poll-10s | p99\\_latency\\_s | 12.0s | 9.98s ± 144ms | fixed-rate polling")
	assert.Contains(t, summary, "| poll-10s | 8,619 | 5.05s | 5.01s | 9.11s | 12.0s! | ", "the latency table flags it too")
	assert.Contains(t, summary, "- poll-5m: the client's outages: the drain of the backlog they leave has no closed form here.")
}

// When every figure agrees, nothing is flagged, and the report says how
// many were checked.
func TestAgreementIsCounted(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	got, err := render(res, Options{}, false)
	require.NoError(t, err)
	byName := files(t, got)
	lead := fmt.Sprintf("All %d predicted figures of this run are within the model's tolerance.", predicted(res))
	for _, name := range []string{"report.html", "summary.md"} {
		text := string(byName[name])
		assert.NotContains(t, text, "outside that tolerance", name)
		assert.Contains(t, strings.ReplaceAll(text, "&#39;", "'"), lead, name)
	}
	assert.NotContains(t, string(byName["report.html"]), `class="flag"`)
	assert.NotContains(t, string(byName["summary.md"]), "! |")
	var table strings.Builder
	require.NoError(t, WriteTable(&table, sixClients(t)))
	assert.NotContains(t, table.String(), "!")
}

// Results without a model (written before pushpull compared runs with
// theory) have no model part and no expected rows.
func TestResultsWithoutAModel(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	for i := range res.Clients {
		res.Clients[i].Model = nil
	}
	v := judge(res)
	assert.Nil(t, v.model)
	assert.False(t, anyExpected(v.rows))
	got, err := render(res, Options{}, false)
	require.NoError(t, err)
	byName := files(t, got)
	assert.NotContains(t, string(byName["report.html"]), "Against the model")
	assert.NotContains(t, string(byName["summary.md"]), "*expected*")
	rows := readCSV(t, byName["clients.csv"])
	for _, cell := range rows[1][slices.Index(rows[0], "mean_latency_s_expected"):] {
		assert.Empty(t, cell)
	}
}

// Clients whose model says the same thing is missing are named together.
func TestMissingIsGroupedByReason(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	res.Run.Interrupted = true
	for i := range res.Clients {
		res.Clients[i].Model = &metrics.Model{Missing: "the run was interrupted: it is not the whole run the models describe"}
	}
	mp := judgeModel(res)
	require.NotNil(t, mp)
	assert.Equal(t, "The model predicts none of the figures of this run.", mp.Lead)
	assert.Equal(t, []string{"poll-1s, poll-10s, poll-1m, poll-5m, webhook and webhook-hang: the run was interrupted: it is not the whole run the models describe."}, mp.Missing)
}

// clients.csv keeps its columns and adds, after them, the expected value
// and tolerance of every metric a model may predict, empty where a client
// has no prediction.
func TestClientsCSVHasTheExpectations(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	data, err := clientsCSV(res)
	require.NoError(t, err)
	rows := readCSV(t, data)
	header := rows[0]
	measured := append([]string{"client", "strategy", "emitted"}, metrics.MetricNames()...)
	require.Equal(t, measured, header[:len(measured)], "the measured columns come first, in their order")
	for _, name := range []string{"p99_latency_s", "requests_per_hour", "empty_poll_fraction", "fresh_fraction"} {
		assert.Contains(t, header, name+"_expected")
		assert.Contains(t, header, name+"_tolerance")
	}
	assert.Equal(t, len(measured)+2*len(modelledMetrics), len(header))

	col := func(name string) int { return slices.Index(header, name) }
	poll10 := rows[2]
	require.Equal(t, "poll-10s", poll10[0])
	e := res.Client("poll-10s").Model.Expected["p99_latency_s"]
	assert.Equal(t, number(e.Value), poll10[col("p99_latency_s_expected")])
	assert.Equal(t, number(e.Tolerance), poll10[col("p99_latency_s_tolerance")])
	assert.Equal(t, number(3600*res.Client("poll-10s").Model.Expected["requests_per_s"].Value), poll10[col("requests_per_hour_expected")],
		"requests per hour are expected as 3600 × requests per second")
	poll5m := rows[4]
	require.Equal(t, "poll-5m", poll5m[0])
	assert.Empty(t, poll5m[col("p99_latency_s_expected")], "a client the model does not predict has empty cells")
	assert.Empty(t, poll5m[col("p99_latency_s_tolerance")])
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestSpread(t *testing.T) {
	t.Parallel()
	cases := map[float64]string{0: "0", 0.0139: "0.014", 1.29: "1.3", 1: "1", 9.6: "9.6", 260.4: "260", 2419: "2,419"}
	for v, want := range cases {
		assert.Equal(t, want, spread(v), "spread(%v)", v)
	}
	assert.Equal(t, "1.1%", spreadPercent(0.0112))
	assert.Equal(t, "144ms", ToleranceIn(0.144, "s"))
}

// predicted counts the figures the models predicted and res measured.
func predicted(res *metrics.Results) int {
	n := 0
	for _, c := range res.Clients {
		if c.Model == nil {
			continue
		}
		for _, e := range c.Model.Expected {
			if e.Measured != nil {
				n++
			}
		}
	}
	return n
}
