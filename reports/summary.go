package reports

import (
	"fmt"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// mdVerdict writes the head of a summary.md: the title, the description,
// line (Markdown already) saying what ran, the warnings, then the verdict:
// its sentences, its table (whose first keyColumns columns name a row) with
// legend, and what the models say of it.
func mdVerdict(b *strings.Builder, title, description, line string, v verdict, keyColumns int, legend string) {
	fmt.Fprintf(b, "# %s\n\n", mdText(title))
	if description != "" {
		fmt.Fprintf(b, "%s\n\n", mdText(description))
	}
	fmt.Fprintf(b, "%s\n\n", line)
	for _, w := range v.warnings {
		fmt.Fprintf(b, "> **Warning.** %s\n\n", mdText(w))
	}
	b.WriteString("## Verdict\n\n")
	for _, s := range v.sentences {
		fmt.Fprintf(b, "- %s\n", mdText(s))
	}
	b.WriteString("\n")
	mdTable(b, v.header, mdRows(v.rows), keyColumns)
	b.WriteString("\nBold marks the best value of each column." + legend + "\n")
	mdModel(b, v.model)
}

// summary writes summary.md: the verdict and the per-client tables in
// Markdown, for pasting into a design document, with links to the charts.
func summary(res *metrics.Results, v verdict, charts []*Chart) []byte {
	var b strings.Builder
	mdVerdict(&b, res.Scenario.Name, res.Scenario.Description, runLine(res), v, 2,
		modelLegend(v.rows, "Under a client, what the model expects, ± the tolerance chance allows at this run's sample sizes", "that tolerance"))

	d := res.Scenario.DurationS
	b.WriteString("\n## Latency\n\n")
	var rows [][]string
	for i := range res.Clients {
		c := &res.Clients[i]
		l := c.Latency
		m := modelCells{c: c, durationS: d}
		if l.Count == 0 {
			rows = append(rows, []string{mdText(c.Name), "0", "–", "–", "–", "–", "–", "–"})
		} else {
			rows = append(rows, []string{mdText(c.Name), Count(l.Count), m.mark("mean_latency_s", latency(l.MeanS)), m.mark("p50_latency_s", latency(l.P50S)),
				m.mark("p90_latency_s", latency(l.P90S)), m.mark("p99_latency_s", latency(l.P99S)), latency(l.P999S), latency(l.MaxS)})
		}
		rows = m.row(rows, "", m.expect("mean_latency_s", latency), m.expect("p50_latency_s", latency),
			m.expect("p90_latency_s", latency), m.expect("p99_latency_s", latency), "", "")
	}
	mdTable(&b, []string{"client", "delivered", "mean", "p50", "p90", "p99", "p99.9", "max"}, rows, 1)

	b.WriteString("\n## Cost\n\n")
	rows = nil
	for i := range res.Clients {
		c := &res.Clients[i]
		m := modelCells{c: c, durationS: d}
		rows = append(rows, []string{mdText(c.Name), m.mark("requests", Count(c.Requests.Total)), m.mark("requests_per_hour", perHour(3600*c.Requests.PerS)),
			m.mark("requests_per_delivered_event", fixed(c.RequestsPerDelivered, 2)), m.mark("wasted_fraction", wasted(c.Wasted)),
			orDash(byName(c.Wasted.ByReason)), m.mark("empty_poll_fraction", orDash(percentOrNil(c.EmptyPollFraction))), bytesOrDash(c.Bytes.PerDelivered)})
		rows = m.row(rows, m.expect("requests", expectedCount), m.expect("requests_per_hour", perHour),
			m.expect("requests_per_delivered_event", func(v float64) string { return fixed(&v, 2) }),
			m.expect("wasted_fraction", func(v float64) string { return percent(&v) }), "",
			m.expect("empty_poll_fraction", func(v float64) string { return percent(&v) }), "")
	}
	mdTable(&b, []string{"client", "requests", "requests/h", "req/event", "wasted", "wasted by reason", "empty polls", "bytes/event"}, rows, 1)

	b.WriteString("\n## Loss\n\n")
	rows = nil
	for i := range res.Clients {
		c := &res.Clients[i]
		m := modelCells{c: c, durationS: d}
		rows = append(rows, []string{mdText(c.Name), Count(c.Emitted), m.mark("dropped_rate", dropped(c.Dropped)), orDash(byName(c.Dropped.ByCause)),
			m.mark("duplicates", Count(c.Duplicates)), m.mark("out_of_order", Count(c.OutOfOrder)), Count(c.InFlight)})
		rows = m.row(rows, "", m.expect("dropped_rate", func(v float64) string {
			if v == 0 {
				return "0"
			}
			return percentPrecise(&v)
		}), "",
			m.expect("duplicates", expectedCount), m.expect("out_of_order", expectedCount), "")
	}
	mdTable(&b, []string{"client", "emitted", "dropped", "by cause", "duplicates", "out of order", "in flight"}, rows, 1)

	writeChartLinks(&b, charts)
	return []byte(b.String())
}

// mdRows are the rows of a verdict table in Markdown: the best values in
// bold, figures measured outside the model's tolerance marked with !, and
// under a client what the model expected.
func mdRows(rows []row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for j, c := range r.Cells {
			text := mdText(c.Text)
			switch {
			case r.Expected && j == 0:
				text = "*expected*"
			case c.Tol != "":
				text += " ± " + mdText(c.Tol)
			}
			if c.Best {
				text = "**" + text + "**"
			}
			if c.Outside {
				text += "!"
			}
			out[i] = append(out[i], text)
		}
	}
	return out
}

// mdModel writes the model part of a verdict: how many figures agree, a
// table of those that do not, and what has no closed form.
func mdModel(b *strings.Builder, mp *modelPart) {
	if mp == nil {
		return
	}
	fmt.Fprintf(b, "\n### Against the model\n\n%s\n", mdText(mp.Lead))
	if len(mp.Outside) > 0 {
		b.WriteString("\n")
		var rows [][]string
		for _, r := range mp.Outside {
			var texts []string
			for _, c := range r {
				texts = append(texts, mdText(c.Text))
			}
			rows = append(rows, texts)
		}
		align := strings.Repeat("l", mp.Left) + "rrl"
		mdTableAligned(b, mp.Header, rows, align)
		if mp.More != "" {
			fmt.Fprintf(b, "\n%s\n", mdText(mp.More))
		}
	}
	if len(mp.Missing) > 0 {
		b.WriteString("\nNo closed form, so nothing is predicted of:\n\n")
		for _, m := range mp.Missing {
			fmt.Fprintf(b, "- %s\n", mdText(m))
		}
	}
}

// modelCells reads what the model expected of one client, for the tables
// of summary.md.
type modelCells struct {
	c         *metrics.ClientResults
	durationS float64
	predicted bool // some cell had an expectation
}

// mark appends "!" to a measured cell outside the model's tolerance.
func (m *modelCells) mark(metric, text string) string {
	if e, ok := expectedOf(m.c, m.durationS, metric); ok && isOutside(e) {
		return text + "!"
	}
	return text
}

// expect writes what the model expected of metric, with its tolerance, or
// "" when it predicted nothing of it.
func (m *modelCells) expect(metric string, format func(float64) string) string {
	e, ok := expectedOf(m.c, m.durationS, metric)
	if !ok {
		return ""
	}
	m.predicted = true
	return mdText(plusMinus(format(e.Value), ToleranceIn(e.Tolerance, metrics.UnitOf(metric)), e.Tolerance == 0))
}

// row appends the row of expectations, after the client's name, when any
// cell has one.
func (m *modelCells) row(rows [][]string, cells ...string) [][]string {
	if !m.predicted {
		return rows
	}
	return append(rows, append([]string{"*expected*"}, cells...))
}

// writeChartLinks lists the charts as Markdown images with their captions.
func writeChartLinks(b *strings.Builder, charts []*Chart) {
	b.WriteString("\n## Charts\n")
	for _, ch := range charts {
		fmt.Fprintf(b, "\n![%s](charts/%s.png)\n\n%s\n", mdText(ch.Title), ch.Name, mdText(ch.Caption))
		for _, n := range ch.Notes {
			fmt.Fprintf(b, "\n*%s*\n", mdText(n))
		}
	}
}

// runLine says how long, with which seed and runner the scenario ran.
func runLine(res *metrics.Results) string {
	sc := res.Scenario
	return fmt.Sprintf("%s simulated (+%s drain), seed %d, %s events emitted, %s runner.",
		seconds(sc.DurationS), seconds(sc.DrainS), res.Run.Seed, Count(res.Store.Emitted), res.Run.Runner)
}

// mdTable writes a Markdown table; the first left columns are aligned
// left, the rest right.
func mdTable(b *strings.Builder, header []string, rows [][]string, left int) {
	align := strings.Repeat("l", left) + strings.Repeat("r", max(0, len(header)-left))
	mdTableAligned(b, header, rows, align)
}

// mdTableAligned writes a Markdown table, each column aligned as align
// says: l for left, r for right.
func mdTableAligned(b *strings.Builder, header []string, rows [][]string, align string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
}

// mdText escapes what Markdown would read as markup in a table or a line.
var mdText = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", "`", "\\`").Replace

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func percentOrNil(v *float64) string {
	if v == nil {
		return ""
	}
	return percent(v)
}

func bytesOrDash(v *float64) string {
	if v == nil {
		return "–"
	}
	return bytesLabel(*v)
}
