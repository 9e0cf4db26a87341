package live

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// shipped loads scenarios/<name>.yaml with settings applied.
func shipped(t testing.TB, name string, settings ...scenario.Setting) *scenario.Scenario {
	t.Helper()
	file := filepath.Join("..", "..", "scenarios", name+".yaml")
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	if len(settings) > 0 {
		o, err := scenario.Apply(file, src, settings)
		require.NoError(t, err)
		src = o.Source()
	}
	sc, err := scenario.ParseFiles(file, src, os.ReadFile)
	require.NoError(t, err, "%s with %v", name, settings)
	return sc
}

// parse parses a scenario written in a test.
func parse(t testing.TB, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test-scenario.yaml", []byte(src))
	require.NoError(t, err)
	return sc
}

// set builds settings from path, value pairs.
func set(pairs ...string) []scenario.Setting {
	var out []scenario.Setting
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, scenario.Setting{Path: pairs[i], Value: pairs[i+1], From: "test"})
	}
	return out
}

// simulate runs sc in the discrete-event runner.
func simulate(t testing.TB, sc *scenario.Scenario) *metrics.Results {
	t.Helper()
	res, err := des.Run(context.Background(), sc, des.Options{})
	require.NoError(t, err)
	return res
}

// virtual runs sc live in virtual time, over in-memory connections, and
// requires that it balanced its accounting.
func virtual(t *testing.T, sc *scenario.Scenario, opts Options) *metrics.Results {
	t.Helper()
	var res *metrics.Results
	var err error
	synctest.Test(t, func(t *testing.T) {
		opts.Network = &Pipes{}
		res, err = Run(context.Background(), sc, opts)
	})
	require.NoError(t, err)
	return res
}

// shippedFiles lists the names of the shipped scenarios.
func shippedFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names
}
