package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pushpull/pushpull/reports"
	"github.com/pushpull/pushpull/sim/metrics"
)

const reportUsage = `Usage: pushpull report FILE [-out DIR] [-metrics a,b,...]

Renders the report of a finished run again from its results.json, or of a
sweep from its sweep.json, without running anything: report.html (open it
in a browser), summary.md, the charts as PNG and SVG, and CSV files. They go
beside FILE unless -out names another folder. docs/reports.md describes them.

Examples:
  pushpull report out/ecommerce-orders/results.json
  pushpull report out/ecommerce-orders/sweep/sweep.json
  pushpull report out/ecommerce-orders/sweep/sweep.json -metrics p99_latency_s,empty_poll_fraction
  pushpull report results.json -out /tmp/report
`

func reportCommand(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("report", reportUsage, stdout)
	outDir := fs.String("out", "", "folder to write the report to (default: FILE's folder)")
	chartMetrics := fs.String("metrics", "", "comma-separated `names` of the metrics a sweep charts against the field")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	names, err := metricNames(*chartMetrics)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("report takes one results.json or sweep.json, got %d (pushpull report -h)", len(files))
	}
	dir := *outDir
	if dir == "" {
		dir = filepath.Dir(files[0])
	}
	doc, err := readOutput(files[0])
	if err != nil {
		return err
	}
	if names != nil && doc.sweep == nil {
		return usageErrorf("-metrics chooses the charts of a sweep; %s is the results of one run", files[0])
	}
	var out []reports.File
	switch {
	case doc.sweep != nil:
		out, err = reports.RenderSweep(doc.sweep, reports.Options{Source: scenarioSource(doc.sweep.Scenario), Metrics: names})
	default:
		out, err = reports.Render(doc.results, reports.Options{Source: scenarioSource(doc.results.Scenario)})
	}
	if err != nil {
		return fmt.Errorf("rendering %s: %w", files[0], err)
	}
	if err := writeReport(dir, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, "report.html"))
	return nil
}

// output is a results.json or a sweep.json, whichever a file holds.
type output struct {
	results *metrics.Results
	sweep   *metrics.Sweep
}

// readOutput reads a results.json or sweep.json. Anything else, or a file
// of a format version this pushpull does not know, is a usage error that
// names the file.
func readOutput(path string) (output, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return output{}, usageErrorf("reading results: %v", err)
	}
	var head struct {
		Schema  string `json:"schema"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return output{}, usageErrorf("%s is not a results.json or sweep.json: %v", path, jsonError(data, err))
	}
	switch head.Schema {
	case metrics.Schema:
		if head.Version != metrics.Version {
			return output{}, usageErrorf("%s is results.json version %d; this pushpull reads version %d", path, head.Version, metrics.Version)
		}
		var res metrics.Results
		if err := json.Unmarshal(data, &res); err != nil {
			return output{}, usageErrorf("%s is not a valid results.json: %v", path, jsonError(data, err))
		}
		if err := checkResults(&res); err != nil {
			return output{}, usageErrorf("%s is not a valid results.json: %v", path, err)
		}
		return output{results: &res}, nil
	case metrics.SweepSchema:
		if head.Version != metrics.SweepVersion {
			return output{}, usageErrorf("%s is sweep.json version %d; this pushpull reads version %d", path, head.Version, metrics.SweepVersion)
		}
		var sw metrics.Sweep
		if err := json.Unmarshal(data, &sw); err != nil {
			return output{}, usageErrorf("%s is not a valid sweep.json: %v", path, jsonError(data, err))
		}
		if err := checkSweep(&sw); err != nil {
			return output{}, usageErrorf("%s is not a valid sweep.json: %v", path, err)
		}
		return output{sweep: &sw}, nil
	case "":
		return output{}, usageErrorf(`%s is not a results.json or sweep.json: it has no "schema" field`, path)
	default:
		return output{}, usageErrorf("%s holds %q, not pushpull results (%s) or a sweep (%s)", path, head.Schema, metrics.Schema, metrics.SweepSchema)
	}
}

// readResults reads a results.json, refusing a sweep.json.
func readResults(path string) (*metrics.Results, error) {
	doc, err := readOutput(path)
	if err != nil {
		return nil, err
	}
	if doc.results == nil {
		return nil, usageErrorf("%s is a sweep; give the results.json of a single run", path)
	}
	return doc.results, nil
}

// checkResults rejects results whose parts do not fit together, so that a
// hand-edited file gives an error rather than a broken report.
func checkResults(res *metrics.Results) error {
	names := map[string]bool{}
	for i, c := range res.Clients {
		if c.Name == "" {
			return fmt.Errorf("clients[%d] has no name", i)
		}
		if names[c.Name] {
			return fmt.Errorf("two clients are named %q", c.Name)
		}
		names[c.Name] = true
		n := len(res.Timeline.Emitted)
		if len(c.Timeline.Requests) > n || len(c.Timeline.Deliveries) > n || len(c.Timeline.Drops) > n {
			return fmt.Errorf("the timeline of client %q has more buckets than the run's (%d)", c.Name, n)
		}
	}
	if len(res.Timeline.Emitted) > 0 && !(res.Timeline.BucketS > 0) {
		return fmt.Errorf("timeline.bucket_s must be positive, got %v", res.Timeline.BucketS)
	}
	return nil
}

func checkSweep(sw *metrics.Sweep) error {
	if len(sw.Axes) == 0 || len(sw.Axes) > 2 {
		return fmt.Errorf("a sweep has one or two axes, got %d", len(sw.Axes))
	}
	for k, a := range sw.Axes {
		if len(a.Values) == 0 {
			return fmt.Errorf("axes[%d] (%s) has no values", k, a.Set)
		}
		if len(a.Numbers) != 0 && len(a.Numbers) != len(a.Values) {
			return fmt.Errorf("axes[%d] (%s) has %d numbers for %d values", k, a.Set, len(a.Numbers), len(a.Values))
		}
	}
	for i, p := range sw.Points {
		if len(p.Values) != len(sw.Axes) {
			return fmt.Errorf("points[%d] has %d values for %d axes", i, len(p.Values), len(sw.Axes))
		}
		for k, v := range p.Values {
			if !slices.Contains(sw.Axes[k].Values, v) {
				return fmt.Errorf("points[%d].values[%d] %q is not one of axes[%d].values", i, k, v, k)
			}
		}
		if p.Results == nil {
			return fmt.Errorf("points[%d] has no results", i)
		}
		if err := checkResults(p.Results); err != nil {
			return fmt.Errorf("points[%d]: %w", i, err)
		}
	}
	return nil
}

// jsonError says where in data a JSON error is, as line:column.
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var offset int64
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return err
	}
	before := data[:min(int(offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// scenarioSource is the text of the scenario file a run read, when it is
// still there unchanged, for the end of the report; nil otherwise.
func scenarioSource(sc metrics.ScenarioInfo) []byte {
	if sc.File == "" || sc.SHA256 == "" {
		return nil
	}
	src, err := os.ReadFile(sc.File)
	if err != nil || fmt.Sprintf("%x", sha256.Sum256(src)) != sc.SHA256 {
		return nil
	}
	return src
}

// writeReport writes a report's files under dir. The charts folder is
// emptied first, so that no chart of an earlier report lingers.
func writeReport(dir string, files []reports.File) error {
	if err := os.RemoveAll(filepath.Join(dir, "charts")); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if strings.Contains(f.Path, "..") {
			return fmt.Errorf("writing the report: bad file name %q", f.Path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	}
	return nil
}
