package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pushpull/pushpull/sim/live"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Targets of the live fleet benchmark: 2,000 polls a second for 30 s, sent
// within 1 % of that rate, each at most 5 ms after it was due at the 99th
// percentile.
const (
	liveFleetRate     = 2000
	liveFleetSeconds  = 30
	liveFleetRateTol  = 0.01
	liveFleetLateness = 5 * time.Millisecond
)

// liveFleet is 2,000 subscribers polling every second, for 30 s in real
// time, against a store of an event a second that answers in 1 ms.
func liveFleet(b *testing.B) *scenario.Scenario {
	b.Helper()
	src := fmt.Sprintf(`name: live-fleet
duration: %ds
drain: 0s
store:
  arrivals: {process: poisson, rate: 1/s}
  payload_bytes: 500
  api: {latency: 1ms}
clients:
  - {name: fleet, count: %d, poll: {interval: 1s}}
`, liveFleetSeconds, liveFleetRate)
	sc, err := scenario.Parse("live-fleet.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// BenchmarkLiveFleet runs the vegeta-paced fleet for 30 s and reports the
// rate it achieved, as vegeta measures it from the run's own results, and
// how late its polls left. A miss of either target fails the benchmark.
func BenchmarkLiveFleet(b *testing.B) {
	sc := liveFleet(b)
	// As pushpull run -mode live does: a live run's small, fast-churning
	// heap collected less often keeps pauses from making polls late.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	for b.Loop() {
		var bin bytes.Buffer
		res, err := live.Run(context.Background(), sc, live.Options{Vegeta: &bin})
		if err != nil {
			b.Fatal(err)
		}
		var m vegeta.Metrics
		dec := vegeta.NewDecoder(&bin)
		for {
			var r vegeta.Result
			if err := dec.Decode(&r); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			m.Add(&r)
		}
		m.Close()
		h := res.HTTP.Clients[0]
		rateError := m.Rate/liveFleetRate - 1
		b.ReportMetric(m.Rate, "achieved-polls/s")
		b.ReportMetric(100*rateError, "rate-error-%")
		b.ReportMetric(h.Lateness.P50S*1e3, "p50-lateness-ms")
		b.ReportMetric(h.Lateness.P99S*1e3, "p99-lateness-ms")
		b.ReportMetric(h.Latency.P99S*1e3, "p99-latency-ms")
		b.ReportMetric(100*m.Success, "success-%")
		if res.HTTP.StoreCPUPer1000 != nil {
			b.ReportMetric(*res.HTTP.StoreCPUPer1000*1e3, "store-cpu-ms/1000req")
		}
		b.ReportMetric(res.HTTP.ProcessCPUS/float64(res.HTTP.Exchanges)*1e6, "process-cpu-µs/poll")
		b.Logf("achieved %.1f polls/s (%+.2f %%), send lateness p50 %.2f ms, p99 %.2f ms", m.Rate, 100*rateError, h.Lateness.P50S*1e3, h.Lateness.P99S*1e3)
		if rateError < -liveFleetRateTol || rateError > liveFleetRateTol {
			b.Errorf("achieved %.1f polls/s, %.2f %% off the target %d (within %.0f %%)", m.Rate, 100*rateError, liveFleetRate, 100*liveFleetRateTol)
		}
		if late := time.Duration(h.Lateness.P99S * float64(time.Second)); late > liveFleetLateness {
			b.Errorf("p99 send lateness %v, beyond %v", late, liveFleetLateness)
		}
	}
}

// BenchmarkLiveCapacity measures the polls/s the store sustains against
// vegeta's linear ramp, and, against the same endpoint in the same run, the
// rate wrk reaches, and reports pushpull's as a ratio of wrk's. wrk comes
// from Debian's package: scripts/wrk.sh installs it when it is missing.
func BenchmarkLiveCapacity(b *testing.B) {
	if _, err := exec.LookPath("wrk"); err != nil {
		if out, err := exec.Command("../scripts/wrk.sh").CombinedOutput(); err != nil {
			b.Skipf("wrk is missing and scripts/wrk.sh could not install it: %v\n%s", err, out)
		}
	}
	sc := load(b, "../scenarios/ecommerce-orders.yaml")
	for b.Loop() {
		var wrkRate float64
		var wrkErr error
		res, err := live.MeasureCapacity(context.Background(), sc, live.CapacityOptions{
			Before: func(url string) { wrkRate, wrkErr = runWrk(url+"/v1/events?after=0", 10*time.Second) },
		})
		if err != nil {
			b.Fatal(err)
		}
		if wrkErr != nil {
			b.Fatal(wrkErr)
		}
		b.ReportMetric(res.SustainablePollsS, "sustainable-polls/s")
		b.ReportMetric(wrkRate, "wrk-polls/s")
		b.ReportMetric(res.SustainablePollsS/wrkRate, "ratio-to-wrk")
		b.ReportMetric(res.DeliveriesS, "webhook-deliveries/s")
		b.ReportMetric(res.CPUPerPollS*1e6, "store-cpu-µs/poll")
		b.ReportMetric(res.CPUPerDeliveryS*1e6, "store-cpu-µs/delivery")
		b.Logf("the ramp ended: %s", res.BrokenBy)
	}
}

var wrkRequests = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// runWrk runs wrk against url for d, with two threads and 64 connections,
// and returns the requests per second it reports.
func runWrk(url string, d time.Duration) (float64, error) {
	out, err := exec.Command("wrk", "-t2", "-c64", "-d"+strconv.Itoa(int(d.Seconds()))+"s", url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("running wrk: %w\n%s", err, out)
	}
	m := wrkRequests.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("reading wrk's output: no Requests/sec in\n%s", strings.TrimSpace(string(out)))
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
