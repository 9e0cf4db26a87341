package reports

import (
	"errors"
	"runtime"
	"sync"

	"github.com/pushpull/pushpull/sim/metrics"
)

// File is one file of a report: its path inside the report's folder, with
// slashes, and its content.
type File struct {
	Path string
	Data []byte
}

// Options adjust a report without changing what it says about the run.
type Options struct {
	// Source is the text of the scenario file, shown at the end of
	// report.html when given.
	Source []byte
	// Metrics are the metrics a sweep's report charts against the swept
	// field, by name (docs/metrics.md); none means DefaultSweepMetrics.
	Metrics []string
}

// RunCharts returns the charts of a run's report, in the order the report
// shows them. The loss chart is left out when nothing was lost, and the
// timeline when the results have none.
func RunCharts(res *metrics.Results) []*Chart {
	charts := []*Chart{latencyCDF(res), latencyBars(res), costBars(res)}
	if !lossless(res) {
		charts = append(charts, lossBars(res))
	}
	if len(res.Timeline.Emitted) > 0 && res.Timeline.BucketS > 0 {
		charts = append(charts, timeline(res))
	}
	return charts
}

// Render returns the files of a run's report: report.html, summary.md,
// clients.csv, timeline.csv, and charts/NAME.svg and charts/NAME.png for
// every chart. The same results give the same files, byte for byte (the
// PNGs on the same machine). results.json itself is the caller's.
func Render(res *metrics.Results, opts Options) ([]File, error) { return render(res, opts, true) }

// render is Render, with or without the PNGs: the tests that do not look
// at them skip their cost.
func render(res *metrics.Results, opts Options, png bool) ([]File, error) {
	if res == nil {
		return nil, errors.New("rendering a report: no results")
	}
	charts := RunCharts(res)
	drawn, err := drawAll(charts, png)
	if err != nil {
		return nil, err
	}
	v := judge(res)
	p := page{
		Title: res.Scenario.Name, Description: res.Scenario.Description, RunLine: runLine(res),
		Warnings: v.warnings, Sentences: v.sentences, Header: v.header, Left: 2, Rows: v.rows, Model: v.model,
		TableNote: "Green marks the best value of each column. p50 and p99: delivery latency; requests/h: requests per hour; req/event: requests per delivered event; wasted: requests that brought nothing new; dup: duplicate deliveries; ooo: out-of-order deliveries." +
			modelLegend(v.rows, "Under a client, in grey, what the model expects, ± the tolerance chance allows at this run's sample sizes", "that tolerance"),
		Facts: runFacts(res), Source: string(opts.Source),
	}
	files, figures := chartFiles(charts, drawn)
	p.Charts = figures
	page, err := html(p)
	if err != nil {
		return nil, err
	}
	clients, err := clientsCSV(res)
	if err != nil {
		return nil, err
	}
	tl, err := timelineCSV(res)
	if err != nil {
		return nil, err
	}
	return append([]File{
		{Path: "report.html", Data: page},
		{Path: "summary.md", Data: summary(res, v, charts)},
		{Path: "clients.csv", Data: clients},
		{Path: "timeline.csv", Data: tl},
	}, files...), nil
}

// drawing is a chart drawn in both formats.
type drawing struct{ svg, png []byte }

// drawAll draws every chart as SVG and PNG, on all cores: PNGs take most
// of a report's time.
func drawAll(charts []*Chart, png bool) ([]drawing, error) {
	out := make([]drawing, len(charts))
	errs := make([]error, 2*len(charts))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				ch := charts[j/2]
				switch {
				case j%2 == 0:
					out[j/2].svg, errs[j] = ch.SVG()
				case png:
					out[j/2].png, errs[j] = ch.PNG()
				}
			}
		})
	}
	for j := range 2 * len(charts) {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return out, errors.Join(errs...)
}

// chartFiles lists the chart files and the figures of the page.
func chartFiles(charts []*Chart, drawn []drawing) ([]File, []figure) {
	var files []File
	var figures []figure
	for i, ch := range charts {
		files = append(files, File{Path: "charts/" + ch.Name + ".svg", Data: drawn[i].svg})
		if drawn[i].png != nil {
			files = append(files, File{Path: "charts/" + ch.Name + ".png", Data: drawn[i].png})
		}
		figures = append(figures, figure{Name: ch.Name, Title: ch.Title, Caption: ch.Caption, Notes: ch.Notes, SVG: inlineSVG(drawn[i].svg, ch.Title)})
	}
	return files, figures
}
