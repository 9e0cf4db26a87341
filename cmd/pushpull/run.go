package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

const runUsage = `Usage: pushpull run FILE [-seed N] [-out DIR]

Runs the scenario in FILE in virtual time, every client side by side against
the same store and the same events, prints one row per client and writes
DIR/<scenario name>/results.json (docs/results.md describes it).

The same file and seed give byte-identical results. Interrupting a run
(Ctrl-C) still writes what it measured, marked interrupted.

Examples:
  pushpull run scenarios/ecommerce-orders.yaml
  pushpull run scenarios/rare-events.yaml -seed 42
  pushpull run my-world.yaml -out /tmp/runs
`

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stdout)
	seed := fs.Uint64("seed", 0, "seed of every random stream, instead of the scenario's")
	outDir := fs.String("out", "out", "directory to write <scenario name>/results.json under")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("run takes one scenario file, got %d (pushpull run -h)", len(files))
	}
	sc, err := loadScenario(files[0])
	if err != nil {
		return err
	}
	if fs.given("seed") {
		sc.Seed = *seed
	}

	start := time.Now()
	res, runErr := des.Run(ctx, sc, des.Options{})
	elapsed := time.Since(start)
	if res == nil {
		return fmt.Errorf("running %s: %w", files[0], runErr)
	}
	if err := reports.WriteTable(stdout, res); err != nil {
		return err
	}
	path := filepath.Join(*outDir, sc.Name, "results.json")
	if err := writeResults(path, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", path)
	fmt.Fprintf(stderr, "simulated %s events in %v (%.1f M events/s)\n",
		reports.Count(res.Run.Events), elapsed.Round(time.Millisecond), float64(res.Run.Events)/elapsed.Seconds()/1e6)
	switch {
	case errors.Is(runErr, context.Canceled):
		return fmt.Errorf("interrupted: partial results written to %s", path)
	case runErr != nil:
		return fmt.Errorf("running %s: %w", files[0], runErr)
	}
	return nil
}

// loadScenario reads and parses a scenario file.
func loadScenario(file string) (*scenario.Scenario, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErrorf("reading scenario: %v", err)
	}
	return scenario.ParseFiles(file, src, os.ReadFile)
}

// writeResults writes res as indented JSON to path, creating its folder.
// The file is written whole or not at all.
func writeResults(path string, res *metrics.Results) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding results: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	return nil
}
