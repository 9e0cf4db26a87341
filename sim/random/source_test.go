package random

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamGolden pins the first values of one stream, so that a change to
// how a seed and a name become a stream, which would change every result,
// cannot pass unnoticed.
func TestStreamGolden(t *testing.T) {
	t.Parallel()
	s := New(1, "store/arrivals")
	wantUint64 := []uint64{0x33b14ef0fe87978, 0x982b89fae3dff430, 0x75a1141de2939167, 0x8417ef6261d5e92e}
	for i, want := range wantUint64 {
		got := s.Uint64()
		assert.Equal(t, want, got, "New(1, store/arrivals): Uint64 #%d = %#x; want %#x", i, got, want)
	}

	s = New(1, "store/arrivals")
	wantFloat64 := []float64{0.012620266308575157, 0.5944143521809335, 0.4594891140901167, 0.5159902205649228}
	for i, want := range wantFloat64 {
		got := s.Float64()
		assert.Equal(t, want, got, "New(1, store/arrivals): Float64 #%d = %v; want %v", i, got, want)
		// Float64 keeps the top 53 bits of the raw value.
		assert.Equal(t, float64(wantUint64[i]>>11)/(1<<53), got, "Float64 #%d is not the top 53 bits of Uint64 #%d", i, i)
	}
}

func draws(s *Source, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = s.Uint64()
	}
	return out
}

func TestNewIsDeterministic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		seed uint64
		name string
	}{
		{1, "store/arrivals"},
		{1, ""},
		{42, "client/poll-10s/phase"},
		{math.MaxUint64, "x"},
	}
	for _, tt := range tests {
		a, b := draws(New(tt.seed, tt.name), 1000), draws(New(tt.seed, tt.name), 1000)
		assert.Equal(t, a, b, "New(%d, %q) gave two different sequences", tt.seed, tt.name)
	}
}

func TestStreamsDiffer(t *testing.T) {
	t.Parallel()
	streams := []struct {
		seed uint64
		name string
	}{
		{1, "store/arrivals"},
		{1, "store/arrival"},
		{1, "store/latency"},
		{1, "client/poll-10s/phase"},
		{1, ""},
		{2, "store/arrivals"},
		{0, "store/arrivals"},
	}
	seen := map[uint64]int{}
	for i, st := range streams {
		for _, v := range draws(New(st.seed, st.name), 100) {
			if j, dup := seen[v]; dup && j != i {
				t.Errorf("New(%d, %q) and New(%d, %q) share the value %#x", st.seed, st.name, streams[j].seed, streams[j].name, v)
			}
			seen[v] = i
		}
	}
}

func TestFloat64AndOpenRanges(t *testing.T) {
	t.Parallel()
	const n = 200_000
	s := New(3, "range")
	var sumF, sumO float64
	for range n {
		f := s.Float64()
		require.True(t, f >= 0 && f < 1, "Float64() = %v; want it in [0, 1)", f)
		o := s.Open()
		require.True(t, o > 0 && o < 1, "Open() = %v; want it in (0, 1)", o)
		sumF += f
		sumO += o
	}
	// Uniform on (0, 1): mean 1/2, standard deviation sqrt(1/12).
	tol := 4 * math.Sqrt(1.0/12/n)
	assert.InDelta(t, 0.5, sumF/n, tol, "mean of %d Float64() = %v; want 0.5 ± %v", n, sumF/n, tol)
	assert.InDelta(t, 0.5, sumO/n, tol, "mean of %d Open() = %v; want 0.5 ± %v", n, sumO/n, tol)
}

func TestNormalQuantile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p, want float64
	}{
		{0.5, 0},
		{0.975, 1.959964},
		{0.025, -1.959964},
		{0.99, 2.326348},
		{0.01, -2.326348},
		{0.8413447460685429, 1},
		{0.9986501019683699, 3},
	}
	for _, tt := range tests {
		got := NormalQuantile(tt.p)
		assert.InDelta(t, tt.want, got, 1e-6, "NormalQuantile(%v) = %v; want %v", tt.p, got, tt.want)
	}
	assert.True(t, math.IsInf(NormalQuantile(1), 1), "NormalQuantile(1) = %v; want +Inf", NormalQuantile(1))
	assert.True(t, math.IsInf(NormalQuantile(0), -1), "NormalQuantile(0) = %v; want -Inf", NormalQuantile(0))
}

// TestExp checks Exp's draws against the exponential law.
func TestExp(t *testing.T) {
	t.Parallel()
	const n, mean = 100_000, 2.5
	s := New(1, "exp")
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = s.Exp(mean)
		require.Positive(t, xs[i], "Exp(%v) = %v; want positive", mean, xs[i])
	}
	got := sum(xs) / n
	assert.InDelta(t, mean, got, 4*mean/math.Sqrt(n), "mean of %d Exp(%v) = %v", n, mean, got)
	d := ksStatistic(xs, func(x float64) float64 { return -math.Expm1(-x / mean) })
	assert.Less(t, math.Sqrt(n)*d, ksCritical, "Exp(%v): sqrt(n)·D = %v; want below %v", mean, math.Sqrt(n)*d, ksCritical)
}

func TestBernoulli(t *testing.T) {
	t.Parallel()
	const n = 100_000
	s := New(1, "bernoulli")
	for _, p := range []float64{0.01, 0.5, 0.9} {
		hits := 0
		for range n {
			if s.Bernoulli(p) {
				hits++
			}
		}
		tol := 4 * math.Sqrt(p*(1-p)/n)
		got := float64(hits) / n
		assert.InDelta(t, p, got, tol, "share of %d Bernoulli(%v) = %v; want %v ± %v", n, p, got, p, tol)
	}
	for range 1000 {
		require.False(t, s.Bernoulli(0), "Bernoulli(0) = true")
		require.False(t, s.Bernoulli(-1), "Bernoulli(-1) = true")
		require.True(t, s.Bernoulli(1), "Bernoulli(1) = false")
	}
}

// ksCritical is the critical value of sqrt(n)·D for the one-sample
// Kolmogorov–Smirnov test at α = 0.001.
const ksCritical = 1.949

// ksStatistic returns the Kolmogorov–Smirnov statistic D of the sample xs
// against the continuous CDF cdf. It sorts xs.
func ksStatistic(xs []float64, cdf func(float64) float64) float64 {
	slices.Sort(xs)
	n := float64(len(xs))
	var d float64
	for i, x := range xs {
		f := cdf(x)
		d = max(d, f-float64(i)/n, float64(i+1)/n-f)
	}
	return d
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}
