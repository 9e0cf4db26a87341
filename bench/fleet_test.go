package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Targets of the fleet benchmark.
const (
	fleetPollers    = 1000
	fleetMaxSeconds = 10    // for a simulated day: 8.64 M polls
	fleetMaxRSS     = 256e6 // bytes
	fleetMinRatio   = 0.5   // engine event rate / bare-heap floor
)

// fleet is 1,000 pollers at 10 s against a store of 50 events an hour,
// with realistic service and network latencies, over span.
func fleet(b *testing.B, span time.Duration) *scenario.Scenario {
	b.Helper()
	var src strings.Builder
	fmt.Fprintf(&src, `name: fleet
duration: %v
drain: 0s
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {latency: {median: 40ms, p99: 250ms}}
clients:
`, span)
	for i := range fleetPollers {
		fmt.Fprintf(&src, "  - {name: poller-%04d, poll: {interval: 10s}}\n", i)
	}
	sc, err := scenario.Parse("fleet.yaml", []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// fleetTraffic is what the fleet's scheduling does to the event heap: each
// poll pushes the next tick one interval ahead and its response one round
// trip ahead (network, service time, network), drawn from the fleet's own
// distributions.
func fleetTraffic(sc *scenario.Scenario) []time.Duration {
	rng := random.New(1, "fleet-traffic")
	network, service := sc.Network.Latency.Distribution(), sc.Store.API.Latency.Distribution()
	interval := sc.Clients[0].Poll.Interval.D()
	traffic := make([]time.Duration, 4096)
	for i := range traffic {
		if i%2 == 0 {
			traffic[i] = interval
		} else {
			traffic[i] = network.Sample(rng) + service.Sample(rng) + network.Sample(rng)
		}
	}
	return traffic
}

// BenchmarkFleet runs 1,000 fixed pollers at 10 s over a simulated day
// (8.64 M polls) and compares the runner's event rate with the floor of its
// own heap doing the same scheduling with no work (des.HoldFloor with the
// fleet's traffic). The ratio is the median of three pairs of runs, each
// engine run followed at once by a floor run of as many events, so that a
// burst of load on a shared machine moves both sides of a pair. The same
// runs also time the classic hold model (holdIncrements), whose ratio is
// reported beside it: that floor is lower, because its increments are all
// random, so the fleet's own traffic is the one the target applies to.
func BenchmarkFleet(b *testing.B) {
	sc := fleet(b, 24*time.Hour)
	traffic := fleetTraffic(sc)
	hold := holdIncrements()
	var events, polls int64
	for b.Loop() {
		res := run(b, sc)
		events, polls = res.Run.Events, res.Store.Requests
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)

	var ratios, holdRatios, engineRates, floorRates []float64
	for range 3 {
		start := time.Now()
		run(b, sc)
		engine := time.Since(start).Seconds()
		start = time.Now()
		des.HoldFloor(fleetPollers, int(events), traffic)
		floor := time.Since(start).Seconds()
		start = time.Now()
		des.HoldFloor(fleetPollers, int(events), hold)
		holdFloor := time.Since(start).Seconds()
		ratios = append(ratios, floor/engine)
		holdRatios = append(holdRatios, holdFloor/engine)
		engineRates = append(engineRates, float64(events)/engine)
		floorRates = append(floorRates, float64(events)/floor)
	}
	ratio := median(ratios)

	rss := peakRSS()
	b.ReportMetric(float64(polls), "polls")
	b.ReportMetric(perRun, "s/sim-day")
	b.ReportMetric(median(engineRates), "sim-events/s")
	b.ReportMetric(median(floorRates), "floor-events/s")
	b.ReportMetric(ratio, "engine/floor")
	b.ReportMetric(median(holdRatios), "engine/hold-floor")
	b.ReportMetric(rss/1e6, "peak-rss-MB")
	// A failed benchmark prints no metrics: log them, so that a miss shows by how much.
	b.Logf("%d polls, %.2f s per simulated day, engine %.3g events/s, floor %.3g events/s, engine/floor %.2f %.2f (classic hold model: %.2f), peak RSS %.0f MB",
		polls, perRun, median(engineRates), median(floorRates), ratio, ratios, median(holdRatios), rss/1e6)
	if polls != fleetPollers*24*360 {
		b.Errorf("polls = %d; want %d", polls, fleetPollers*24*360)
	}
	if perRun > fleetMaxSeconds {
		b.Errorf("a simulated day took %.2f s; the target is %d s", perRun, fleetMaxSeconds)
	}
	if ratio < fleetMinRatio {
		b.Errorf("engine/floor = %.2f (median of %.2f); the target is at least %.1f", ratio, ratios, fleetMinRatio)
	}
	if rss > fleetMaxRSS {
		b.Errorf("peak RSS = %.0f MB; the target is %.0f MB", rss/1e6, fleetMaxRSS/1e6)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkHeapFloor is the bare event heap alone, in the classic hold
// model of event-queue benchmarks: as many items as the fleet has pollers,
// each pushed back an exponential time (mean 10 s) after it is popped.
func BenchmarkHeapFloor(b *testing.B) {
	increments := holdIncrements()
	const events = 1_000_000
	for b.Loop() {
		des.HoldFloor(fleetPollers, events, increments)
	}
	b.ReportMetric(events*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// holdIncrements are the classic hold model's: exponential, mean 10 s.
func holdIncrements() []time.Duration {
	rng := random.New(1, "hold-model")
	increments := make([]time.Duration, 4096)
	for i := range increments {
		increments[i] = time.Duration(rng.Exp(float64(10 * time.Second)))
	}
	return increments
}

// BenchmarkFleetMemory checks that memory does not grow with the length of
// a run: a simulated week allocates no more than a simulated day. Memory
// that grew with the run would have to be allocated, so the bytes a run
// allocates bound its growth, and unlike a sampled peak they do not depend
// on when the garbage collector happens to run.
func BenchmarkFleetMemory(b *testing.B) {
	day, week := fleet(b, 24*time.Hour), fleet(b, 7*24*time.Hour)
	var dayAlloc, weekAlloc uint64
	for b.Loop() {
		dayAlloc = allocated(func() { run(b, day) })
		weekAlloc = allocated(func() { run(b, week) })
	}
	b.ReportMetric(float64(dayAlloc)/1e6, "day-alloc-MB")
	b.ReportMetric(float64(weekAlloc)/1e6, "week-alloc-MB")
	b.ReportMetric(float64(weekAlloc)/float64(dayAlloc), "week/day-alloc")
	// A week may end with a few more events in flight than a day; anything
	// growing with the run's length would show as a multiple.
	if float64(weekAlloc) > 1.05*float64(dayAlloc) {
		b.Errorf("a week allocates %.1f MB, a day %.1f MB: memory grows with the run", float64(weekAlloc)/1e6, float64(dayAlloc)/1e6)
	}
}
