// Package sweep runs a scenario once per point of a sweep, several points
// at a time, and gathers the results into one metrics.Sweep. It takes the
// runner as a function, so that it depends on no runner.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Runner runs one scenario and returns what it measured. When ctx is done
// it may return partial results, marked interrupted, with ctx's error.
type Runner func(ctx context.Context, sc *scenario.Scenario) (*metrics.Results, error)

// Point is one run of a sweep: the values of its axes and the scenario with
// those values set.
type Point struct {
	Values   []string
	Scenario *scenario.Scenario
}

// Options adjust how a sweep runs, not what it measures.
type Options struct {
	// Workers is how many points run at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each point ends with the number
	// of points done and the total, one call at a time.
	Progress func(done, total int)
}

// Run runs every point with run and returns the sweep, its points in the
// order given. base is the scenario before any axis value was set. When ctx
// is done, points not yet finished are left out, the sweep is marked
// interrupted and ctx's error is returned with it. Points whose run failed
// keep their results when the runner returned some; the error names them.
func Run(ctx context.Context, base *scenario.Scenario, axes []scenario.Axis, points []Point, run Runner, opts Options) (*metrics.Sweep, error) {
	if len(axes) == 0 || len(axes) > 2 {
		return nil, fmt.Errorf("running a sweep: %d axes; a sweep has one or two", len(axes))
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]*metrics.Results, len(points))
	errs := make([]error, len(points))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	jobs := make(chan int)
	for range min(workers, len(points)) {
		wg.Go(func() {
			for i := range jobs {
				if ctx.Err() != nil {
					continue // stopped: start nothing new
				}
				res, err := run(ctx, points[i].Scenario)
				results[i], errs[i] = res, err
				mu.Lock()
				done++
				if opts.Progress != nil {
					opts.Progress(done, len(points))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range points {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	sw := &metrics.Sweep{
		Schema: metrics.SweepSchema, Version: metrics.SweepVersion,
		Scenario: client.ScenarioInfo(base), Axes: make([]metrics.SweepAxis, len(axes)),
		Interrupted: ctx.Err() != nil,
	}
	for i, a := range axes {
		sw.Axes[i] = Axis(a)
	}
	var failed []error
	for i, p := range points {
		res := results[i]
		if res == nil || res.Run.Interrupted {
			if errs[i] != nil && ctx.Err() == nil {
				failed = append(failed, fmt.Errorf("point %s: %w", label(p.Values), errs[i]))
			}
			continue
		}
		sw.Points = append(sw.Points, metrics.SweepPoint{Values: p.Values, Results: res})
		if errs[i] != nil {
			failed = append(failed, fmt.Errorf("point %s: %w", label(p.Values), errs[i]))
		}
	}
	if ctx.Err() != nil {
		failed = append(failed, ctx.Err())
	}
	return sw, errors.Join(failed...)
}

func label(values []string) string { return metrics.SweepPoint{Values: values}.Label() }

// Axis describes a sweep's axis for results, with its values as numbers
// when every one is a duration, a rate or a plain number.
func Axis(a scenario.Axis) metrics.SweepAxis {
	out := metrics.SweepAxis{Set: a.Set, Values: a.Values}
	for _, kind := range []struct {
		unit  string
		parse func(string) (float64, error)
	}{
		{"s", func(v string) (float64, error) {
			d, err := scenario.ParseDuration(v)
			return d.D().Seconds(), err
		}},
		{"/s", func(v string) (float64, error) {
			r, err := scenario.ParseRate(v)
			return r.PerSecond(), err
		}},
		{"", func(v string) (float64, error) { return strconv.ParseFloat(v, 64) }},
	} {
		nums := make([]float64, 0, len(a.Values))
		for _, v := range a.Values {
			n, err := kind.parse(v)
			if err != nil {
				break
			}
			nums = append(nums, n)
		}
		if len(nums) == len(a.Values) && len(nums) > 0 {
			out.Numbers, out.Unit = nums, kind.unit
			return out
		}
	}
	return out
}
