package scenario

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	docFile     = "../../docs/scenarios.md"
	beginMarker = "<!-- BEGIN GENERATED REFERENCE: go test ./sim/scenario -run TestReferenceIsCurrent -update -->\n"
	endMarker   = "<!-- END GENERATED REFERENCE -->"
)

// splitDoc cuts doc into the text up to and including the begin marker, the
// generated reference, and the text from the end marker on.
func splitDoc(doc string) (head, generated, tail string, err error) {
	i := strings.Index(doc, beginMarker)
	j := strings.Index(doc, endMarker)
	if i < 0 || j < i {
		return "", "", "", errors.New("the generated reference's markers are missing or out of order")
	}
	i += len(beginMarker)
	return doc[:i], doc[i:j], doc[j:], nil
}

// TestReferenceIsCurrent keeps the generated part of docs/scenarios.md equal
// to Reference, set off by a blank line on each side.
func TestReferenceIsCurrent(t *testing.T) {
	src, err := os.ReadFile(docFile)
	require.NoError(t, err)
	head, generated, tail, err := splitDoc(string(src))
	require.NoError(t, err, docFile)
	want := "\n" + Reference() + "\n"
	if *update {
		require.NoError(t, os.WriteFile(docFile, []byte(head+want+tail), 0o644))
		return
	}
	if generated != want {
		diff := firstDifference(string(src), head+want+tail)
		t.Errorf("the reference in %s is out of date (%s); regenerate it with: go test ./sim/scenario -run TestReferenceIsCurrent -update", docFile, diff)
	}
}

func TestReferenceListsEveryField(t *testing.T) {
	t.Parallel()
	ref := Reference()
	for _, sec := range sections() {
		if sec.path != "" {
			assert.Contains(t, ref, "### `"+sec.path+"`")
		}
		for _, f := range fieldsOf(sec.typ) {
			assert.Contains(t, ref, "| `"+f.name+"` | "+typeText(sec.path, sec.typ, f)+" |", "%s %s", sec.path, f.name)
			assert.Contains(t, ref, cell(strings.TrimPrefix(f.doc, "Required. ")), "%s %s", sec.path, f.name)
		}
	}
	for _, name := range PresetNames() {
		assert.Contains(t, ref, "| `"+name+"` |")
	}
	assert.Equal(t, ref, Reference(), "Reference is not deterministic")
}

func TestReferenceTypeText(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"duration":                                  "duration (Go syntax: 300ms, 10s, 168h)",
		"seed":                                      "whole number, 0 or more",
		"clients":                                   "list of mappings, see `clients[]`",
		"network.latency":                           "latency distribution",
		"store.arrivals.process":                    "one of poisson, constant, replay",
		"store.arrivals.rate":                       "rate with unit (50/h)",
		"store.api":                                 "mapping, see `store.api`",
		"store.webhooks.retry.preset":               "one of " + strings.Join(PresetNames(), ", "),
		"store.webhooks.retry.delays":               "list of durations (Go syntax: 300ms, 10s, 168h)",
		"store.webhooks.retry.jitter":               "number",
		"clients[].poll.paging":                     "true/false",
		"clients[].name":                            "text",
		"clients[].outages":                         "list of mappings, see `clients[].outages[]`",
		"store.webhooks.retry.exponential":          "mapping, see `store.webhooks.retry.exponential`",
		"store.webhooks.retry.exponential.attempts": "whole number",
	}
	got := map[string]string{}
	for _, sec := range sections() {
		for _, f := range fieldsOf(sec.typ) {
			got[joinPath(sec.path, f.name)] = typeText(sec.path, sec.typ, f)
		}
	}
	for path, w := range want {
		assert.Equal(t, w, got[path], "typeText of %s", path)
	}
}

// fence is a fenced code block of a Markdown file.
type fence struct {
	info string // what follows the opening ```
	text string
}

func fences(doc string) []fence {
	var out []fence
	var cur *fence
	for line := range strings.Lines(doc) {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fence{info: strings.TrimSpace(strings.TrimPrefix(line, "```"))}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line
		}
	}
	return out
}

// TestReferenceDocExamples checks the scenarios shown in docs/scenarios.md:
// each parses and matches the schema, except the one whose problems the page
// shows, which must give exactly those problems.
func TestReferenceDocExamples(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(docFile)
	require.NoError(t, err)
	sch := compileSchema(t)
	blocks := fences(string(src))
	scenarios := 0
	for i, b := range blocks {
		if b.info != "yaml" || !strings.Contains(b.text, "\nclients:") {
			continue
		}
		scenarios++
		const shown = "$ pushpull validate bad.yaml\n"
		if i+1 < len(blocks) && strings.HasPrefix(blocks[i+1].text, shown) {
			lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(blocks[i+1].text, shown), "\n"), "\n")
			require.Greater(t, len(lines), 1)
			_, err := Parse("bad.yaml", []byte(b.text))
			require.Error(t, err)
			assert.Equal(t, strings.Join(lines[:len(lines)-1], "\n"), err.Error(), "the problems docs/scenarios.md shows")
			continue
		}
		_, err := Parse("example.yaml", []byte(b.text))
		assert.NoError(t, err, "example:\n%s", b.text)
		assert.NoError(t, sch.Validate(yamlToJSON(t, []byte(b.text))), "example:\n%s", b.text)
	}
	assert.GreaterOrEqual(t, scenarios, 2, "scenarios found in %s", docFile)
}
