package reports

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// Tickers label axes in the words of the quantity: durations as 10ms, 1s,
// 1h; counts as 1k, 10k; fractions as percentages. Log axes get ticks only
// at round values inside their range, so that no tick is ever asked of a
// value at or below zero.

// durationSteps are the round durations a log axis of seconds is marked at.
var durationSteps = []float64{
	1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 28 * 86400, 365 * 86400,
}

// logDurationTicks marks a log axis of seconds at round durations.
var logDurationTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	return roundTicks(min, max, durationSteps, durationLabel)
})

// logCountTicks marks a log axis of counts at powers of ten.
var logCountTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	var steps []float64
	for e := -6; e <= 15; e++ {
		steps = append(steps, math.Pow10(e))
	}
	return roundTicks(min, max, steps, countLabel)
})

// roundTicks returns a labelled tick at each step inside [min, max], with
// every other one dropped while there are more than seven, and unlabelled
// ticks at 2× and 5× between labelled powers of ten when few are labelled.
func roundTicks(min, max float64, steps []float64, label func(float64) string) []plot.Tick {
	const eps = 1e-9
	var in []float64
	for _, s := range steps {
		if s >= min*(1-eps) && s <= max*(1+eps) {
			in = append(in, s)
		}
	}
	var ticks []plot.Tick
	for len(in) > 7 {
		var kept []float64
		for i, v := range in {
			if i%2 == 0 {
				kept = append(kept, v)
			} else {
				ticks = append(ticks, plot.Tick{Value: v}) // a minor tick
			}
		}
		in = kept
	}
	for _, v := range in {
		ticks = append(ticks, plot.Tick{Value: v, Label: label(v)})
	}
	if len(in) < 3 {
		near := func(m float64) bool { // within a factor 1.5 of a labelled tick
			for _, v := range in {
				if m/v < 1.5 && v/m < 1.5 {
					return true
				}
			}
			return false
		}
		for _, v := range in {
			for _, f := range []float64{2, 5} {
				if m := v * f; m <= max*(1+eps) && m >= min*(1-eps) && !near(m) {
					ticks = append(ticks, plot.Tick{Value: m, Label: label(m)})
				}
			}
		}
	}
	if len(in) == 0 && min > 0 && max >= min {
		ticks = append(ticks, plot.Tick{Value: min, Label: label(min)}, plot.Tick{Value: max, Label: label(max)})
	}
	return ticks
}

// linearTicks marks a linear axis at round steps (1, 2 or 5 × 10^k), about
// n of them, labelled by label.
func linearTicks(n int, label func(float64) string) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		step := niceStep((max - min) / float64(n))
		if step <= 0 || math.IsNaN(step) || math.IsInf(step, 0) {
			return []plot.Tick{{Value: min, Label: label(min)}}
		}
		var ticks []plot.Tick
		for v := math.Ceil(min/step-1e-9) * step; v <= max+step*1e-9; v += step {
			if math.Abs(v) < step*1e-9 {
				v = 0
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label(v)})
		}
		return ticks
	})
}

// niceStep rounds a step up to 1, 2 or 5 × 10^k.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 0
	}
	p := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// durationLabel writes seconds as a short duration: 100µs, 10ms, 1s, 10m,
// 6h, 1d, 1w.
func durationLabel(s float64) string {
	switch {
	case s == 0:
		return "0"
	case s < 1e-3:
		return trimNum(s*1e6) + "µs"
	case s < 1:
		return trimNum(s*1e3) + "ms"
	case s < 60:
		return trimNum(s) + "s"
	case s < 3600:
		return trimNum(s/60) + "m"
	case s < 86400:
		return trimNum(s/3600) + "h"
	case s < 7*86400 || math.Mod(s, 7*86400) != 0:
		return trimNum(s/86400) + "d"
	default:
		return trimNum(s/(7*86400)) + "w"
	}
}

// countLabel writes a count as 0.1, 1, 10, 1k, 10k, 1M.
func countLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return trimNum(v/1e9) + "G"
	case a >= 1e6:
		return trimNum(v/1e6) + "M"
	case a >= 1e3:
		return trimNum(v/1e3) + "k"
	default:
		return trimNum(v)
	}
}

// percentLabel writes a fraction as a percentage: 0.25 is 25%.
func percentLabel(v float64) string { return trimNum(100*v) + "%" }

// trimNum writes v with at most three significant digits and no trailing
// zeros: 10, 2.5, 0.01.
func trimNum(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'f', max(0, 2-int(math.Floor(math.Log10(math.Abs(v))))), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
