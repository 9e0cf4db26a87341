package bench

import (
	"testing"
	"time"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/model"
	"github.com/pushpull/pushpull/sim/scenario"
)

// reportMaxSeconds is the target for the full report of a six-client
// scenario: every chart as SVG and PNG, report.html, summary.md and CSV.
const reportMaxSeconds = 2

// sixClients is four pollers from 1 s to 5 min, one down longer than the
// store keeps events, and two webhook receivers with outages, one of which
// loses events: every chart of a report has something to draw.
const sixClients = `name: six-clients
seed: 1
duration: 72h
drain: 2h
network: {latency: {median: 20ms, p99: 80ms}}
store:
  arrivals: {process: poisson, rate: 120/h}
  payload_bytes: 800
  api: {latency: {median: 40ms, p99: 250ms}, retention: 24h, rate_limit: {rate: 1/s, burst: 5}}
  webhooks: {retry: {preset: svix}}
clients:
  - {name: poll-1s, poll: {interval: 1s}}
  - {name: poll-10s, poll: {interval: 10s}}
  - {name: poll-1m, poll: {interval: 1m, paging: false}}
  - {name: poll-5m, poll: {interval: 5m}, outages: [{at: 20h, for: 30h}]}
  - {name: webhook, webhook: {}, outages: [{at: 24h, for: 6h}]}
  - {name: webhook-hang, webhook: {}, outages: [{at: 12h, for: 48h, mode: hang}]}
`

// BenchmarkReport renders the full report of a six-client scenario from
// its results, as pushpull run and pushpull report do after a run.
func BenchmarkReport(b *testing.B) {
	sc, err := scenario.Parse("six-clients.yaml", []byte(sixClients))
	if err != nil {
		b.Fatal(err)
	}
	res := run(b, sc)
	model.Check(sc, res) // as pushpull run does: the report shows the model beside each figure
	var files, charts int
	for b.Loop() {
		out, err := reports.Render(res, reports.Options{})
		if err != nil {
			b.Fatal(err)
		}
		files, charts = len(out), len(reports.RunCharts(res))
	}
	perReport := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perReport, "s/report")
	b.ReportMetric(float64(charts), "charts")
	b.ReportMetric(float64(files), "files")
	if charts != 5 {
		b.Errorf("the report has %d charts; want 5: a six-client run with outages and losses draws every one", charts)
	}
	if perReport > reportMaxSeconds {
		b.Errorf("a report took %v; the target is %d s", time.Duration(perReport*float64(time.Second)), reportMaxSeconds)
	}
}
