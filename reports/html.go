package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"regexp"
	"strconv"

	"github.com/pushpull/pushpull/sim/metrics"
)

//go:embed report.html.tmpl
var pageText string

var pageTemplate = template.Must(template.New("report").Parse(pageText))

// page is what report.html shows, in order: the verdict, the charts, then
// the scenario.
type page struct {
	Title, Description, RunLine string
	Warnings, Sentences         []string
	Header                      []string
	Left                        int // columns of the verdict table aligned left
	Rows                        []row
	TableNote                   string
	Model                       *modelPart // what theory predicted; nil when the results carry no model
	Charts                      []figure
	Facts                       []fact
	Source                      string
}

// figure is one chart of the page, its SVG inline.
type figure struct {
	Name, Title, Caption string
	Notes                []string
	SVG                  template.HTML
}

// fact is one line of the scenario section.
type fact struct{ Label, Value string }

// svgProlog matches what a standalone SVG starts with but an inline one
// must not: the XML declaration, the comment, and a fixed size in points.
var (
	svgProlog = regexp.MustCompile(`(?s)^<\?xml[^>]*\?>\s*(<!--.*?-->\s*)?`)
	svgSize   = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
)

// inlineSVG turns a chart's SVG document into an element for the page,
// which scales it to the page's width.
func inlineSVG(doc []byte, title string) template.HTML {
	s := svgProlog.ReplaceAllString(string(doc), "")
	s = svgSize.ReplaceAllString(s, `<svg role="img" aria-label="`+template.HTMLEscapeString(title)+`"`)
	return template.HTML(s) // drawn by this package: no outside text but the escaped title
}

// html renders report.html.
func html(p page) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("writing report.html: %w", err)
	}
	return b.Bytes(), nil
}

// runFacts are the scenario and run lines of a run's report.
func runFacts(res *metrics.Results) []fact {
	sc, run := res.Scenario, res.Run
	facts := []fact{{"name", sc.Name}}
	if sc.File != "" {
		facts = append(facts, fact{"file", sc.File})
	}
	if sc.SHA256 != "" {
		facts = append(facts, fact{"sha256", sc.SHA256})
	}
	facts = append(facts,
		fact{"duration", seconds(sc.DurationS) + " of events, then " + seconds(sc.DrainS) + " of drain"},
		fact{"seed", strconv.FormatUint(run.Seed, 10)},
		fact{"runner", run.Runner + ", " + Count(run.Events) + " simulated events"},
		fact{"built with", run.GoVersion + ", GOMAXPROCS " + strconv.Itoa(run.GOMAXPROCS)},
	)
	for _, c := range res.Clients {
		v := c.Strategy
		for _, o := range c.Outages {
			v += fmt.Sprintf("; down (%s) from %s for %s", o.Mode, seconds(o.AtS), seconds(o.ForS))
		}
		facts = append(facts, fact{"client " + c.Name, v})
	}
	return facts
}
