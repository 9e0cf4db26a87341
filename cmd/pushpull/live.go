package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/live"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/model"
	"github.com/pushpull/pushpull/sim/scenario"
)

// The live runner's own commands, registered here beside the others.
func init() {
	commands["serve"] = command{"serve the store of a scenario alone on 127.0.0.1, to poll by hand", serveCommand}
	commands["capacity"] = command{"measure the polls/s the store sustains on this machine, against webhooks", capacityCommand}
	commandOrder = slices.Insert(commandOrder, slices.Index(commandOrder, "run")+1, "serve", "capacity")
}

// liveFlags are the flags of pushpull run that choose a live run.
type liveFlags struct {
	mode    *string
	speedup *float64
}

func addLiveFlags(fs *flagSet) liveFlags {
	return liveFlags{
		mode:    fs.String("mode", "sim", "`sim` runs in virtual time; live runs over real HTTP on 127.0.0.1 (docs/live.md)"),
		speedup: fs.Float64("speedup", 1, "with -mode live: scenario time runs `k` times faster than the wall clock"),
	}
}

// isLive checks the flags and reports whether they ask for a live run.
func (lf liveFlags) isLive(fs *flagSet) (bool, error) {
	switch *lf.mode {
	case "sim":
		if fs.given("speedup") {
			return false, usageErrorf("-speedup applies to -mode live only")
		}
		return false, nil
	case "live":
		if k := *lf.speedup; !(k > 0) || math.IsInf(k, 0) {
			return false, usageErrorf("-speedup must be a positive number, got %v", k)
		}
		return true, nil
	}
	return false, usageErrorf("-mode %q: want sim or live", *lf.mode)
}

// startLive runs sc live, unless the flags asked for what a live run
// cannot do: flagErr is the flags' own error, axes a -set sweep.
func (j runJob) startLive(ctx context.Context, sc *scenario.Scenario, axes []scenario.Axis, speedup float64, flagErr error) error {
	if flagErr != nil {
		return flagErr
	}
	if len(axes) > 0 {
		return usageErrorf("-mode live runs one scenario: a sweep (-set PATH=V1,V2,...) runs in the simulator only")
	}
	if len(sc.Sweep) > 0 {
		fmt.Fprintf(j.stderr, "the sweep: of %s runs in the simulator only; running the scenario as written\n", j.file)
	}
	return j.live(ctx, sc, speedup)
}

// live runs a scenario over real HTTP and writes its results, its report
// and vegeta.bin.
func (j runJob) live(ctx context.Context, sc *scenario.Scenario, speedup float64) error {
	dir := filepath.Join(j.out, sc.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	binPath := filepath.Join(dir, "vegeta.bin")
	bin, err := os.Create(binPath + ".tmp")
	if err != nil {
		return fmt.Errorf("writing vegeta results: %w", err)
	}
	wall := time.Duration(float64(sc.End().D()) / speedup)
	fmt.Fprintf(j.stderr, "running %s live at %g× speed: %v of scenario time takes %v; Ctrl-C stops it and keeps what it measured\n",
		sc.Name, speedup, sc.End().D(), wall.Round(time.Millisecond))
	defer steadyGC()()
	res, runErr := live.Run(ctx, sc, live.Options{
		Speedup: speedup, Vegeta: bin, ProfileCPU: true,
		Started: func(url string) { fmt.Fprintf(j.stderr, "store: %s\n", url) },
	})
	if err := errors.Join(bin.Close(), os.Rename(binPath+".tmp", binPath)); err != nil && runErr == nil {
		runErr = fmt.Errorf("writing vegeta results: %w", err)
	}
	if res == nil {
		return fmt.Errorf("running %s live: %w", j.file, runErr)
	}
	model.Check(sc, res)
	if err := reports.WriteTable(j.stdout, res); err != nil {
		return err
	}
	if err := writeHTTP(j.stdout, res.HTTP); err != nil {
		return err
	}
	path, err := j.save(dir, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(j.stdout, "\nresults: %s\nreport:  %s\nvegeta:  %s (vegeta report %s; vegeta plot %s > plot.html)\n",
		path, filepath.Join(dir, "report.html"), binPath, binPath, binPath)
	return j.verdict(sc, res, path, runErr, "running live")
}

// liveGCPercent is the GOGC a live run runs with unless GOGC is set: a
// live run's heap is small and churns fast, and collecting it less often
// keeps pauses from making requests late.
const liveGCPercent = 400

// steadyGC sets GOGC for a live run, unless the environment sets it, and
// returns what restores it.
func steadyGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(liveGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// writeHTTP prints what a live run measured on the wire.
func writeHTTP(w io.Writer, h *metrics.HTTP) error {
	if h == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nover HTTP: %s exchanges in %.1f s of wall-clock time at %g× speed; CPU %.2f s",
		reports.Count(h.Exchanges), h.WallS, h.Speedup, h.ProcessCPUS)
	if h.StoreCPUS != nil {
		fmt.Fprintf(&b, ", the store's %.2f s", *h.StoreCPUS)
		if h.StoreCPUPer1000 != nil {
			fmt.Fprintf(&b, " (%.3f s per 1,000 requests)", *h.StoreCPUPer1000)
		}
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "client\texchanges\tstatus\tlatency p50\tp99\tlate p50\tp99\twire in\twire out\tstore CPU\t")
	for _, c := range h.Clients {
		cpu := "-"
		if c.StoreCPUS != nil {
			cpu = fmt.Sprintf("%.2fs", *c.StoreCPUS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Name, reports.Count(c.Exchanges), statuses(c.Status),
			millis(c.Latency.P50S), millis(c.Latency.P99S), millis(c.Lateness.P50S), millis(c.Lateness.P99S),
			bytesText(c.WireIn), bytesText(c.WireOut), cpu)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range h.Clients {
		if len(c.Rejected) > 0 {
			fmt.Fprintf(&b, "%s's receiver rejected %s\n", c.Name, statuses(c.Rejected))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func statuses(m map[string]int64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%s", k, reports.Count(m[k])))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func millis(s float64) string { return fmt.Sprintf("%.2fms", s*1e3) }

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
