package bench

import (
	"fmt"
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
// fleet's traffic), measured in the same run.
func BenchmarkFleet(b *testing.B) {
	sc := fleet(b, 24*time.Hour)
	var events, polls int64
	for b.Loop() {
		res := run(b, sc)
		events, polls = res.Run.Events, res.Store.Requests
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	engineRate := float64(events) / perRun

	start := time.Now()
	des.HoldFloor(fleetPollers, int(events), fleetTraffic(sc))
	floorRate := float64(events) / time.Since(start).Seconds()

	rss := peakRSS()
	b.ReportMetric(float64(polls), "polls")
	b.ReportMetric(perRun, "s/sim-day")
	b.ReportMetric(engineRate, "sim-events/s")
	b.ReportMetric(floorRate, "floor-events/s")
	b.ReportMetric(engineRate/floorRate, "engine/floor")
	b.ReportMetric(rss/1e6, "peak-rss-MB")
	if polls != fleetPollers*24*360 {
		b.Errorf("polls = %d; want %d", polls, fleetPollers*24*360)
	}
	if perRun > fleetMaxSeconds {
		b.Errorf("a simulated day took %.2f s; the target is %d s", perRun, fleetMaxSeconds)
	}
	if engineRate/floorRate < fleetMinRatio {
		b.Errorf("engine/floor = %.2f; the target is at least %.1f", engineRate/floorRate, fleetMinRatio)
	}
	if rss > fleetMaxRSS {
		b.Errorf("peak RSS = %.0f MB; the target is %.0f MB", rss/1e6, fleetMaxRSS/1e6)
	}
}

// BenchmarkHeapFloor is the bare event heap alone, in the classic hold
// model of event-queue benchmarks: as many items as the fleet has pollers,
// each pushed back an exponential time (mean 10 s) after it is popped.
func BenchmarkHeapFloor(b *testing.B) {
	rng := random.New(1, "hold-model")
	increments := make([]time.Duration, 4096)
	for i := range increments {
		increments[i] = time.Duration(rng.Exp(float64(10 * time.Second)))
	}
	const events = 1_000_000
	for b.Loop() {
		des.HoldFloor(fleetPollers, events, increments)
	}
	b.ReportMetric(events*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFleetMemory checks that memory does not grow with the length of
// a run: a simulated week peaks no higher than a simulated day.
func BenchmarkFleetMemory(b *testing.B) {
	day, week := fleet(b, 24*time.Hour), fleet(b, 7*24*time.Hour)
	var dayPeak, weekPeak uint64
	for b.Loop() {
		dayPeak = peakLiveHeap(func() { run(b, day) })
		weekPeak = peakLiveHeap(func() { run(b, week) })
	}
	b.ReportMetric(float64(dayPeak)/1e6, "day-peak-live-MB")
	b.ReportMetric(float64(weekPeak)/1e6, "week-peak-live-MB")
	b.ReportMetric(float64(weekPeak)/float64(dayPeak), "week/day")
	// A week may hold a few more events in flight at its end than a day;
	// anything growing with the run's length would show as a multiple.
	if float64(weekPeak) > 1.05*float64(dayPeak) {
		b.Errorf("a week peaks at %.1f MB, a day at %.1f MB: memory grows with the run", float64(weekPeak)/1e6, float64(dayPeak)/1e6)
	}
}
