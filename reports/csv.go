package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/pushpull/pushpull/sim/metrics"
)

// clientsCSV writes clients.csv: a row per client, a column per named
// metric (docs/metrics.md), an empty cell where a metric has no value.
func clientsCSV(res *metrics.Results) ([]byte, error) {
	header := []string{"client", "strategy", "emitted"}
	ms := metrics.Metrics()
	for _, m := range ms {
		header = append(header, m.Name)
	}
	rows := [][]string{header}
	for i := range res.Clients {
		c := &res.Clients[i]
		row := []string{c.Name, c.Strategy, strconv.FormatInt(c.Emitted, 10)}
		row = append(row, metricCells(c, ms)...)
		rows = append(rows, row)
	}
	return writeCSV(rows)
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
