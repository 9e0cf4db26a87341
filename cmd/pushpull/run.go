package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/model"
	"github.com/pushpull/pushpull/sim/scenario"
)

const runUsage = `Usage: pushpull run FILE [-seed N] [-out DIR] [-set PATH=VALUE]...

Runs the scenario in FILE in virtual time, every client side by side against
the same store and the same events, prints one row per client and writes
DIR/<scenario name>/: results.json (docs/results.md), report.html with its
charts, summary.md and CSV files (docs/reports.md). Under each client's row
the table shows what theory expects (docs/models.md; pushpull model) and
marks with ! a figure measured outside the model's tolerance.

-set PATH=VALUE gives a field of the file another value, as if written there:
clients are named by their name, so clients.poll-10s.poll.interval=30s. With
several values, -set PATH=V1,V2,... sweeps the field: one run per value, all
cores busy, and a report of every metric against the field, written to
DIR/<scenario name>/sweep/. Two such flags make a grid. A sweep: in the file
does the same.

A scenario's thresholds: are checked after the run; a breach is listed and
pushpull exits 3. The same file and seed give byte-identical results.
Interrupting a run (Ctrl-C) still writes what it measured, marked interrupted.

Examples:
  pushpull run scenarios/ecommerce-orders.yaml
  pushpull run scenarios/rare-events.yaml -seed 42
  pushpull run my-world.yaml -out /tmp/runs
  pushpull run scenarios/ecommerce-orders.yaml -set clients.poll-10s.poll.interval=30s
  pushpull run scenarios/ecommerce-orders.yaml -set clients.poll-10s.poll.interval=1s,5s,10s,30s,1m,5m
`

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stdout)
	seed := fs.Uint64("seed", 0, "seed of every random stream, instead of the scenario's")
	outDir := fs.String("out", "out", "directory to write <scenario name>/ under")
	var sets setFlags
	fs.Var(&sets, "set", "`PATH=VALUE` to set a field of the scenario, or PATH=V1,V2,... to sweep it (repeatable)")
	chartMetrics := fs.String("metrics", "", "comma-separated `names` of the metrics a sweep charts against the field (default: p50 and p99 latency, requests per hour, wasted, dropped)")
	lf := addLiveFlags(fs)
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("run takes one scenario file, got %d (pushpull run -h)", len(files))
	}
	file := files[0]
	src, err := os.ReadFile(file)
	if err != nil {
		return usageErrorf("reading scenario: %v", err)
	}
	overrides, axes, err := sets.split()
	if err != nil {
		return err
	}
	names, err := metricNames(*chartMetrics)
	if err != nil {
		return err
	}
	sc, err := parseScenario(file, src, overrides)
	if err != nil {
		return err
	}
	job := runJob{file: file, src: src, overrides: overrides, metrics: names, out: *outDir, stdout: stdout, stderr: stderr}
	if fs.given("seed") {
		sc.Seed = *seed
		job.seed = seed
	}
	if names != nil && len(axes) == 0 && len(sc.Sweep) == 0 {
		return usageErrorf("-metrics chooses the charts of a sweep; %s sweeps nothing (give -set PATH=V1,V2,...)", file)
	}
	if isLive, err := lf.isLive(fs); isLive || err != nil {
		return job.startLive(ctx, sc, axes, *lf.speedup, err)
	}
	switch {
	case len(axes) > 0:
		if len(sc.Sweep) > 0 {
			fmt.Fprintf(stderr, "the -set sweep replaces the sweep: of %s\n", file)
		}
		return job.sweep(ctx, sc, axes, "-set")
	case len(sc.Sweep) > 0:
		return job.sweep(ctx, sc, sc.Sweep, "sweep")
	}
	return job.one(ctx, sc)
}

// runJob is what pushpull run was asked to do.
type runJob struct {
	file           string
	src            []byte
	overrides      []scenario.Setting // single-valued -set flags
	seed           *uint64            // -seed, if given
	metrics        []string           // -metrics: what a sweep charts
	out            string
	stdout, stderr io.Writer
}

// one runs a single scenario and writes its results and report.
func (j runJob) one(ctx context.Context, sc *scenario.Scenario) error {
	start := time.Now()
	res, runErr := des.Run(ctx, sc, des.Options{})
	elapsed := time.Since(start)
	if res == nil {
		return fmt.Errorf("running %s: %w", j.file, runErr)
	}
	model.Check(sc, res)
	if err := reports.WriteTable(j.stdout, res); err != nil {
		return err
	}
	dir := filepath.Join(j.out, sc.Name)
	path, err := j.save(dir, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(j.stdout, "\nresults: %s\nreport:  %s\n", path, filepath.Join(dir, "report.html"))
	fmt.Fprintf(j.stderr, "simulated %s events in %v (%.1f M events/s)\n",
		reports.Count(res.Run.Events), elapsed.Round(time.Millisecond), float64(res.Run.Events)/elapsed.Seconds()/1e6)
	return j.verdict(sc, res, path, runErr, "running")
}

// verdict is how a run that wrote its results to path ends: interrupted,
// failed (doing what), or judged by the scenario's thresholds.
func (j runJob) verdict(sc *scenario.Scenario, res *metrics.Results, path string, runErr error, doing string) error {
	switch {
	case res.Run.Interrupted:
		return fmt.Errorf("interrupted: partial results written to %s", path)
	case runErr != nil:
		return fmt.Errorf("%s %s: %w", doing, j.file, runErr)
	}
	return checkThresholds(j.stdout, sc, []checked{{res: res}})
}

// source is the scenario file's text for the end of the report, or nil
// when an override changed what it says.
func (j runJob) source() []byte {
	if len(j.overrides) > 0 {
		return nil
	}
	return j.src
}

// save writes res to dir as results.json, with the report drawn from it,
// and returns the results' path.
func (j runJob) save(dir string, res *metrics.Results) (string, error) {
	path := filepath.Join(dir, "results.json")
	if err := writeResults(path, res); err != nil {
		return "", err
	}
	files, err := reports.Render(res, reports.Options{Source: j.source()})
	if err != nil {
		return "", err
	}
	return path, writeReport(dir, files)
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
func writeResults(path string, res any) error {
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
