package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pushpull/pushpull/sim/live"
	"github.com/pushpull/pushpull/sim/metrics"
)

func readLiveResults(t *testing.T, path string) *metrics.Results {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var res metrics.Results
	require.NoError(t, json.Unmarshal(data, &res))
	return &res
}

// run -mode live runs the scenario over HTTP and writes results.json, with
// its http section, the report and vegeta.bin.
func TestRunLive(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", scenarioFile(t, small),
		"-set", "duration=20m", "-set", "drain=30s", "-mode", "live", "-speedup", "300", "-out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "store: http://127.0.0.1:")
	assert.Contains(t, stdout, "live runner")
	assert.Contains(t, stdout, "over HTTP:")
	dir := filepath.Join(out, "small")
	res := readLiveResults(t, filepath.Join(dir, "results.json"))
	assert.Equal(t, live.Runner, res.Run.Runner)
	assert.True(t, res.Run.InvariantOK)
	require.NotNil(t, res.HTTP)
	assert.Equal(t, 300.0, res.HTTP.Speedup)
	require.Len(t, res.HTTP.Clients, 2)
	assert.FileExists(t, filepath.Join(dir, "report.html"))

	f, err := os.Open(filepath.Join(dir, "vegeta.bin"))
	require.NoError(t, err)
	defer f.Close()
	dec := vegeta.DecoderFor(f)
	require.NotNil(t, dec)
	var n int64
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		n++
	}
	assert.Equal(t, res.HTTP.Exchanges, n)
}

// Ctrl-C during a live run writes what it measured, marked interrupted.
func TestInterruptedLiveRun(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, stderr, code := pushpull(t, ctx, "run", scenarioFile(t, small), "-mode", "live", "-speedup", "100", "-out", out)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "interrupted: partial results written to")
	res := readLiveResults(t, filepath.Join(out, "small", "results.json"))
	assert.True(t, res.Run.Interrupted)
	assert.True(t, res.Run.InvariantOK)
	assert.Less(t, res.Run.SimulatedS, 6*3600.0)
	assert.FileExists(t, filepath.Join(out, "small", "vegeta.bin"))
}

func TestLiveFlags(t *testing.T) {
	t.Parallel()
	file := scenarioFile(t, small)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-mode", "fast"}, `-mode "fast": want sim or live`},
		{[]string{"-speedup", "10"}, "-speedup applies to -mode live only"},
		{[]string{"-mode", "live", "-speedup", "0"}, "-speedup must be a positive number"},
		{[]string{"-mode", "live", "-speedup", "-3"}, "-speedup must be a positive number"},
		{[]string{"-mode", "live", "-set", "seed=1,2"}, "a sweep (-set PATH=V1,V2,...) runs in the simulator only"},
	} {
		_, stderr, code := pushpull(t, context.Background(), append([]string{"run", file, "-out", t.TempDir()}, tc.args...)...)
		assert.Equal(t, exitUsage, code, "%v", tc.args)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
	}
	for _, cmd := range []string{"serve", "capacity"} {
		stdout, _, code := pushpull(t, context.Background(), cmd, "-h")
		assert.Equal(t, 0, code)
		assert.Contains(t, stdout, "Usage: pushpull "+cmd)
		assert.Contains(t, stdout, "Examples:")
	}
	_, stderr, code := pushpull(t, context.Background(), "serve", file, "-speedup", "0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-speedup must be a positive number")
}

// lineWriter is the write end of a pipe, as an io.Writer.
type lineWriter struct {
	pw *io.PipeWriter
}

func (w lineWriter) Write(b []byte) (int, error) { return w.pw.Write(b) }

// serve runs the store alone and prints its URL; it answers the API until
// interrupted.
func TestServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", scenarioFile(t, small), "-speedup", "3600"}, lineWriter{pw}, io.Discard)
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	url = strings.TrimSpace(url)
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	time.Sleep(100 * time.Millisecond) // a few scenario minutes: some events
	resp, err := http.Get(url + "/v1/events?after=0&client=poll-10s")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var page struct {
		Events []json.RawMessage `json:"events"`
		Cursor int64             `json:"cursor"`
	}
	require.NoError(t, json.Unmarshal(body, &page))

	resp, err = http.Get(url + "/v1/events?after=oops")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when interrupted")
	}
	_, err = http.Get(url + "/v1/events")
	assert.Error(t, err, "the store no longer listens")
}

// capacity ramps polls until a limit breaks, and writes capacity.json.
func TestCapacity(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "capacity", scenarioFile(t, small),
		"-start", "200", "-slope", "200", "-max-duration", "3s", "-deliveries", "500", "-out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "the store sustains")
	assert.Contains(t, stdout, "webhook deliveries/s")
	assert.Contains(t, stdout, "poll-10s")
	data, err := os.ReadFile(filepath.Join(out, "small", "capacity.json"))
	require.NoError(t, err)
	var res live.Capacity
	require.NoError(t, json.Unmarshal(data, &res))
	assert.NotEmpty(t, res.Windows)
	require.Len(t, res.Pollers, 1)
	assert.Equal(t, 10.0, res.Pollers[0].IntervalS)
}
