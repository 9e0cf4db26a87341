package reports

import (
	"bytes"
	"encoding/csv"
	"maps"
	"slices"
	"strconv"

	"github.com/pushpull/pushpull/sim/metrics"
)

// clientsCSV writes clients.csv: a row per client, a column per named
// metric (docs/metrics.md), then what the model expected of each metric it
// may predict and the tolerance; an empty cell where there is no value.
func clientsCSV(res *metrics.Results) ([]byte, error) {
	header := []string{"client", "strategy", "emitted"}
	ms := metrics.Metrics()
	for _, m := range ms {
		header = append(header, m.Name)
	}
	predicted := expectedColumns(res)
	header = append(header, expectedHeader(predicted)...)
	rows := [][]string{header}
	for i := range res.Clients {
		c := &res.Clients[i]
		row := []string{c.Name, c.Strategy, strconv.FormatInt(c.Emitted, 10)}
		row = append(row, metricCells(c, ms)...)
		row = append(row, expectedCells(c, res.Scenario.DurationS, predicted)...)
		rows = append(rows, row)
	}
	return writeCSV(rows)
}

// modelledMetrics are the metrics the models may predict (docs/models.md),
// and those that are a fixed multiple of one (scaledMetrics): the CSV files
// give each of them an expected and a tolerance column, whether or not a
// client of the run has a prediction, so that every run's files have the
// same columns.
var modelledMetrics = []string{
	"mean_latency_s", "p50_latency_s", "p90_latency_s", "p99_latency_s",
	"requests", "requests_per_s", "requests_per_hour", "requests_per_delivered_event",
	"wasted_fraction", "empty_poll_fraction", "dropped", "dropped_rate", "duplicates", "out_of_order",
	"fresh_fraction", "mean_age_s", "mean_unseen",
}

// expectedColumns are the metrics of the expected columns: modelledMetrics
// in the order of metrics.Metrics, then any other metric a client of the
// results has a prediction of.
func expectedColumns(results ...*metrics.Results) []string {
	set := map[string]bool{}
	for _, name := range modelledMetrics {
		set[name] = true
	}
	for _, res := range results {
		for _, c := range res.Clients {
			if c.Model != nil {
				for name := range c.Model.Expected {
					set[name] = true
				}
			}
		}
	}
	var names []string
	for _, name := range metrics.MetricNames() {
		if set[name] {
			names = append(names, name)
			delete(set, name)
		}
	}
	return append(names, slices.Sorted(maps.Keys(set))...)
}

// expectedHeader names the expected columns: NAME_expected and
// NAME_tolerance for each metric.
func expectedHeader(names []string) []string {
	var header []string
	for _, name := range names {
		header = append(header, name+"_expected", name+"_tolerance")
	}
	return header
}

// expectedCells are what the model expected of each metric for c, and the
// tolerance, exact; empty where it predicted nothing.
func expectedCells(c *metrics.ClientResults, durationS float64, names []string) []string {
	cells := make([]string, 0, 2*len(names))
	for _, name := range names {
		if e, ok := expectedOf(c, durationS, name); ok {
			cells = append(cells, number(e.Value), number(e.Tolerance))
		} else {
			cells = append(cells, "", "")
		}
	}
	return cells
}

// metricCells is the value of each metric for c, exact, or "" when it has
// none.
func metricCells(c *metrics.ClientResults, ms []metrics.Metric) []string {
	cells := make([]string, len(ms))
	for i, m := range ms {
		if v, ok := m.Of(c); ok {
			cells[i] = number(v)
		}
	}
	return cells
}

// timelineCSV writes timeline.csv: a row per bucket of the run, with the
// events emitted and each client's requests, deliveries and drops.
func timelineCSV(res *metrics.Results) ([]byte, error) {
	header := []string{"from_s", "to_s", "emitted"}
	for _, c := range res.Clients {
		header = append(header, c.Name+" requests", c.Name+" deliveries", c.Name+" drops")
	}
	rows := [][]string{header}
	w := res.Timeline.BucketS
	at := func(counts []int64, i int) string {
		if i < len(counts) {
			return strconv.FormatInt(counts[i], 10)
		}
		return ""
	}
	for i := range res.Timeline.Emitted {
		row := []string{number(float64(i) * w), number(float64(i+1) * w), at(res.Timeline.Emitted, i)}
		for _, c := range res.Clients {
			row = append(row, at(c.Timeline.Requests, i), at(c.Timeline.Deliveries, i), at(c.Timeline.Drops, i))
		}
		rows = append(rows, row)
	}
	return writeCSV(rows)
}

func writeCSV(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// number writes v exactly, as the shortest decimal that reads back as v,
// without an exponent, which spreadsheets misread.
func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
