package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/cmpimg"

	"github.com/pushpull/pushpull/sim/metrics"
)

// sixClients is the results of testdata/six-clients.yaml: four pollers
// from 1 s to 5 min, one down longer than the store keeps events, and two
// webhook receivers with outages, one of which loses events. Rewrite it
// with: pushpull run reports/testdata/six-clients.yaml -out /tmp/x and a
// copy of /tmp/x/six-clients/results.json.
func sixClients(t testing.TB) *metrics.Results {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "six-clients.results.json"))
	require.NoError(t, err)
	var res metrics.Results
	require.NoError(t, json.Unmarshal(data, &res))
	return &res
}

// goldenFile compares got with testdata/golden/name, or writes it with
// -update. PNGs are compared as images, within 1 %: their bytes differ
// between CPUs.
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "go test ./reports -update creates %s", path)
	if strings.HasSuffix(name, ".png") {
		same, err := cmpimg.EqualApprox("png", want, got, 0.01)
		require.NoError(t, err)
		assert.True(t, same, "%s differs from the golden image; go test ./reports -update rewrites it after a deliberate change", path)
		return
	}
	assert.Equal(t, string(want), string(got), "%s is stale: go test ./reports -update rewrites it after a deliberate change", path)
}

func files(t *testing.T, fs []File) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range fs {
		_, dup := out[f.Path]
		require.False(t, dup, "two files named %s", f.Path)
		out[f.Path] = f.Data
	}
	return out
}

func TestRenderWritesEveryFile(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	got, err := Render(res, Options{})
	require.NoError(t, err)
	byName := files(t, got)
	want := []string{"report.html", "summary.md", "clients.csv", "timeline.csv"}
	for _, ch := range []string{"latency-cdf", "latency-percentiles", "cost", "loss", "timeline"} {
		want = append(want, "charts/"+ch+".svg", "charts/"+ch+".png")
	}
	for _, name := range want {
		assert.NotEmpty(t, byName[name], name)
	}
	assert.Len(t, byName, len(want))

	// Byte-exact goldens of everything but the PNGs, which are compared as
	// images.
	for _, name := range want {
		if name == "report.html" {
			goldenFile(t, "six-clients/report.outline", []byte(outline(string(byName[name]))))
			continue
		}
		goldenFile(t, "six-clients/"+name, byName[name])
	}
}

// The same results render the same files, byte for byte.
func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := render(sixClients(t), Options{}, false)
	require.NoError(t, err)
	b, err := render(sixClients(t), Options{}, false)
	require.NoError(t, err)
	require.Equal(t, len(a), len(b))
	for i := range a {
		assert.Equal(t, a[i].Path, b[i].Path)
		assert.True(t, bytes.Equal(a[i].Data, b[i].Data), "%s differs between two renderings", a[i].Path)
	}
}

// The HTML opens from disk: no link to anything outside the file, every
// chart inline, the verdict first, then the charts, then the scenario.
func TestReportIsSelfContained(t *testing.T) {
	t.Parallel()
	got, err := render(sixClients(t), Options{Source: []byte("name: six-clients\n")}, false)
	require.NoError(t, err)
	page := string(files(t, got)["report.html"])
	for _, ref := range []string{"http://", "https://", "src=", "<link", "@import", "url("} {
		withoutSVGNamespaces := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(page)
		assert.NotContains(t, withoutSVGNamespaces, ref, "report.html refers to something outside itself")
	}
	assert.Equal(t, 5, strings.Count(page, "<svg "), "every chart is inline")
	verdict, charts, sc := strings.Index(page, `id="verdict"`), strings.Index(page, `id="charts"`), strings.Index(page, `id="scenario"`)
	assert.True(t, verdict > 0 && verdict < charts && charts < sc, "verdict, then charts, then scenario")
	assert.Contains(t, page, "name: six-clients", "the scenario's text is shown")
	assert.NotContains(t, page, "<?xml", "inline SVGs lose their XML declaration")
}

// outline is the structure of an HTML page: one line per element, with its
// id, class and data-chart, each chart's SVG shown as <svg>.
func outline(page string) string {
	page = regexp.MustCompile(`(?s)<svg .*?</svg>`).ReplaceAllString(page, "<svg>")
	page = regexp.MustCompile(`(?s)<(style|script)>.*?</(style|script)>`).ReplaceAllString(page, "<$1>")
	tag := regexp.MustCompile(`<([a-z0-9]+)([^>]*)>`)
	attr := regexp.MustCompile(`\b(id|class|data-chart|data-charts)="([^"]*)"`)
	var b strings.Builder
	for _, m := range tag.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1])
		for _, a := range attr.FindAllStringSubmatch(m[2], -1) {
			b.WriteString(" " + a[1] + "=" + a[2])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Results that are empty or odd still render, with every chart present and
// no panic: a run interrupted at once, a client that delivered nothing,
// latencies of 0, no timeline, no clients at all.
func TestRenderHandlesOddResults(t *testing.T) {
	t.Parallel()
	zero := sixClients(t)
	for i := range zero.Clients {
		c := &zero.Clients[i]
		for k := range c.Latency.Spectrum {
			c.Latency.Spectrum[k].ValueS = 0
		}
		c.Latency.P50S, c.Latency.P90S, c.Latency.P99S, c.Latency.MaxS, c.Latency.MeanS = 0, 0, 0, 0, 0
	}
	nothing := sixClients(t)
	for i := range nothing.Clients {
		c := &nothing.Clients[i]
		c.Delivered, c.Latency, c.RequestsPerDelivered, c.Bytes.PerDelivered = 0, metrics.Latency{Spectrum: []metrics.Percentile{}}, nil, nil
		c.Timeline = metrics.ClientTimeline{}
	}
	cases := map[string]*metrics.Results{
		"troubled":         troubled(),
		"zero latencies":   zero,
		"nothing received": nothing,
		"no clients":       {Scenario: metrics.ScenarioInfo{Name: "empty"}, Timeline: metrics.Timeline{BucketS: 60, Emitted: []int64{0, 0}}},
		"one bucket":       {Scenario: metrics.ScenarioInfo{Name: "short", DurationS: 1}, Run: metrics.RunInfo{SimulatedS: 1}, Timeline: metrics.Timeline{BucketS: 1, Emitted: []int64{3}}},
	}
	for name, res := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := render(res, Options{}, false)
			require.NoError(t, err)
			byName := files(t, got)
			assert.NotEmpty(t, byName["report.html"])
			assert.NotEmpty(t, byName["summary.md"])
			for path, data := range byName {
				if strings.HasSuffix(path, ".svg") {
					assert.NotContains(t, string(data), "NaN", "%s has a NaN coordinate", path)
					assert.NotContains(t, string(data), "Inf", "%s has an infinite coordinate", path)
				}
			}
		})
	}
	got, err := render(zero, Options{}, false)
	require.NoError(t, err)
	assert.Contains(t, string(files(t, got)["report.html"]), "cannot sit on a log axis", "clamped zeros are said")
	_, err = Render(nil, Options{})
	assert.Error(t, err)
}

// Charts say what they left out.
func TestChartNotes(t *testing.T) {
	t.Parallel()
	res := troubled()
	ch := latencyCDF(res)
	assert.Contains(t, strings.Join(ch.Notes, " "), "poll delivered nothing: it has no curve")
	cost := costBars(res)
	assert.Contains(t, strings.Join(cost.Notes, " "), "poll delivered nothing, so requests per delivered event has no value")
	assert.True(t, lossless(sixClients(t)) == false)
	assert.Len(t, RunCharts(troubled()), 4, "a run without a timeline has no timeline chart")
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	v := judge(sixClients(t))
	require.Len(t, v.sentences, 3)
	assert.Equal(t, "Fastest: poll-1s, 99 % of its events within 1.11s (p50 582ms). Slowest: webhook-hang, p99 27.6h.", v.sentences[0])
	assert.Contains(t, v.sentences[1], "Cheapest: poll-5m, 0.07 requests per delivered event")
	assert.Contains(t, v.sentences[2], "webhook-hang dropped 2,419 of 8,619 events (28.1%: retries_exhausted 2,419)")
	assert.Equal(t, "poll-1s", v.rows[0].Cells[0].Text)
	assert.True(t, v.rows[0].Cells[4].Best, "poll-1s has the best p99")
	assert.Contains(t, judge(troubled()).warnings[0], "interrupted")
}

// timeline.csv adds up to the run it splits into buckets: each row is one
// bucket wide, events created sum to the run's, and each client's
// deliveries to its own. (Requests do not: the timeline counts the drain's,
// the totals only the duration's.)
func TestTimelineCSVAddsUpToTheRun(t *testing.T) {
	t.Parallel()
	res := sixClients(t)
	files, err := render(res, Options{}, false)
	require.NoError(t, err)
	var data []byte
	for _, f := range files {
		if f.Path == "timeline.csv" {
			data = f.Data
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(rows), 1)
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	sum := func(name string) (total int64) {
		i, ok := col[name]
		require.True(t, ok, "timeline.csv has a column %q", name)
		for _, row := range rows[1:] {
			n, err := strconv.ParseInt(row[i], 10, 64)
			require.NoError(t, err, "%s: %q", name, row[i])
			total += n
		}
		return total
	}
	for _, row := range rows[1:] {
		from, err := strconv.ParseFloat(row[col["from_s"]], 64)
		require.NoError(t, err)
		to, err := strconv.ParseFloat(row[col["to_s"]], 64)
		require.NoError(t, err)
		assert.InDelta(t, res.Timeline.BucketS, to-from, 1e-9, "bucket from %v", from)
	}
	assert.Equal(t, res.Store.Emitted, sum("emitted"))
	for _, c := range res.Clients {
		assert.Equal(t, c.Delivered, sum(c.Name+" deliveries"), c.Name)
		assert.LessOrEqual(t, sum(c.Name+" drops"), c.Dropped.Total, c.Name)
		assert.GreaterOrEqual(t, sum(c.Name+" requests"), c.Requests.Total, c.Name)
	}
}
