package main

import (
	"fmt"
	"io"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// checked is one run whose results are held against its thresholds: the
// run of a scenario, or one point of a sweep (label says which).
type checked struct {
	label string
	res   *metrics.Results
	sc    *scenario.Scenario // the point's scenario; nil: the run's own
}

// checkThresholds lists every threshold the runs break and returns an error
// that exits 3 when there is one. It prints nothing when the scenario has
// no thresholds.
func checkThresholds(w io.Writer, sc *scenario.Scenario, runs []checked) error {
	if len(sc.Thresholds) == 0 {
		return nil
	}
	var breaches []string
	for _, r := range runs {
		s := sc
		if r.sc != nil {
			s = r.sc
		}
		for _, b := range s.Check(r.res) {
			line := b.String()
			if r.label != "" {
				line = "at " + r.label + ": " + line
			}
			breaches = append(breaches, line)
		}
	}
	if len(breaches) == 0 {
		fmt.Fprintf(w, "thresholds: all %d hold\n", len(sc.Thresholds)*len(runs))
		return nil
	}
	fmt.Fprintf(w, "\nTHRESHOLDS BREACHED:\n")
	for _, b := range breaches {
		fmt.Fprintf(w, "  %s\n", b)
	}
	return &codedError{code: exitThreshold, err: fmt.Errorf("%d threshold breaches (listed above)", len(breaches))}
}
