package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// small is a scenario quick enough to run many times in tests.
const small = `name: small
duration: 6h
drain: 10m
network: {latency: {median: 20ms, p99: 80ms}}
store: {arrivals: {process: poisson, rate: 50/h}}
clients:
  - name: poll-10s
    poll: {interval: 10s}
  - name: hook
    webhook: {}
`

// scenarioFile writes a scenario to a temporary file and returns its path.
func scenarioFile(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

func TestRunWritesTheReport(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", shipped, "-out", out)
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "ecommerce-orders")
	assert.Contains(t, stdout, "report:  "+filepath.Join(dir, "report.html"))
	for _, name := range []string{"report.html", "summary.md", "clients.csv", "timeline.csv", "charts/latency-cdf.svg", "charts/latency-cdf.png", "charts/timeline.png"} {
		info, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Positive(t, info.Size(), name)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "name: ecommerce-orders", "the report ends with the scenario's text")
	_, err = os.Stat(filepath.Join(dir, "charts", "loss.svg"))
	assert.True(t, os.IsNotExist(err), "nothing was lost, so there is no loss chart")
}

// pushpull report renders from results.json alone what the run rendered.
func TestReportRendersTheRunAgain(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	_, stderr, code := pushpull(t, context.Background(), "run", shipped, "-out", out)
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "ecommerce-orders")
	again := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "report", filepath.Join(dir, "results.json"), "-out", again)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, filepath.Join(again, "report.html"))
	for _, name := range []string{"report.html", "summary.md", "clients.csv", "timeline.csv", "charts/latency-cdf.svg", "charts/cost.svg", "charts/timeline.svg"} {
		first, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		second, err := os.ReadFile(filepath.Join(again, name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(first, second), "%s differs when rendered again", name)
	}
}

func TestReportOfBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	cases := []struct {
		name, file, want string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "nope.json: no such file"},
		{"not JSON", write("text.json", "{\n  \"schema\": \"pushpull/results\",\n  oops\n}"), "text.json is not a results.json or sweep.json: line 3, column 4"},
		{"no schema", write("other.json", `{"a": 1}`), `other.json is not a results.json or sweep.json: it has no "schema" field`},
		{"another schema", write("k6.json", `{"schema": "k6/summary"}`), `k6.json holds "k6/summary", not pushpull results`},
		{"a newer version", write("v9.json", `{"schema": "pushpull/results", "version": 9}`), "v9.json is results.json version 9; this pushpull reads version 1"},
		{"a wrong type", write("type.json", `{"schema": "pushpull/results", "version": 1, "clients": [{"name": 3}]}`), "type.json is not a valid results.json: line 1, column"},
		{"two clients alike", write("twins.json", `{"schema": "pushpull/results", "version": 1, "clients": [{"name": "a"}, {"name": "a"}]}`), `two clients are named "a"`},
		{"a bad timeline", write("tl.json", `{"schema": "pushpull/results", "version": 1, "timeline": {"bucket_s": 0, "emitted": [1]}}`), "timeline.bucket_s must be positive"},
		{"a sweep without axes", write("sweep.json", `{"schema": "pushpull/sweep", "version": 1, "axes": []}`), "a sweep has one or two axes, got 0"},
		{"an axis without values", write("empty-axis.json", `{"schema": "pushpull/sweep", "version": 1, "axes": [{"set": "a.b", "values": []}]}`), "axes[0] (a.b) has no values"},
		{"an axis short of numbers", write("numbers.json", `{"schema": "pushpull/sweep", "version": 1, "axes": [{"set": "a.b", "values": ["1s", "2s"], "numbers": [1]}]}`), "axes[0] (a.b) has 1 numbers for 2 values"},
		{"a point off its axis", write("stray.json", `{"schema": "pushpull/sweep", "version": 1, "axes": [{"set": "a.b", "values": ["1s"]}], "points": [{"values": ["7s"], "results": {}}]}`), `points[0].values[0] "7s" is not one of axes[0].values`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := pushpull(t, context.Background(), "report", tc.file, "-out", t.TempDir())
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
	_, stderr, code := pushpull(t, context.Background(), "report")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "report takes one results.json or sweep.json, got 0")
}

// runSmall runs the small scenario, changed by edit, and returns its
// results.json.
func runSmall(t *testing.T, args ...string) string {
	t.Helper()
	out := t.TempDir()
	_, stderr, code := pushpull(t, context.Background(), append([]string{"run", scenarioFile(t, small), "-out", out}, args...)...)
	require.Equal(t, 0, code, stderr)
	return filepath.Join(out, "small", "results.json")
}

// rewrite changes a results.json in place through edit.
func rewrite(t *testing.T, path string, edit func(res *metrics.Results)) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var res metrics.Results
	require.NoError(t, json.Unmarshal(data, &res))
	edit(&res)
	data, err = json.Marshal(&res)
	require.NoError(t, err)
	next := filepath.Join(t.TempDir(), "results.json")
	require.NoError(t, os.WriteFile(next, data, 0o644))
	return next
}

func TestCompare(t *testing.T) {
	t.Parallel()
	base := runSmall(t)

	t.Run("the same run passes", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := pushpull(t, context.Background(), "compare", base, base)
		assert.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "No change in the 11 metrics compared: poll-10s and hook.")
		assert.Contains(t, stdout, "No regression beyond ±5%.")
	})

	worse := rewrite(t, base, func(res *metrics.Results) {
		res.Clients[0].Latency.P99S *= 1.5
		res.Clients[0].Latency.P50S *= 1.02
		r := 0.1
		res.Clients[1].Dropped = metrics.Dropped{Total: 30, Rate: &r, ByCause: map[string]int64{"retries_exhausted": 30}}
		res.Clients = append(res.Clients, metrics.ClientResults{Name: "newcomer"})
	})
	t.Run("a regression fails", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := pushpull(t, context.Background(), "compare", base, worse)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "2 regressions beyond ±5%")
		assert.Regexp(t, `poll-10s\s+p99_latency_s\s+\S+\s+\S+\s+\+50\.0%\s+REGRESSION`, stdout)
		assert.Regexp(t, `poll-10s\s+p50_latency_s\s+\S+\s+\S+\s+\+2\.0%\s*\n`, stdout, "a change within the tolerance is listed, not marked")
		assert.Regexp(t, `hook\s+dropped_rate\s+0\.0%\s+10\.0%\s+from 0\s+REGRESSION`, stdout)
		assert.Contains(t, stdout, "newcomer is only in the new run.")
	})
	t.Run("a wider tolerance passes", func(t *testing.T) {
		t.Parallel()
		_, stderr, code := pushpull(t, context.Background(), "compare", base, worse, "-tolerance", "0.6", "-metrics", "p99_latency_s,p50_latency_s")
		assert.Equal(t, 0, code, stderr)
	})
	t.Run("the other way is an improvement", func(t *testing.T) {
		t.Parallel()
		stdout, _, code := pushpull(t, context.Background(), "compare", worse, base)
		assert.Equal(t, 0, code)
		assert.Regexp(t, `poll-10s\s+p99_latency_s\s+\S+\s+\S+\s+-33\.3%\s+better`, stdout)
		assert.Contains(t, stdout, "newcomer is only in the base run.")
	})
	t.Run("a client that stopped delivering regresses", func(t *testing.T) {
		t.Parallel()
		silent := rewrite(t, base, func(res *metrics.Results) {
			res.Clients[1].Latency = metrics.Latency{}
			res.Clients[1].Delivered = 0
		})
		stdout, _, code := pushpull(t, context.Background(), "compare", base, silent, "-metrics", "p99_latency_s")
		assert.Equal(t, 1, code)
		assert.Regexp(t, `hook\s+p99_latency_s\s+\S+\s+–\s+no value\s+REGRESSION`, stdout)
	})

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"one file", []string{base}, "compare takes two results.json files, BASE and NEW, got 1"},
		{"a malformed file", []string{base, scenarioFile(t, small)}, "small.yaml is not a results.json or sweep.json"},
		{"an unknown metric", []string{base, base, "-metrics", "p99"}, `-metrics: unknown metric "p99"`},
		{"a negative tolerance", []string{base, base, "-tolerance", "-1"}, "the tolerance must be a number at least 0, got -1"},
		{"an infinite tolerance", []string{base, base, "-tolerance", "+Inf"}, "the tolerance must be a number at least 0, got +Inf"},
		{"a sweep", []string{base, writeSweep(t)}, "is a sweep; give the results.json of a single run"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := pushpull(t, context.Background(), append([]string{"compare"}, tc.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func writeSweep(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sweep.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"schema": "pushpull/sweep", "version": 1, "axes": [{"set": "seed", "values": ["1"]}], "points": []}`), 0o644))
	return path
}

func TestNewCommandsHaveHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"report", "compare"} {
		stdout, _, code := pushpull(t, context.Background(), cmd, "-h")
		assert.Equal(t, 0, code)
		assert.Contains(t, stdout, "Usage: pushpull "+cmd, cmd)
		assert.Contains(t, stdout, "Example", cmd)
	}
	stdout, _, _ := pushpull(t, context.Background(), "-h")
	assert.True(t, strings.Contains(stdout, "report") && strings.Contains(stdout, "compare"))
	assert.Contains(t, stdout, "3 a threshold of the scenario was breached")
}
