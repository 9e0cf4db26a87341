package sweep

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/client"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

const base = `name: shop
duration: 1h
network: {latency: 20ms}
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {latency: {min: 10ms, max: 30ms}}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: jittery, poll: {interval: 10s, jitter: 1s}}
  - {name: hook, webhook: {}}
  - {name: delay, poll: {interval: 10s, loop: delay}}
  - {name: fleet, count: 3, poll: {interval: 10s}}
`

// points parses the scenario once per value of the poller's interval.
func points(t *testing.T, values ...string) (*scenario.Scenario, []scenario.Axis, []Point) {
	t.Helper()
	sc, err := scenario.Parse("shop.yaml", []byte(base))
	require.NoError(t, err)
	axes := []scenario.Axis{{Set: "clients.poll.poll.interval", Values: values}}
	var ps []Point
	for _, p := range scenario.Points(axes) {
		o, err := scenario.Apply("shop.yaml", []byte(base), p.Settings(axes, []string{"-set"}))
		require.NoError(t, err)
		psc, err := scenario.Parse("shop.yaml", o.Source())
		require.NoError(t, o.Explain(err))
		ps = append(ps, Point{Values: p.Values, Scenario: psc})
	}
	return sc, axes, ps
}

// fake is a runner that reports the poller's interval as its p50.
func fake(ctx context.Context, sc *scenario.Scenario) (*metrics.Results, error) {
	res := &metrics.Results{Scenario: client.ScenarioInfo(sc)}
	for _, cl := range sc.Clients {
		c := metrics.ClientResults{Name: cl.Name}
		if cl.Poll != nil {
			c.Latency = metrics.Latency{Count: 1, P50S: cl.Poll.Interval.D().Seconds() / 2}
		}
		res.Clients = append(res.Clients, c)
	}
	return res, ctx.Err()
}

func TestRunKeepsThePointsInOrder(t *testing.T) {
	t.Parallel()
	sc, axes, ps := points(t, "1s", "5s", "1m", "5m")
	var calls []int
	sw, err := Run(context.Background(), sc, axes, ps, fake, Options{Workers: 3, Progress: func(done, total int) {
		calls = append(calls, done)
		assert.Equal(t, 4, total)
	}})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4}, calls, "progress counts every point, one call at a time")
	assert.Equal(t, metrics.SweepSchema, sw.Schema)
	assert.Equal(t, "shop", sw.Scenario.Name)
	require.Len(t, sw.Points, 4)
	for i, want := range []float64{0.5, 2.5, 30, 150} {
		assert.Equal(t, want, sw.Points[i].Results.Clients[0].Latency.P50S, "point %d", i)
	}
	assert.Equal(t, []float64{1, 5, 60, 300}, sw.Axes[0].Numbers)
	assert.Equal(t, "s", sw.Axes[0].Unit)
}

func TestRunUsesSeveralWorkers(t *testing.T) {
	t.Parallel()
	sc, axes, ps := points(t, "1s", "2s", "3s", "4s")
	var running, most atomic.Int32
	gate := make(chan struct{})
	var open sync.Once
	run := func(ctx context.Context, s *scenario.Scenario) (*metrics.Results, error) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if n == 2 {
			open.Do(func() { close(gate) })
		}
		<-gate
		running.Add(-1)
		return fake(ctx, s)
	}
	_, err := Run(context.Background(), sc, axes, ps, run, Options{Workers: 2})
	require.NoError(t, err)
	assert.Equal(t, int32(2), most.Load(), "two points ran at once")
}

func TestAnInterruptedSweepKeepsWhatFinished(t *testing.T) {
	t.Parallel()
	sc, axes, ps := points(t, "1s", "2s", "3s")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	run := func(c context.Context, s *scenario.Scenario) (*metrics.Results, error) {
		n++
		if n == 2 {
			cancel()
			res, _ := fake(c, s)
			res.Run.Interrupted = true
			return res, c.Err()
		}
		return fake(c, s)
	}
	sw, err := Run(ctx, sc, axes, ps, run, Options{Workers: 1})
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, sw.Interrupted)
	require.Len(t, sw.Points, 1, "only the point that finished")
	assert.Equal(t, []string{"1s"}, sw.Points[0].Values)
}

func TestAFailedPointIsNamed(t *testing.T) {
	t.Parallel()
	sc, axes, ps := points(t, "1s", "2s")
	bad := errors.New("the books do not balance")
	run := func(c context.Context, s *scenario.Scenario) (*metrics.Results, error) {
		res, _ := fake(c, s)
		if s.Clients[0].Poll.Interval.D().Seconds() == 2 {
			return res, bad
		}
		return res, nil
	}
	sw, err := Run(context.Background(), sc, axes, ps, run, Options{})
	require.ErrorIs(t, err, bad)
	assert.Contains(t, err.Error(), "point 2s:")
	assert.Len(t, sw.Points, 2, "results are kept")
}

func TestAxisNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		values []string
		unit   string
		nums   []float64
	}{
		{[]string{"1s", "1m"}, "s", []float64{1, 60}},
		{[]string{"10/h", "1/s"}, "/s", []float64{10.0 / 3600, 1}},
		{[]string{"10", "100"}, "", []float64{10, 100}},
		{[]string{"svix", "10"}, "", nil},
	}
	for _, tc := range cases {
		a := Axis(scenario.Axis{Set: "x", Values: tc.values})
		assert.Equal(t, tc.unit, a.Unit, fmt.Sprint(tc.values))
		assert.InDeltaSlice(t, tc.nums, a.Numbers, 1e-12, fmt.Sprint(tc.values))
	}
}
