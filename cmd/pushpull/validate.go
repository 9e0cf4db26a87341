package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pushpull/pushpull/sim/scenario"
)

const validateUsage = `Usage: pushpull validate FILE...

Checks each scenario file and reports every problem at once, each as
file:line:column: field: what is wrong. Exits 2 when any file has a problem.

Retry presets for store.webhooks.retry.preset: %s.

Examples:
  pushpull validate scenarios/ecommerce-orders.yaml
  pushpull validate scenarios/*.yaml
`

func validateCommand(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", fmt.Sprintf(validateUsage, strings.Join(scenario.PresetNames(), ", ")), stdout)
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErrorf("validate takes at least one scenario file (pushpull validate -h)")
	}
	invalid := 0
	for _, file := range files {
		sc, err := loadScenario(file)
		if err != nil {
			invalid++
			var problems scenario.Problems
			if errors.As(err, &problems) {
				fmt.Fprintln(stderr, problems.Error())
			} else {
				fmt.Fprintln(stderr, err)
			}
			continue
		}
		fmt.Fprintf(stdout, "%s: ok: %s, %d clients, %s\n", file, sc.Name, len(sc.Clients), sc.Duration.Short())
	}
	if invalid > 0 {
		return usageErrorf("%d of %d scenario files have problems", invalid, len(files))
	}
	return nil
}
