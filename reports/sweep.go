package reports

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// SweepCharts returns the charts of a sweep's report: the latency–cost
// trade-off at p50 and p99, then each named metric against the swept field
// (DefaultSweepMetrics when none are named), leaving out metrics that are 0
// everywhere. It also returns those metrics, for the report to mention.
func SweepCharts(sw *metrics.Sweep, names []string) (charts []*Chart, allZero []string, err error) {
	if len(names) == 0 {
		names = DefaultSweepMetrics
	}
	var ms []metrics.Metric
	for _, n := range names {
		m, ok := metrics.LookupMetric(n)
		if !ok {
			return nil, nil, errors.New(metrics.UnknownMetric(n))
		}
		ms = append(ms, m)
	}
	if len(sw.Points) == 0 {
		return nil, nil, nil
	}
	charts = []*Chart{tradeoff(sw, "p50"), tradeoff(sw, "p99")}
	for _, m := range ms {
		if ch := metricChart(sw, m); ch != nil {
			charts = append(charts, ch)
		} else {
			allZero = append(allZero, m.Name)
		}
	}
	return charts, allZero, nil
}

// RenderSweep returns the files of a sweep's report: report.html,
// summary.md, points.csv, and charts/NAME.svg and charts/NAME.png for every
// chart. sweep.json itself is the caller's.
func RenderSweep(sw *metrics.Sweep, opts Options) ([]File, error) { return renderSweep(sw, opts, true) }

// renderSweep is RenderSweep, with or without the PNGs.
func renderSweep(sw *metrics.Sweep, opts Options, png bool) ([]File, error) {
	if sw == nil || len(sw.Axes) == 0 {
		return nil, errors.New("rendering a sweep report: no sweep")
	}
	charts, allZero, err := SweepCharts(sw, opts.Metrics)
	if err != nil {
		return nil, err
	}
	drawn, err := drawAll(charts, png)
	if err != nil {
		return nil, err
	}
	v := judgeSweep(sw, allZero)
	p := page{
		Title: sw.Scenario.Name + ": sweep", Description: sw.Scenario.Description, RunLine: sweepLine(sw),
		Warnings: v.warnings, Sentences: v.sentences, Header: v.header, Left: len(sw.Axes) + 1, Rows: v.rows, Model: v.model,
		TableNote: "One row per client at each point of the sweep. Green marks the best value of each column." +
			modelLegend(v.rows, "", "the model's tolerance at that point"),
		Facts: sweepFacts(sw), Source: string(opts.Source),
	}
	files, figures := chartFiles(charts, drawn)
	p.Charts = figures
	page, err := html(p)
	if err != nil {
		return nil, err
	}
	points, err := pointsCSV(sw)
	if err != nil {
		return nil, err
	}
	return append([]File{
		{Path: "report.html", Data: page},
		{Path: "summary.md", Data: sweepSummary(sw, v, charts)},
		{Path: "points.csv", Data: points},
	}, files...), nil
}

// sweepLine says what was swept and how each point ran.
func sweepLine(sw *metrics.Sweep) string {
	var axes []string
	for _, a := range sw.Axes {
		axes = append(axes, fmt.Sprintf("%s over %s", a.Set, strings.Join(a.Values, ", ")))
	}
	line := fmt.Sprintf("Sweep of %s: %d runs", strings.Join(axes, ", and "), len(sw.Points))
	if len(sw.Points) > 0 {
		r := sw.Points[0].Results
		line += fmt.Sprintf(" of %s simulated (+%s drain), seed %d, %s runner", seconds(r.Scenario.DurationS), seconds(r.Scenario.DrainS), r.Run.Seed, r.Run.Runner)
	}
	return line + "."
}

// judgeSweep is the verdict of a sweep: how each client's cost and latency
// move along the swept field, which points are on the frontier, and a row
// per client and point.
func judgeSweep(sw *metrics.Sweep, allZero []string) verdict {
	var v verdict
	if sw.Interrupted {
		v.warnings = append(v.warnings, "The sweep was interrupted: only the points that finished are shown.")
	}
	for _, p := range sw.Points {
		if !p.Results.Run.InvariantOK {
			v.warnings = append(v.warnings, fmt.Sprintf("At %s, emitted ≠ delivered + dropped + in flight for some client: that point is not to be trusted.", p.Label()))
		}
	}
	if len(sw.Points) == 0 {
		v.sentences = []string{"No point of the sweep finished."}
		return v
	}
	for _, s := range seriesOf(sw) {
		if len(s.points) == 0 {
			continue
		}
		first, last := s.points[0], s.points[len(s.points)-1]
		name := s.name(sw)
		if s.constant() {
			v.sentences = append(v.sentences, fmt.Sprintf("%s is the same at every point: p99 %s at %s requests per hour.",
				name, latencyOrNone(first.c), perHour(3600*first.c.Requests.PerS)))
			continue
		}
		v.sentences = append(v.sentences, fmt.Sprintf("%s: as %s goes from %s to %s, requests per hour go from %s to %s and p99 latency from %s to %s.",
			name, lastKey(sw.Axes[0].Set), first.label, last.label,
			perHour(3600*first.c.Requests.PerS), perHour(3600*last.c.Requests.PerS), latencyOrNone(first.c), latencyOrNone(last.c)))
	}
	var all []tradeoffPoint
	m, _ := metrics.LookupMetric("p99_latency_s")
	for _, s := range seriesOf(sw) {
		for _, pt := range s.points {
			if y, ok := m.Of(pt.c); ok && y > 0 && pt.c.Requests.PerS > 0 {
				label := s.name(sw)
				if !s.constant() {
					label += " at " + pt.label
				}
				all = append(all, tradeoffPoint{x: 3600 * pt.c.Requests.PerS, y: y, label: label})
			}
		}
	}
	if front := pareto(all); len(front) > 0 {
		var names []string
		for _, p := range front {
			if len(names) == 0 || names[len(names)-1] != p.label {
				names = append(names, p.label)
			}
		}
		v.sentences = append(v.sentences, "On the p99 frontier, from cheapest to fastest (nothing is both cheaper and faster): "+strings.Join(names, "; ")+".")
	}
	if len(allZero) > 0 {
		v.sentences = append(v.sentences, "Zero at every point, so not charted: "+strings.Join(allZero, ", ")+".")
	}

	for _, a := range sw.Axes {
		v.header = append(v.header, lastKey(a.Set))
	}
	v.header = append(v.header, "client", "p50", "p99", "requests/h", "req/event", "wasted", "dropped")
	cols := []string{"p50_latency_s", "p99_latency_s", "requests_per_hour", "requests_per_delivered_event", "wasted_fraction", "dropped_rate"}
	best := map[string]float64{}
	for _, name := range cols {
		m, _ := metrics.LookupMetric(name)
		have := false
		for _, p := range sw.Points {
			for i := range p.Results.Clients {
				if x, ok := m.Of(&p.Results.Clients[i]); ok && (!have || m.Better(best[name], x)) {
					best[name], have = x, true
				}
			}
		}
	}
	for _, p := range sw.Points {
		for i := range p.Results.Clients {
			c := &p.Results.Clients[i]
			var cells []cell
			for _, val := range p.Values {
				cells = append(cells, cell{Text: val})
			}
			cells = append(cells, cell{Text: c.Name})
			for _, name := range cols {
				m, _ := metrics.LookupMetric(name)
				x, ok := m.Of(c)
				ce := cell{Text: "–", Num: true}
				if ok {
					ce.Text = metricText(m, x, true)
					if name == "requests_per_delivered_event" {
						ce.Text = fixed(&x, 2)
					}
					if b, has := best[name]; has && x == b {
						ce.Best = true
					}
				}
				if e, ok := expectedOf(c, p.Results.Scenario.DurationS, name); ok {
					ce.Outside = isOutside(e)
				}
				cells = append(cells, ce)
			}
			v.rows = append(v.rows, row{Cells: cells})
		}
	}
	v.model = judgeSweepModel(sw)
	return v
}

func latencyOrNone(c *metrics.ClientResults) string {
	if c.Latency.Count == 0 {
		return "– (nothing delivered)"
	}
	return latency(c.Latency.P99S)
}

// sweepFacts are the scenario lines of a sweep's report.
func sweepFacts(sw *metrics.Sweep) []fact {
	sc := sw.Scenario
	facts := []fact{{"name", sc.Name}}
	if sc.File != "" {
		facts = append(facts, fact{"file", sc.File})
	}
	if sc.SHA256 != "" {
		facts = append(facts, fact{"sha256", sc.SHA256})
	}
	for i, a := range sw.Axes {
		facts = append(facts, fact{fmt.Sprintf("axis %d", i+1), a.Set + " = " + strings.Join(a.Values, ", ")})
	}
	if len(sw.Points) > 0 {
		r := sw.Points[0].Results
		facts = append(facts,
			fact{"duration", seconds(r.Scenario.DurationS) + " of events, then " + seconds(r.Scenario.DrainS) + " of drain, at each point"},
			fact{"seed", strconv.FormatUint(r.Run.Seed, 10)},
			fact{"built with", r.Run.GoVersion + ", GOMAXPROCS " + strconv.Itoa(r.Run.GOMAXPROCS)},
		)
		for _, c := range r.Clients {
			facts = append(facts, fact{"client " + c.Name, c.Strategy + " (at " + sw.Points[0].Label() + ")"})
		}
	}
	return facts
}

// sweepSummary is summary.md of a sweep.
func sweepSummary(sw *metrics.Sweep, v verdict, charts []*Chart) []byte {
	var b strings.Builder
	mdVerdict(&b, sw.Scenario.Name+": sweep", sw.Scenario.Description, mdText(sweepLine(sw)), v, len(sw.Axes)+1,
		modelLegend(v.rows, "", "the model's tolerance at that point"))
	writeChartLinks(&b, charts)
	return []byte(b.String())
}

// pointsCSV writes points.csv: a row per client at each point, a column
// per axis and per named metric, then the model's expected value and
// tolerance of each metric it may predict, as clients.csv has them.
func pointsCSV(sw *metrics.Sweep) ([]byte, error) {
	var header []string
	for _, a := range sw.Axes {
		header = append(header, a.Set)
	}
	header = append(header, "client", "strategy", "emitted")
	ms := metrics.Metrics()
	for _, m := range ms {
		header = append(header, m.Name)
	}
	results := make([]*metrics.Results, len(sw.Points))
	for i, p := range sw.Points {
		results[i] = p.Results
	}
	predicted := expectedColumns(results...)
	header = append(header, expectedHeader(predicted)...)
	rows := [][]string{header}
	for _, p := range sw.Points {
		for i := range p.Results.Clients {
			c := &p.Results.Clients[i]
			row := append(append([]string(nil), p.Values...), c.Name, c.Strategy, strconv.FormatInt(c.Emitted, 10))
			row = append(row, metricCells(c, ms)...)
			rows = append(rows, append(row, expectedCells(c, p.Results.Scenario.DurationS, predicted)...))
		}
	}
	return writeCSV(rows)
}

// WriteSweepTable prints the table of a sweep: a row per client at each
// point.
func WriteSweepTable(w io.Writer, sw *metrics.Sweep) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", sw.Scenario.Name)
	if sw.Scenario.Description != "" {
		fmt.Fprintf(&b, ": %s", sw.Scenario.Description)
	}
	fmt.Fprintf(&b, "\n%s\n", sweepLine(sw))
	if sw.Interrupted {
		b.WriteString("INTERRUPTED: only the points that finished are shown\n")
	}
	b.WriteString("\n")
	v := judgeSweep(sw, nil)
	t := grid{left: len(sw.Axes) + 1}
	t.add(v.header...)
	for _, r := range v.rows {
		var cells []string
		for _, c := range r.Cells {
			text := c.Text
			if c.Outside {
				text += "!"
			}
			cells = append(cells, text)
		}
		t.add(cells...)
	}
	t.write(&b)
	if anyOutside(v.rows) {
		b.WriteString("! measured outside the model's tolerance at that point\n")
	}
	if notes := sweepModelNotes(sw); len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxSweepNotes is how many figures outside tolerance the sweep's table
// explains; the report lists more, and points.csv every one.
const maxSweepNotes = 10

// sweepModelNotes explain the figures of a sweep measured outside the
// model's tolerance, as the table of a run does, each with its point.
func sweepModelNotes(sw *metrics.Sweep) []string {
	var notes []string
	n := 0
	for _, p := range sw.Points {
		for _, note := range modelNotesAt(p.Results, " at "+p.Label()) {
			if n++; n <= maxSweepNotes {
				notes = append(notes, note)
			}
		}
	}
	if n > maxSweepNotes {
		notes = append(notes, fmt.Sprintf("… and %d more outside the model's tolerance: see the sweep's report", n-maxSweepNotes))
	}
	return notes
}
