package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/pushpull/pushpull/sim/live"
)

const capacityUsage = `Usage: pushpull capacity FILE [-max-p99 D] [-max-errors F] [-start N] [-slope N] [-max-duration D] [-deliveries N] [-out DIR]

Measures how much polling the store of the scenario in FILE sustains on this
machine. It ramps polls on the live store, on 127.0.0.1, with vegeta's linear
pacer, until two one-second windows in a row break a limit: a p99 latency
above -max-p99, errors above -max-errors, or a rate short of the ramp's.
Then it makes webhook deliveries to a receiver that verifies them.

It prints the sustainable polls/s, how many pollers of each polling client
of the scenario that rate serves at the client's interval, and how many
webhook deliveries per second the same CPU time would make; and writes
DIR/<scenario name>/capacity.json. The store's own cost is measured: the
model's service times, network delays, rate limits and errors are left out.

Examples:
  pushpull capacity scenarios/ecommerce-orders.yaml
  pushpull capacity scenarios/many-resources.yaml -max-p99 50ms
`

func capacityCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("capacity", capacityUsage, stdout)
	d := live.DefaultCapacity
	maxP99 := fs.Duration("max-p99", d.MaxP99, "the most a window's p99 latency may be")
	maxErrors := fs.Float64("max-errors", d.MaxErrors, "the largest share of a window's polls that may fail")
	start := fs.Float64("start", d.Start, "polls per second the ramp starts at")
	slope := fs.Float64("slope", d.Slope, "polls per second the ramp adds every second")
	maxDuration := fs.Duration("max-duration", d.MaxDuration, "the longest the ramp runs")
	deliveries := fs.Int("deliveries", d.Deliveries, "webhook deliveries that measure a delivery's cost")
	outDir := fs.String("out", "out", "directory to write <scenario name>/capacity.json under")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("capacity takes one scenario file, got %d (pushpull capacity -h)", len(files))
	}
	if *maxP99 <= 0 || *maxErrors <= 0 || *maxErrors > 1 || *start <= 0 || *slope <= 0 || *maxDuration <= 0 || *deliveries <= 0 {
		return usageErrorf("-max-p99, -start, -slope, -max-duration and -deliveries must be positive, -max-errors from 0 to 1")
	}
	sc, err := loadScenario(files[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "ramping polls on the store of %s from %.0f/s, %.0f more every second, for at most %v\n", sc.Name, *start, *slope, *maxDuration)
	res, err := live.MeasureCapacity(ctx, sc, live.CapacityOptions{
		MaxP99: *maxP99, MaxErrors: *maxErrors, Start: *start, Slope: *slope, MaxDuration: *maxDuration, Deliveries: *deliveries,
		Window: func(w live.CapacityWindow) {
			mark := ""
			if !w.Within {
				mark = "  " + w.Broken
			}
			fmt.Fprintf(stderr, "%4.0fs  asked %6.0f/s  sent %6.0f/s  p99 %6.2fms  errors %5.2f%%%s\n", w.AtS, w.TargetS, w.Achieved, w.P99S*1e3, w.Errors*100, mark)
		},
	})
	if err != nil {
		return fmt.Errorf("measuring the capacity of %s: %w", sc.Name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the store sustains %.0f polls/s", sc.Name, res.SustainablePollsS)
	if res.BrokenBy != "" {
		fmt.Fprintf(&b, " (the ramp broke: %s)", res.BrokenBy)
	} else {
		b.WriteString(" (the ramp ended before it broke a limit: raise -slope or -max-duration to find where it does)")
	}
	fmt.Fprintf(&b, "\none poll takes %.1f µs of CPU, one webhook delivery %.1f µs: the CPU of %.0f polls/s makes %.0f webhook deliveries/s\n",
		res.CPUPerPollS*1e6, res.CPUPerDeliveryS*1e6, res.SustainablePollsS, res.DeliveriesS)
	fmt.Fprintf(&b, "CPU measured over %s\n", res.CPUBasis)
	if len(res.Pollers) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "client\tinterval\tpollers at that rate")
		for _, p := range res.Pollers {
			fmt.Fprintf(tw, "%s\t%gs\t%.0f\n", p.Client, p.IntervalS, p.Pollers)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	path := filepath.Join(*outDir, sc.Name, "capacity.json")
	if err := writeResults(path, res); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\ncapacity: %s\n", path)
	_, err = io.WriteString(stdout, b.String())
	return err
}
