package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/model"
)

const modelUsage = `Usage: pushpull model FILE [-set PATH=VALUE]...

Prints what theory predicts for every client of the scenario in FILE,
without running anything: each figure with a closed form (docs/models.md),
the tolerance a run of the scenario's length should land within, and what
has no closed form, and why. pushpull run puts the same expectations beside
what it measures, in the table and in results.json.

-set PATH=VALUE gives a field of the file another value, as pushpull run
does; a sweep: in the file is ignored.

Examples:
  pushpull model scenarios/ecommerce-orders.yaml
  pushpull model scenarios/receiver-outage.yaml
  pushpull model scenarios/ecommerce-orders.yaml -set clients.poll-10s.poll.interval=1m
`

func modelCommand(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("model", modelUsage, stdout)
	var sets setFlags
	fs.Var(&sets, "set", "`PATH=VALUE` to set a field of the scenario (repeatable)")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("model takes one scenario file, got %d (pushpull model -h)", len(files))
	}
	sc, err := loadOne("model", files[0], sets)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: what theory predicts for %s simulated, before any run\n", sc.Name, sc.Duration.Short())
	fmt.Fprintf(&b, "tolerances: four standard errors at the sample sizes such a run expects\n")
	for i, p := range model.Predict(sc) {
		fmt.Fprintf(&b, "\n%s  %s\n", p.Client, sc.Strategy(i))
		if p.Basis != "" {
			fmt.Fprintf(&b, "  from: %s\n", p.Basis)
		}
		sizes := p.ExpectedSizes()
		for _, f := range p.Figures {
			unit := metrics.UnitOf(f.Metric)
			fmt.Fprintf(&b, "  %-30s %12s  ± %s\n", f.Metric, reports.InUnit(f.Value, unit), reports.ToleranceIn(f.Tolerance(sizes), unit))
		}
		if p.Missing != "" {
			fmt.Fprintf(&b, "  no closed form: %s\n", p.Missing)
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}
