package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
)

// modelPart is what a report says of a run, or of every point of a sweep,
// against what theory predicts (docs/models.md): how many predicted figures
// the measurements bore out, each one they did not, and what has no closed
// form.
type modelPart struct {
	Lead    string   // how many predicted figures are within tolerance
	Header  []string // of Outside
	Left    int      // columns of Outside aligned left: the point's values, client and metric
	Outside [][]cell // a row per figure measured outside its tolerance: …, measured, expected, model
	More    string   // says how many rows Outside leaves out, if any
	Missing []string // what has no closed form, and for whom: a sentence each

	// Every predicted figure of a run, for the page to show on request.
	FiguresHeader []string
	Figures       [][]cell
}

// maxOutsideRows is how many figures outside tolerance a sweep's report
// lists; points.csv has every one.
const maxOutsideRows = 20

// tally counts predicted figures by what the measurement made of them.
type tally struct{ within, outside, unmeasured int }

func (t *tally) add(e metrics.Expected) {
	switch {
	case e.Measured == nil:
		t.unmeasured++
	case e.Within:
		t.within++
	default:
		t.outside++
	}
}

// lead says how many predicted figures are within tolerance, of where.
func (t tally) lead(where string) string {
	measured := t.within + t.outside
	var s string
	switch {
	case measured+t.unmeasured == 0:
		return "The model predicts none of the figures " + where + "."
	case t.outside == 0:
		s = fmt.Sprintf("All %s predicted figures %s are within the model's tolerance.", Count(int64(measured)), where)
		if measured == 1 {
			s = fmt.Sprintf("The one predicted figure %s is within the model's tolerance.", where)
		}
	default:
		s = fmt.Sprintf("%s of %s predicted figures %s are within the model's tolerance; %s %s not.",
			Count(int64(t.within)), Count(int64(measured)), where, Count(int64(t.outside)), plural(t.outside, "is", "are"))
	}
	if t.unmeasured > 0 {
		s += fmt.Sprintf(" %s more %s no measured value.", Count(int64(t.unmeasured)), plural(t.unmeasured, "has", "have"))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// hasModel reports whether any client of res carries what the model
// expected: results written before pushpull compared runs with theory do
// not.
func hasModel(res *metrics.Results) bool {
	return slices.ContainsFunc(res.Clients, func(c metrics.ClientResults) bool { return c.Model != nil })
}

// figureCells are a predicted figure's measured value, expected value and
// tolerance, in the metric's unit.
func figureCells(name string, e metrics.Expected) (measured, expected, tolerance string) {
	unit := metrics.UnitOf(name)
	measured = "–"
	if e.Measured != nil {
		measured = InUnit(*e.Measured, unit)
	}
	return measured, InUnit(e.Value, unit), ToleranceIn(e.Tolerance, unit)
}

// judgeModel is the model part of a run's verdict, or nil when the results
// carry no model.
func judgeModel(res *metrics.Results) *modelPart {
	if !hasModel(res) {
		return nil
	}
	mp := &modelPart{
		Header:        []string{"client", "metric", "measured", "expected", "model"},
		Left:          2,
		FiguresHeader: []string{"client", "metric", "measured", "expected", "tolerance", ""},
	}
	var t tally
	var missing []missingNote
	for _, c := range res.Clients {
		if c.Model == nil {
			continue
		}
		for _, name := range expectedNames(c.Model) {
			e := c.Model.Expected[name]
			t.add(e)
			measured, expected, tol := figureCells(name, e)
			verdict := ""
			switch {
			case e.Measured == nil:
				verdict = "not measured"
			case !e.Within:
				verdict = "outside"
				mp.Outside = append(mp.Outside, outsideRow(nil, c, name, measured, plusMinus(expected, tol, e.Tolerance == 0)))
			}
			mp.Figures = append(mp.Figures, []cell{
				{Text: c.Name}, {Text: name},
				{Text: measured, Num: true, Outside: isOutside(e)}, {Text: expected, Num: true}, {Text: "± " + tol, Num: true},
				{Text: verdict},
			})
		}
		if text := strings.TrimSuffix(c.Model.Missing, "."); text != "" {
			missing = addMissing(missing, text, c.Name)
		}
	}
	mp.Lead = t.lead("of this run")
	for _, m := range missing {
		mp.Missing = append(mp.Missing, joinNames(m.who)+": "+sentenceEnd(m.text))
	}
	return mp
}

// outsideRow is the row of a figure measured outside its tolerance: the
// point's values (none for a run), the client, the metric, the measured and
// expected values, and the closed forms the expectation came from.
func outsideRow(values []string, c metrics.ClientResults, metric, measured, expected string) []cell {
	var r []cell
	for _, v := range values {
		r = append(r, cell{Text: v})
	}
	return append(r, cell{Text: c.Name}, cell{Text: metric},
		cell{Text: measured, Num: true, Outside: true}, cell{Text: expected, Num: true}, cell{Text: c.Model.Basis})
}

// missingNote is one reason the model gives for predicting nothing, and
// whom it applies to.
type missingNote struct {
	text string
	who  []string
}

// addMissing adds who to the note of text, in the order notes first
// appear.
func addMissing(notes []missingNote, text, who string) []missingNote {
	i := slices.IndexFunc(notes, func(n missingNote) bool { return n.text == text })
	if i < 0 {
		return append(notes, missingNote{text: text, who: []string{who}})
	}
	if !slices.Contains(notes[i].who, who) {
		notes[i].who = append(notes[i].who, who)
	}
	return notes
}

// sentenceEnd ends text with a full stop unless it has one.
func sentenceEnd(text string) string {
	if strings.HasSuffix(text, ".") {
		return text
	}
	return text + "."
}

// judgeSweepModel is the model part of a sweep's verdict, over every point,
// or nil when no point carries a model.
func judgeSweepModel(sw *metrics.Sweep) *modelPart {
	if !slices.ContainsFunc(sw.Points, func(p metrics.SweepPoint) bool { return hasModel(p.Results) }) {
		return nil
	}
	mp := &modelPart{Left: len(sw.Axes) + 2}
	for _, a := range sw.Axes {
		mp.Header = append(mp.Header, lastKey(a.Set))
	}
	mp.Header = append(mp.Header, "client", "metric", "measured", "expected", "model")
	var t tally
	outside := 0
	// For each reason, the points at which each client has it.
	type reason struct {
		text    string
		clients []string
		at      map[string][]string
	}
	var reasons []*reason
	for _, p := range sw.Points {
		for _, c := range p.Results.Clients {
			if c.Model == nil {
				continue
			}
			for _, name := range expectedNames(c.Model) {
				e := c.Model.Expected[name]
				t.add(e)
				if !isOutside(e) {
					continue
				}
				if outside++; outside > maxOutsideRows {
					continue
				}
				measured, expected, tol := figureCells(name, e)
				mp.Outside = append(mp.Outside, outsideRow(p.Values, c, name, measured, plusMinus(expected, tol, e.Tolerance == 0)))
			}
			if text := strings.TrimSuffix(c.Model.Missing, "."); text != "" {
				i := slices.IndexFunc(reasons, func(r *reason) bool { return r.text == text })
				if i < 0 {
					reasons = append(reasons, &reason{text: text, at: map[string][]string{}})
					i = len(reasons) - 1
				}
				r := reasons[i]
				if _, ok := r.at[c.Name]; !ok {
					r.clients = append(r.clients, c.Name)
				}
				r.at[c.Name] = append(r.at[c.Name], p.Label())
			}
		}
	}
	if outside > maxOutsideRows {
		mp.More = fmt.Sprintf("… and %s more: points.csv has every expected value beside the measured one.", Count(int64(outside-maxOutsideRows)))
	}
	mp.Lead = t.lead(fmt.Sprintf("over the %s points", Count(int64(len(sw.Points)))))
	if len(sw.Points) == 1 {
		mp.Lead = t.lead("at the sweep's one point")
	}
	for _, r := range reasons {
		// Clients with the reason at the same points are named together.
		var groups []missingNote
		for _, name := range r.clients {
			where := "at every point"
			if at := r.at[name]; len(at) < len(sw.Points) {
				where = "at " + joinNames(at)
			}
			groups = addMissing(groups, where, name)
		}
		var parts []string
		for _, g := range groups {
			parts = append(parts, joinNames(g.who)+" "+g.text)
		}
		mp.Missing = append(mp.Missing, sentenceCase(r.text)+" ("+strings.Join(parts, "; ")+").")
	}
	return mp
}
