package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"
)

// vegeta.bin holds every exchange of a live run, one attack per client,
// and vegeta's own decoder, reporter and plot read it as they read what
// vegeta attack writes.
func TestVegetaReadsTheResults(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 2m
drain: 10s
store:
  arrivals: {process: poisson, rate: 1/s}
clients:
  - {name: fleet, count: 2, poll: {interval: 5s}}
  - {name: backoff, poll: {adaptive: {min: 2s, max: 20s}}}
  - {name: hook, webhook: {}}
`)
	var bin bytes.Buffer
	res, err := Run(context.Background(), sc, Options{Speedup: 20, Vegeta: &bin})
	require.NoError(t, err)

	dec := vegeta.DecoderFor(bytes.NewReader(bin.Bytes())) // as vegeta report and vegeta plot open a file
	require.NotNil(t, dec, "vegeta recognises the encoding")
	var metrics vegeta.Metrics
	p := plot.New(plot.Title("pushpull"))
	codes := map[string]map[string]int64{}
	var n int64
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		n++
		assert.False(t, r.Timestamp.IsZero())
		assert.Nil(t, r.Body, "no bodies")
		metrics.Add(&r)
		require.NoError(t, p.Add(&r))
		if codes[r.Attack] == nil {
			codes[r.Attack] = map[string]int64{}
		}
		code := strconv.Itoa(int(r.Code))
		if r.Code == 0 {
			code = "error"
		}
		codes[r.Attack][code]++
	}
	metrics.Close()
	p.Close()
	assert.Equal(t, res.HTTP.Exchanges, n, "every exchange, once")
	for _, c := range res.HTTP.Clients {
		assert.Equal(t, c.Status, codes[c.Name], "%s: one attack per client, with the statuses the run counted", c.Name)
	}
	var report bytes.Buffer
	require.NoError(t, vegeta.NewTextReporter(&metrics).Report(&report))
	assert.Contains(t, report.String(), "Requests")
	assert.Equal(t, uint64(n), metrics.Requests)

	var html bytes.Buffer
	_, err = p.WriteTo(&html)
	require.NoError(t, err)
	for _, name := range []string{"fleet", "backoff", "hook"} {
		assert.True(t, strings.Contains(html.String(), `"`+name+`: OK"`), "the plot has a series for %s", name)
	}
}
