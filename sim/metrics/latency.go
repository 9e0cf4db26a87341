package metrics

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds with two significant digits (1 %
// relative error), up to ten years.
const (
	latencyUnit    = time.Microsecond
	latencyHighest = int64(10 * 365 * 24 * time.Hour / latencyUnit)
	latencyDigits  = 2
)

// latencies is one client's latency histogram, with the exact mean and max
// kept beside it. Values are collected in a small buffer and written to the
// histogram a batch at a time: with many clients, each histogram is a cold
// 43 KB array, and a batch of writes to it is far cheaper than the same
// writes spread among all the others.
type latencies struct {
	h       *hdrhistogram.Histogram
	buf     [64]int64
	n       int
	count   int64
	sumS    float64
	minSeen time.Duration
	maxSeen time.Duration
}

func newLatencies() *latencies {
	return &latencies{h: hdrhistogram.New(1, latencyHighest, latencyDigits)}
}

func (l *latencies) record(d time.Duration) {
	if l.count == 0 || d < l.minSeen {
		l.minSeen = d
	}
	l.count++
	l.sumS += d.Seconds()
	l.maxSeen = max(l.maxSeen, d)
	l.buf[l.n] = min(int64(d/latencyUnit), latencyHighest)
	l.n++
	if l.n == len(l.buf) {
		l.flush()
	}
}

// flush writes the buffered values to the histogram.
func (l *latencies) flush() {
	for _, v := range l.buf[:l.n] {
		_ = l.h.RecordValue(v) // v is within the histogram's range
	}
	l.n = 0
}

// results summarises the recorded latencies.
func (l *latencies) results() Latency {
	l.flush()
	res := Latency{Count: l.count, Spectrum: []Percentile{}}
	if l.count == 0 {
		return res
	}
	// A histogram bucket answers with its highest value, which can lie
	// beyond the largest (or below the smallest) latency recorded: the
	// exact extremes bound every percentile.
	lo, hi := l.minSeen.Seconds(), l.maxSeen.Seconds()
	bound := func(v int64) float64 { return min(max(unitSeconds(v), lo), hi) }
	at := func(p float64) float64 { return bound(l.h.ValueAtPercentile(p)) }
	res.MeanS = l.sumS / float64(l.count)
	res.P50S, res.P90S, res.P99S, res.P999S = at(50), at(90), at(99), at(99.9)
	res.MaxS = l.maxSeen.Seconds()
	res.Spectrum = make([]Percentile, len(spectrumPercentiles))
	for i, v := range l.h.ValueAtPercentilesSlice(spectrumPercentiles) {
		res.Spectrum[i] = Percentile{Percentile: spectrumPercentiles[i], ValueS: bound(v)}
	}
	return res
}

// spectrumPercentiles are the percentiles of every latency spectrum: five
// steps for each halving of the remaining tail, as HdrHistogram prints its
// distributions, from 0 down to the last 0.001 %, then 100. The list is the
// same whatever the number of deliveries, so results do not grow with the
// length of a run, and spectra of different clients line up point for point.
var spectrumPercentiles = func() []float64 {
	var ps []float64
	for k := 0; ; k++ {
		p := 100 * (1 - math.Exp2(-float64(k)/5))
		if p > 99.999 {
			break
		}
		ps = append(ps, p)
	}
	return append(ps, 100)
}()

func unitSeconds(v int64) float64 { return (time.Duration(v) * latencyUnit).Seconds() }
