package des

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// parse parses a scenario written in a test.
func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test-scenario.yaml", []byte(src))
	require.NoError(t, err)
	return sc
}

// shipped loads one of the scenarios in scenarios/.
func shipped(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	path := filepath.Join("..", "..", "scenarios", name)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	sc, err := scenario.Parse(path, src)
	require.NoError(t, err)
	return sc
}

// run runs sc and requires that it finished with balanced accounting.
func run(t *testing.T, sc *scenario.Scenario) *metrics.Results {
	t.Helper()
	res, err := Run(context.Background(), sc, Options{})
	require.NoError(t, err)
	return res
}

// traced runs sc and returns, per client name, every record the Recorder
// traced.
func traced(t *testing.T, sc *scenario.Scenario) (*metrics.Results, map[string][]metrics.Record) {
	t.Helper()
	records := map[string][]metrics.Record{}
	res, err := Run(context.Background(), sc, Options{Trace: func(r metrics.Record) {
		name := sc.Clients[r.Client].Name
		records[name] = append(records[name], r)
	}})
	require.NoError(t, err)
	return res, records
}

// row returns the results of the client named name.
func row(t *testing.T, res *metrics.Results, name string) *metrics.ClientResults {
	t.Helper()
	c := res.Client(name)
	require.NotNil(t, c, "no client %q in the results", name)
	return c
}
