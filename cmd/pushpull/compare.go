package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pushpull/pushpull/reports"
)

const compareUsage = `Usage: pushpull compare BASE NEW [-tolerance T] [-metrics a,b,...]

Holds the results.json NEW against BASE, client by client, and prints each
metric that changed with its relative change. A change for the worse larger
than the tolerance is a regression: the line is marked and compare exits 1.
A metric that had a value in BASE and has none in NEW (a client that stopped
delivering) is a regression too. Exits 0 when there is none, 2 when a file
cannot be read as results.json.

The metrics are named as in docs/metrics.md; by default:
  %s

Examples:
  pushpull compare baseline/results.json out/ecommerce-orders/results.json
  pushpull compare a.json b.json -tolerance 0.1 -metrics p99_latency_s,dropped_rate
`

func compareCommand(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("compare", fmt.Sprintf(compareUsage, strings.Join(reports.DefaultCompareMetrics, ", ")), stdout)
	tolerance := fs.Float64("tolerance", 0.05, "largest relative change for the worse that is not a regression (0.05 is 5 %)")
	names := fs.String("metrics", "", "comma-separated `names` of the metrics to compare (default: the list above)")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 2 {
		return usageErrorf("compare takes two results.json files, BASE and NEW, got %d (pushpull compare -h)", len(files))
	}
	base, err := readResults(files[0])
	if err != nil {
		return err
	}
	next, err := readResults(files[1])
	if err != nil {
		return err
	}
	list, err := metricNames(*names)
	if err != nil {
		return err
	}
	c, err := reports.Compare(base, next, list, *tolerance)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := reports.WriteComparison(stdout, c); err != nil {
		return err
	}
	if n := len(c.Regressions()); n > 0 {
		return &codedError{code: exitFailure, err: fmt.Errorf("%d regressions beyond %s", n, reports.TolerancePercent(*tolerance))}
	}
	return nil
}
