package bench

import (
	"path/filepath"
	"testing"

	"github.com/pushpull/pushpull/sim/metrics"
)

// BenchmarkScenarios runs every shipped scenario, one sub-benchmark per
// client strategy, and reports that client's latency, waste and loss next
// to the runner's throughput.
func BenchmarkScenarios(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no shipped scenarios: %v", err)
	}
	for _, file := range files {
		sc := load(b, file)
		for _, cl := range sc.Clients {
			b.Run(sc.Name+"/"+cl.Name, func(b *testing.B) {
				var res *metrics.Results
				var events int64
				for b.Loop() {
					res = run(b, sc)
					events += res.Run.Events
				}
				c := res.Client(cl.Name)
				b.ReportMetric(c.Latency.P99S, "p99-latency-s")
				b.ReportMetric(c.Latency.MeanS, "mean-latency-s")
				if c.Delivered > 0 {
					b.ReportMetric(float64(c.Wasted.Total)/float64(c.Delivered), "wasted-req/event")
				}
				if c.Dropped.Rate != nil {
					b.ReportMetric(100**c.Dropped.Rate, "dropped-%")
				}
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "sim-events/s")
			})
		}
	}
}
