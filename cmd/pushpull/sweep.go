package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/model"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/sweep"
)

// sweep runs base once per point of axes, from "-set" or from the file's
// "sweep", on all cores, and writes sweep.json and the sweep's report to
// <out>/<name>/sweep/. Every point is parsed before any runs, so that a bad
// value stops the sweep at once.
func (j runJob) sweep(ctx context.Context, base *scenario.Scenario, axes []scenario.Axis, from string) error {
	names := make([]string, len(axes))
	for i := range axes {
		names[i] = from
		if from == "sweep" {
			names[i] = fmt.Sprintf("sweep[%d]", i)
		}
	}
	grid := scenario.Points(axes)
	if len(grid) > scenario.MaxSweepPoints {
		return usageErrorf("the sweep makes %d runs; the most is %d", len(grid), scenario.MaxSweepPoints)
	}
	points := make([]sweep.Point, len(grid))
	for i, p := range grid {
		settings := append(append([]scenario.Setting(nil), j.overrides...), p.Settings(axes, names)...)
		sc, err := parseScenario(j.file, j.src, settings)
		if err != nil {
			return err
		}
		if j.seed != nil {
			sc.Seed = *j.seed
		}
		points[i] = sweep.Point{Values: p.Values, Scenario: sc}
	}

	start := time.Now()
	progress := newProgress(j.stderr)
	run := func(ctx context.Context, sc *scenario.Scenario) (*metrics.Results, error) {
		res, err := des.Run(ctx, sc, des.Options{})
		if res != nil {
			model.Check(sc, res)
		}
		return res, err
	}
	sw, runErr := sweep.Run(ctx, base, axes, points, run, sweep.Options{Progress: progress.update})
	progress.done()
	if sw == nil {
		return fmt.Errorf("running %s: %w", j.file, runErr)
	}
	dir := filepath.Join(j.out, base.Name, "sweep")
	path := filepath.Join(dir, "sweep.json")
	if err := writeResults(path, sw); err != nil {
		return err
	}
	files, err := reports.RenderSweep(sw, reports.Options{Source: j.source(), Metrics: j.metrics})
	if err != nil {
		return err
	}
	if err := writeReport(dir, files); err != nil {
		return err
	}
	if err := reports.WriteSweepTable(j.stdout, sw); err != nil {
		return err
	}
	fmt.Fprintf(j.stdout, "\nsweep:  %s\nreport: %s\n", path, filepath.Join(dir, "report.html"))
	fmt.Fprintf(j.stderr, "ran %d points in %v on %d cores\n", len(sw.Points), time.Since(start).Round(time.Millisecond), workers())
	switch {
	case errors.Is(runErr, context.Canceled):
		return fmt.Errorf("interrupted: the points that finished are written to %s", path)
	case runErr != nil:
		return fmt.Errorf("running %s: %w", j.file, runErr)
	}
	var all []checked
	for i, p := range sw.Points {
		all = append(all, checked{label: p.Label(), res: p.Results, sc: points[i].Scenario})
	}
	return checkThresholds(j.stdout, base, all)
}
