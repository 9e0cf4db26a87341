package reports

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot/vg"

	"github.com/pushpull/pushpull/sim/metrics"
)

// sweepSeries is one line of a sweep chart: one client, and in a grid one
// value of the second axis, across the values of the first axis.
type sweepSeries struct {
	client string
	index  int    // the client's place in the results, for its colour
	other  string // the second axis' value; "" with one axis
	otherI int    // its place among the second axis' values, for the dashes
	points []seriesPoint
}

// seriesPoint is a client's results at one point of the sweep.
type seriesPoint struct {
	x     float64 // position on the swept axis
	label string  // the first axis' value, as written
	c     *metrics.ClientResults
	// durationS is the point's duration, which scales the model's
	// expectations of counts over the run.
	durationS float64
}

// expected is what the model expected of metric at each point of the
// series, with the tolerance.
func (s sweepSeries) expected(metric string) []expectedPoint {
	out := make([]expectedPoint, len(s.points))
	for i, pt := range s.points {
		e, ok := expectedOf(pt.c, pt.durationS, metric)
		if !ok {
			continue
		}
		out[i] = expectedPoint{x: pt.x, y: e.Value, xLo: pt.x, xHi: pt.x, yLo: e.Value - e.Tolerance, yHi: e.Value + e.Tolerance,
			outside: isOutside(e), present: true}
	}
	return out
}

// name is the series' legend text.
func (s sweepSeries) name(sw *metrics.Sweep) string {
	if s.other == "" {
		return s.client
	}
	return fmt.Sprintf("%s, %s = %s", s.client, lastKey(sw.Axes[1].Set), s.other)
}

// sweepAxis is where a sweep's first axis puts each value: at its number
// when every value is one, on a log scale when they span a factor of ten,
// else at its index.
type sweepAxis struct {
	positions []float64
	labels    []string
	log       bool
	numeric   bool
}

func xAxisOf(a metrics.SweepAxis) sweepAxis {
	out := sweepAxis{labels: a.Values}
	if len(a.Numbers) == len(a.Values) && len(a.Numbers) > 0 {
		out.positions, out.numeric = a.Numbers, true
		lo, hi := slices.Min(a.Numbers), slices.Max(a.Numbers)
		out.log = lo > 0 && hi/lo >= 10
		return out
	}
	for i := range a.Values {
		out.positions = append(out.positions, float64(i))
	}
	return out
}

// at is the position of value v.
func (a sweepAxis) at(v string) float64 {
	if i := slices.Index(a.labels, v); i >= 0 {
		return a.positions[i]
	}
	return math.NaN()
}

// seriesOf groups a sweep's results by client and second-axis value, in
// the order of the results' clients and of the axes' values.
func seriesOf(sw *metrics.Sweep) []sweepSeries {
	if len(sw.Points) == 0 || len(sw.Axes) == 0 {
		return nil
	}
	x := xAxisOf(sw.Axes[0])
	var others []string
	if len(sw.Axes) > 1 {
		others = sw.Axes[1].Values
	} else {
		others = []string{""}
	}
	var out []sweepSeries
	for ci, c := range sw.Points[0].Results.Clients {
		for oi, other := range others {
			s := sweepSeries{client: c.Name, index: ci, other: other, otherI: oi}
			for _, p := range sw.Points {
				if len(p.Values) > 1 && p.Values[1] != other {
					continue
				}
				cr := p.Results.Client(c.Name)
				if cr == nil {
					continue
				}
				s.points = append(s.points, seriesPoint{x: x.at(p.Values[0]), label: p.Values[0], c: cr, durationS: p.Results.Scenario.DurationS})
			}
			slices.SortStableFunc(s.points, func(a, b seriesPoint) int { return cmpFloat(a.x, b.x) })
			out = append(out, s)
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// constant reports whether a series is the same at every point of the
// sweep for the metrics that matter here: a client the swept field does
// not touch, such as a webhook receiver while a poller's interval varies.
func (s sweepSeries) constant() bool {
	first := s.points[0].c
	for _, p := range s.points[1:] {
		if p.c.Requests.Total != first.Requests.Total || !sameLatency(p.c.Latency, first.Latency) {
			return false
		}
	}
	return true
}

func sameLatency(a, b metrics.Latency) bool {
	return a.Count == b.Count && a.P50S == b.P50S && a.P99S == b.P99S && a.MeanS == b.MeanS && a.MaxS == b.MaxS
}

// lastKey is the last key of a field path: interval for
// clients.poll-10s.poll.interval.
func lastKey(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return path
}

// seriesDashes is the dash pattern of the i-th value of a grid's second
// axis.
func seriesDashes(i int) []vg.Length {
	patterns := [][]vg.Length{nil, {5, 3}, {1.5, 2.5}, {8, 3, 1.5, 3}}
	return patterns[i%len(patterns)]
}
