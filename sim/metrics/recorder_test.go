package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestRecorder(clients ...string) *Recorder {
	cfg := Config{Duration: time.Hour, Resources: 2}
	for _, c := range clients {
		cfg.Clients = append(cfg.Clients, ClientConfig{Name: c, Strategy: "test", Polls: true})
	}
	return NewRecorder(cfg)
}

func TestHeldCountsFirstDeliveriesDuplicatesAndOrder(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("c")
	assert.True(t, r.Held(0, 2, 0, 0, 3*time.Second))
	assert.True(t, r.Held(0, 1, 0, 0, 5*time.Second), "first delivery of 1, below 2 of the same resource")
	assert.True(t, r.Held(0, 3, 1, 0, 1*time.Second))
	assert.False(t, r.Held(0, 2, 0, 0, 9*time.Second), "2 again")
	res, err := r.Results(ScenarioInfo{}, RunInfo{}, 3, []Tally{{}})
	require.NoError(t, err)
	c := res.Clients[0]
	assert.Equal(t, int64(3), c.Delivered)
	assert.Equal(t, int64(1), c.Duplicates)
	assert.Equal(t, int64(1), c.OutOfOrder)
	assert.Equal(t, int64(3), c.Latency.Count)
	assert.InDelta(t, 3.0, c.Latency.MeanS, 1e-12, "mean of 3 s, 5 s and 1 s")
	assert.Equal(t, 5.0, c.Latency.MaxS)
	assert.InDelta(t, 3.0, c.Latency.P50S, 0.03, "median within the histogram's 1 %")
	assert.True(t, res.Run.InvariantOK)
}

func TestRequestsCountOnlyInTheWindow(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("c")
	r.Sent(0, Poll, 10*time.Minute)
	r.Answered(0, Poll, 10*time.Minute, Outcome{Status: OK, BytesIn: 100, BytesOut: 50})
	r.Sent(0, Poll, 2*time.Hour) // during the drain
	r.Answered(0, Poll, 2*time.Hour, Outcome{Status: OK, BytesIn: 100, BytesOut: 50})
	res, err := r.Results(ScenarioInfo{}, RunInfo{}, 0, []Tally{{}})
	require.NoError(t, err)
	c := res.Clients[0]
	assert.Equal(t, int64(1), c.Requests.Total)
	assert.Equal(t, int64(1), c.Wasted.ByReason["empty"])
	assert.Equal(t, int64(100), c.Bytes.In)
	assert.Nil(t, c.RequestsPerDelivered, "nothing delivered: the ratio is undefined")
	require.NotNil(t, c.EmptyPollFraction)
	assert.Equal(t, 1.0, *c.EmptyPollFraction)
	assert.InDelta(t, 1.0/3600, c.Requests.PerS, 1e-12)
}

func TestResultsReportAnUnbalancedAccount(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("a", "b")
	r.Held(0, 1, 0, 0, time.Second)
	r.Lost(0, 2, 0, RetriesExhausted)
	r.Held(1, 1, 0, 0, time.Second)
	res, err := r.Results(ScenarioInfo{}, RunInfo{}, 3, []Tally{{InFlight: 1}, {InFlight: 0}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvariant))
	assert.Contains(t, err.Error(), "client b: emitted 3 ≠ delivered 1 + dropped 0 + in flight 0")
	assert.NotContains(t, err.Error(), "client a")
	require.NotNil(t, res, "the results are kept")
	assert.False(t, res.Run.InvariantOK)
	assert.Equal(t, int64(1), res.Clients[0].Dropped.ByCause["retries_exhausted"])
	require.NotNil(t, res.Clients[0].Dropped.Rate)
	assert.InDelta(t, 1.0/3, *res.Clients[0].Dropped.Rate, 1e-12)
}

func TestBrokenFactsAreErrors(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("c")
	assert.False(t, r.Held(0, 1, 0, 5*time.Second, time.Second), "held before creation")
	r.Held(0, 2, 0, 0, time.Second)
	r.Lost(0, 2, 0, RetentionExpired) // lost after being held
	_, err := r.Results(ScenarioInfo{}, RunInfo{}, 2, []Tally{{InFlight: 1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "before its creation")
	assert.Contains(t, err.Error(), "reported lost (retention_expired) after it was held")
}

func TestTraceSeesEveryFate(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("c")
	var got []RecordKind
	r.Trace = func(rec Record) { got = append(got, rec.Kind) }
	r.Held(0, 1, 0, 0, time.Second)
	r.Held(0, 1, 0, 0, 2*time.Second)
	r.Lost(0, 2, 0, RetriesExhausted)
	assert.Equal(t, []RecordKind{HeldFirst, HeldAgain, LostForGood}, got)
}

func TestSpectrumIsTheSameLadderWhateverTheCount(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 100, 100_000} {
		r := newTestRecorder("c")
		for i := range n {
			r.Held(0, int64(i+1), 0, 0, time.Duration(i+1)*time.Millisecond)
		}
		res, err := r.Results(ScenarioInfo{}, RunInfo{}, int64(n), []Tally{{}})
		require.NoError(t, err)
		spectrum := res.Clients[0].Latency.Spectrum
		require.Len(t, spectrum, len(spectrumPercentiles), "n = %d", n)
		assert.Equal(t, 0.0, spectrum[0].Percentile)
		assert.Equal(t, 100.0, spectrum[len(spectrum)-1].Percentile)
		for i := 1; i < len(spectrum); i++ {
			assert.Greater(t, spectrum[i].Percentile, spectrum[i-1].Percentile)
			assert.GreaterOrEqual(t, spectrum[i].ValueS, spectrum[i-1].ValueS)
		}
		last := float64(n) / 1000
		assert.InEpsilon(t, last, spectrum[len(spectrum)-1].ValueS, 0.01, "100 %% is the max within the histogram's 1 %%")
	}
}

// A histogram bucket's highest value can lie beyond the largest latency:
// no percentile may exceed the exact max, nor fall below the exact min.
func TestPercentilesStayWithinTheExactExtremes(t *testing.T) {
	t.Parallel()
	r := newTestRecorder("c")
	// 7.58 h falls in a bucket whose highest value is about 7.61 h.
	for i := range 200 {
		r.Held(0, int64(i+1), 0, 0, 27288*time.Second+time.Duration(i)*time.Millisecond)
	}
	res, err := r.Results(ScenarioInfo{}, RunInfo{}, 200, []Tally{{}})
	require.NoError(t, err)
	l := res.Clients[0].Latency
	lo, hi := 27288.0, 27288.199
	for _, v := range []float64{l.P50S, l.P90S, l.P99S, l.P999S} {
		assert.LessOrEqual(t, v, l.MaxS)
		assert.GreaterOrEqual(t, v, lo)
	}
	assert.InDelta(t, hi, l.MaxS, 1e-9)
	for _, p := range l.Spectrum {
		assert.LessOrEqual(t, p.ValueS, l.MaxS, "spectrum at %v %%", p.Percentile)
		assert.GreaterOrEqual(t, p.ValueS, lo, "spectrum at %v %%", p.Percentile)
	}
	assert.Equal(t, l.MaxS, l.Spectrum[len(l.Spectrum)-1].ValueS)
}
