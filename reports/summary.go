package reports

import (
	"fmt"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// summary writes summary.md: the verdict and the per-client tables in
// Markdown, for pasting into a design document, with links to the charts.
func summary(res *metrics.Results, charts []*Chart) []byte {
	var b strings.Builder
	sc := res.Scenario
	fmt.Fprintf(&b, "# %s\n\n", mdText(sc.Name))
	if sc.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", mdText(sc.Description))
	}
	fmt.Fprintf(&b, "%s\n\n", runLine(res))
	v := judge(res)
	for _, w := range v.warnings {
		fmt.Fprintf(&b, "> **Warning.** %s\n\n", mdText(w))
	}
	b.WriteString("## Verdict\n\n")
	for _, s := range v.sentences {
		fmt.Fprintf(&b, "- %s\n", mdText(s))
	}
	b.WriteString("\n")
	rows := make([][]string, len(v.rows))
	for i, row := range v.rows {
		for _, c := range row {
			text := mdText(c.Text)
			if c.Best {
				text = "**" + text + "**"
			}
			rows[i] = append(rows[i], text)
		}
	}
	mdTable(&b, v.header, rows, 2)
	b.WriteString("\nBold marks the best value of each column.\n")

	b.WriteString("\n## Latency\n\n")
	rows = nil
	for _, c := range res.Clients {
		l := c.Latency
		if l.Count == 0 {
			rows = append(rows, []string{mdText(c.Name), "0", "–", "–", "–", "–", "–", "–"})
			continue
		}
		rows = append(rows, []string{mdText(c.Name), Count(l.Count), latency(l.MeanS), latency(l.P50S), latency(l.P90S), latency(l.P99S), latency(l.P999S), latency(l.MaxS)})
	}
	mdTable(&b, []string{"client", "delivered", "mean", "p50", "p90", "p99", "p99.9", "max"}, rows, 1)

	b.WriteString("\n## Cost\n\n")
	rows = nil
	for _, c := range res.Clients {
		rows = append(rows, []string{mdText(c.Name), Count(c.Requests.Total), perHour(3600 * c.Requests.PerS), fixed(c.RequestsPerDelivered, 2),
			wasted(c.Wasted), orDash(byName(c.Wasted.ByReason)), orDash(percentOrNil(c.EmptyPollFraction)), bytesOrDash(c.Bytes.PerDelivered)})
	}
	mdTable(&b, []string{"client", "requests", "requests/h", "req/event", "wasted", "wasted by reason", "empty polls", "bytes/event"}, rows, 1)

	b.WriteString("\n## Loss\n\n")
	rows = nil
	for _, c := range res.Clients {
		rows = append(rows, []string{mdText(c.Name), Count(c.Emitted), dropped(c.Dropped), orDash(byName(c.Dropped.ByCause)), Count(c.Duplicates), Count(c.OutOfOrder), Count(c.InFlight)})
	}
	mdTable(&b, []string{"client", "emitted", "dropped", "by cause", "duplicates", "out of order", "in flight"}, rows, 1)

	writeChartLinks(&b, charts)
	return []byte(b.String())
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
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < left {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
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
