package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

// pushpull model prints the predictions without running anything, and a
// run carries the same ones beside what it measured.
func TestModelPrintsWhatARunIsCheckedAgainst(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := pushpull(t, context.Background(), "model", shipped)
	require.Equal(t, 0, code, stderr)
	golden(t, "model-ecommerce-orders.txt", stdout)

	out := t.TempDir()
	_, stderr, code = pushpull(t, context.Background(), "run", shipped, "-out", out)
	require.Equal(t, 0, code, stderr)
	raw, err := os.ReadFile(filepath.Join(out, "ecommerce-orders", "results.json"))
	require.NoError(t, err)
	var res metrics.Results
	require.NoError(t, json.Unmarshal(raw, &res))
	for _, c := range res.Clients {
		require.NotNil(t, c.Model, c.Name)
		assert.Contains(t, c.Model.Expected, "mean_latency_s", c.Name)
		for metric, e := range c.Model.Expected {
			assert.True(t, e.Within, "%s %s: measured %v, expected %v ± %v", c.Name, metric, e.Measured, e.Value, e.Tolerance)
		}
	}
}

func TestModelTakesOneScenario(t *testing.T) {
	t.Parallel()
	_, stderr, code := pushpull(t, context.Background(), "model", shipped, "-set", "clients.poll-10s.poll.interval=1s,2s")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "model takes one value per field")
	_, stderr, code = pushpull(t, context.Background(), "model")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "model takes one scenario file")
}
