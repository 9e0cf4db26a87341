package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pushpull runs the command with args and returns its output and exit code.
func pushpull(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, &out, &errOut)
	if err != nil {
		code = exitCode(err)
		if msg := err.Error(); msg != "" {
			errOut.WriteString(msg + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/pushpull -update to create it")
	assert.Equal(t, string(want), got, "%s is stale: go test ./cmd/pushpull -update rewrites it", path)
}

const shipped = "../../scenarios/ecommerce-orders.yaml"

func TestRunPrintsTheTableAndWritesResults(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stdout, stderr, code := pushpull(t, context.Background(), "run", shipped, "-out", out)
	require.Equal(t, 0, code, stderr)
	path := filepath.Join(out, "ecommerce-orders", "results.json")
	golden(t, "run-ecommerce-orders.txt", strings.ReplaceAll(stdout, out, "OUT"))

	first, err := os.ReadFile(path)
	require.NoError(t, err)
	var res metrics.Results
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&res))
	assert.Equal(t, metrics.Schema, res.Schema)
	assert.Equal(t, metrics.Version, res.Version)
	assert.True(t, res.Run.InvariantOK)
	assert.False(t, res.Run.Interrupted)

	// The same file and seed give a byte-identical results.json.
	_, _, code = pushpull(t, context.Background(), "run", shipped, "-out", out)
	require.Equal(t, 0, code)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(first), string(again))

	// Another seed, given after the file, gives other results.
	_, _, code = pushpull(t, context.Background(), "run", shipped, "-out", out, "-seed", "7")
	require.Equal(t, 0, code)
	other, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotEqual(t, string(first), string(other))
	assert.Contains(t, string(other), `"seed": 7`)
}

func TestInterruptedRunStillWritesItsResults(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	file := filepath.Join(t.TempDir(), "long.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
name: long
duration: 8760h
store: {arrivals: {process: poisson, rate: 10/s}}
clients:
  - {name: poll, poll: {interval: 1s}}
  - {name: hook, webhook: {}}
`), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stdout, stderr, code := pushpull(t, ctx, "run", file, "-out", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "INTERRUPTED")
	assert.Contains(t, stderr, "interrupted: partial results written to")
	data, err := os.ReadFile(filepath.Join(out, "long", "results.json"))
	require.NoError(t, err)
	var res metrics.Results
	require.NoError(t, json.Unmarshal(data, &res))
	assert.True(t, res.Run.Interrupted)
	assert.True(t, res.Run.InvariantOK)
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "Usage:"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"help", []string{"-h"}, 0, ""},
		{"help of a command", []string{"help", "run"}, 0, ""},
		{"run without a file", []string{"run"}, 2, "run takes one scenario file"},
		{"run with two files", []string{"run", shipped, shipped}, 2, "got 2"},
		{"run of a missing file", []string{"run", "no-such-file.yaml"}, 2, "no-such-file.yaml"},
		{"a bad flag", []string{"run", shipped, "-seed", "x"}, 2, `invalid value "x" for flag -seed`},
		{"an unknown flag", []string{"run", "-speed", "2", shipped}, 2, "flag provided but not defined: -speed"},
		{"validate without files", []string{"validate"}, 2, "at least one scenario file"},
		{"validate a good file", []string{"validate", shipped}, 0, ""},
		{"schema with an argument", []string{"schema", "x"}, 2, "takes no arguments"},
		{"version", []string{"version"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := pushpull(t, context.Background(), tc.args...)
			assert.Equal(t, tc.code, code, "exit code of pushpull %s", strings.Join(tc.args, " "))
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

// Each bad scenario gives one clear message naming file:line and field, and
// exits 2, from run and from validate alike.
func TestBadScenariosExit2WithOneClearMessage(t *testing.T) {
	t.Parallel()
	const good = `name: bad
duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll
    poll: {interval: 10s}
  - name: hook
    webhook: {}
`
	cases := []struct {
		name, from, to string
		where          string // file:line: field
		says           string
	}{
		{"unknown key", "duration: 1h", "duration: 1h\nspeed: 3", ":3:1: speed:", `unknown field "speed"`},
		{"negative interval", "interval: 10s", "interval: -10s", ":7:22: clients[0].poll.interval:", "must be positive"},
		{"rate without a unit", "rate: 50/h", "rate: 50", ":4:38: store.arrivals.rate:", "has no unit"},
		{"no clients", "clients:\n  - name: poll\n    poll: {interval: 10s}\n  - name: hook\n    webhook: {}\n", "clients: []\n", ":5:10: clients:", "no clients"},
		{"duplicate client names", "name: hook", "name: poll", ":8:11: clients[1].name:", `duplicate client name "poll"`},
		{"an outage outside the run", "webhook: {}", "webhook: {}\n    outages: [{at: 3h, for: 1h}]", ":10:20: clients[1].outages[0].at:", "outside the run"},
		{"a malformed duration", "duration: 1h", "duration: 1 hour", ":2:11: duration:", "is not a duration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(good, tc.from, tc.to, 1)
			require.NotEqual(t, good, src)
			file := filepath.Join(t.TempDir(), "bad.yaml")
			require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
			for _, args := range [][]string{{"run", file, "-out", t.TempDir()}, {"validate", file}} {
				cmd := args[0]
				stdout, stderr, code := pushpull(t, context.Background(), args...)
				assert.Equal(t, 2, code, "%s: exit code", cmd)
				assert.Empty(t, stdout, "%s: nothing on stdout", cmd)
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				assert.Contains(t, lines[0], file+tc.where, "%s: the first line names file:line:column: field", cmd)
				assert.Contains(t, lines[0], tc.says)
				problems := 0
				for _, l := range lines {
					if strings.HasPrefix(l, file+":") {
						problems++
					}
				}
				assert.Equal(t, 1, problems, "%s: exactly one problem in\n%s", cmd, stderr)
			}
		})
	}
}

func TestSchemaPrintsTheShippedSchema(t *testing.T) {
	t.Parallel()
	stdout, _, code := pushpull(t, context.Background(), "schema")
	require.Equal(t, 0, code)
	shipped, err := os.ReadFile("../../scenarios/scenario.schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(shipped), stdout)
}

func TestHelpShowsExamples(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"run", "validate", "schema", "version"} {
		stdout, _, code := pushpull(t, context.Background(), cmd, "-h")
		assert.Equal(t, 0, code)
		assert.Contains(t, stdout, "Usage: pushpull "+cmd, cmd)
		if cmd != "version" {
			assert.Contains(t, stdout, "Example", cmd)
		}
	}
	stdout, _, _ := pushpull(t, context.Background(), "-h")
	assert.Contains(t, stdout, "Examples:")
}
