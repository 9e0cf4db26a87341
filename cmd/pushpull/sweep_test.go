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

func TestThresholds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		thresholds string
		code       int
		stdout     []string
		stderr     string
	}{
		{"all hold", `
  - {client: hook, metric: dropped_rate, max: 0}
  - {client: poll-10s, metric: p99_latency_s, max: 11}
  - {client: poll-10s, metric: delivered, min: 1}`, 0, []string{"thresholds: all 3 hold"}, ""},
		{"a breach", `
  - {client: hook, metric: dropped_rate, max: 0}
  - {client: poll-10s, metric: p50_latency_s, max: 1}
  - {client: poll-10s, metric: requests_per_hour, min: 1000}`, 3,
			[]string{"THRESHOLDS BREACHED:", "poll-10s p50_latency_s = 4.32538, above the max of 1", "poll-10s requests_per_hour = 360, below the min of 1000"},
			"2 threshold breaches (listed above)"},
		{"malformed", `
  - {client: hook, metric: p99, max: 1}`, 2, nil, `:12:28: thresholds[0].metric: unknown metric "p99" (did you mean "p99_latency_s"?)`},
		{"an unknown client", `
  - {client: hooks, metric: p99_latency_s, max: 1}`, 2, nil, `:12:14: thresholds[0].client: no client is named "hooks"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := scenarioFile(t, small+"thresholds:"+tc.thresholds+"\n")
			out := t.TempDir()
			stdout, stderr, code := pushpull(t, context.Background(), "run", file, "-out", out)
			assert.Equal(t, tc.code, code, stderr)
			for _, want := range tc.stdout {
				assert.Contains(t, stdout, want)
			}
			assert.Contains(t, stderr, tc.stderr)
			if tc.code == 3 {
				_, err := os.Stat(filepath.Join(out, "small", "report.html"))
				assert.NoError(t, err, "a breach still writes the report")
			}
		})
	}
}

func TestSetChangesAField(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small), "-out", out, "-set", "clients.poll-10s.poll.interval=30s", "-set", "store.api.rate_limit.rate=1/s")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "poll every 30s")
	page, err := os.ReadFile(filepath.Join(out, "small", "report.html"))
	require.NoError(t, err)
	assert.NotContains(t, string(page), `<pre class="source">`, "the file's text is not the scenario that ran")
}

func TestBadSets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		set, want string
	}{
		{"clients.poll-1s.poll.interval=1s", `-set clients.poll-1s.poll.interval=1s: clients has no item named "poll-1s"; the names are poll-10s, hook`},
		{"clients.poll-10s.poll.interval=-1s", "small.yaml:8:22: clients[0].poll.interval: must be positive, got -1s (given by -set clients.poll-10s.poll.interval=-1s)"},
		{"clients.poll-10s.poll.interval=1s,2x", `small.yaml:8:22: clients[0].poll.interval: "2x" is not a duration`},
		{"interval", `-set: "interval" is not PATH=VALUE`},
		{"store.nope=1", `-set store.nope=1: store: unknown field "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.set, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small), "-out", t.TempDir(), "-set", tc.set)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
		})
	}
	_, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small), "-set", "seed=1,2", "-set", "drain=1m,2m", "-set", "duration=1h,2h")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "3 fields with several values")

	// -metrics chooses a sweep's charts: asked of a single run, or of the
	// report of one, it says so rather than being ignored.
	stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small), "-out", t.TempDir(), "-metrics", "p99_latency_s")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "-metrics chooses the charts of a sweep; ")
	_, stderr, code = pushpull(t, context.Background(), "report", runSmall(t), "-out", t.TempDir(), "-metrics", "p99_latency_s")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "is the results of one run")
}

func readSweep(t *testing.T, path string) *metrics.Sweep {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var sw metrics.Sweep
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&sw))
	return &sw
}

func TestSweepFromTheCommandLine(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small), "-out", out, "-set", "clients.poll-10s.poll.interval=1s,10s,1m")
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "small", "sweep")
	assert.Contains(t, stdout, "Sweep of clients.poll-10s.poll.interval over 1s, 10s, 1m: 3 runs")
	assert.Contains(t, stdout, "report: "+filepath.Join(dir, "report.html"))
	assert.NotContains(t, stderr, "sweep: 1/3", "no progress line when stderr is not a terminal")
	sw := readSweep(t, filepath.Join(dir, "sweep.json"))
	assert.Equal(t, metrics.SweepSchema, sw.Schema)
	require.Len(t, sw.Points, 3)
	for i, want := range []string{"poll every 1s", "poll every 10s", "poll every 1m"} {
		assert.Equal(t, want, sw.Points[i].Results.Clients[0].Strategy)
	}
	for _, name := range []string{"report.html", "summary.md", "points.csv", "charts/tradeoff-p99.png", "charts/tradeoff-p99.svg", "charts/sweep-requests_per_hour.svg"} {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.NoError(t, err, name)
	}

	// pushpull report renders the sweep again.
	again := t.TempDir()
	_, stderr, code = pushpull(t, context.Background(), "report", filepath.Join(dir, "sweep.json"), "-out", again)
	require.Equal(t, 0, code, stderr)
	first, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	second, _ := os.ReadFile(filepath.Join(again, "summary.md"))
	assert.Equal(t, string(first), string(second))
}

func TestSweepInTheFileWithThresholds(t *testing.T) {
	t.Parallel()
	src := small + `sweep:
  - {set: clients.poll-10s.poll.interval, values: [1s, 1m]}
  - {set: store.api.page_size, values: [10, 100]}
thresholds:
  - {client: poll-10s, metric: p99_latency_s, max: 5}
`
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, src), "-out", out, "-seed", "3")
	assert.Equal(t, 3, code, stderr)
	assert.Contains(t, stdout, "at 1m × 10: poll-10s p99_latency_s = ")
	assert.Contains(t, stdout, "at 1m × 100: poll-10s p99_latency_s = ")
	assert.NotContains(t, stdout, "at 1s × 10:")
	sw := readSweep(t, filepath.Join(out, "small", "sweep", "sweep.json"))
	require.Len(t, sw.Points, 4)
	assert.Equal(t, []string{"1m", "10"}, sw.Points[2].Values)
	assert.Equal(t, uint64(3), sw.Points[0].Results.Run.Seed, "-seed applies to every point")

	// A bad value in the file's sweep is reported at its place.
	bad := strings.Replace(src, "[10, 100]", "[10, 0]", 1)
	_, stderr, code = pushpull(t, context.Background(), "run", scenarioFile(t, bad), "-out", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "store.api.page_size: must be between 1 and 1000000, got 0 (given by sweep[1] store.api.page_size=0)")
}

func TestInterruptedSweep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	_, stderr, code := pushpull(t, ctx, "run", scenarioFile(t, small), "-out", out, "-set", "clients.poll-10s.poll.interval=1s,10s")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "interrupted")
	sw := readSweep(t, filepath.Join(out, "small", "sweep", "sweep.json"))
	assert.True(t, sw.Interrupted)
}
