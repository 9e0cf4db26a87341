package random

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lnParams returns Mu and Sigma, in log-seconds, of the log-normal law with
// the given median and 99th percentile.
func lnParams(median, p99 time.Duration) (mu, sigma float64) {
	return math.Log(median.Seconds()), math.Log(p99.Seconds()/median.Seconds()) / 2.3263478740408408
}

func TestLogNormalFromMedianP99(t *testing.T) {
	t.Parallel()
	tests := []struct {
		median, p99 time.Duration
	}{
		{40 * time.Millisecond, 250 * time.Millisecond},
		{20 * time.Millisecond, 80 * time.Millisecond},
		{time.Second, 100 * time.Second},
		{30 * time.Second, 31 * time.Second},
	}
	for _, tt := range tests {
		l := LogNormalFromMedianP99(tt.median, tt.p99)
		mu, sigma := lnParams(tt.median, tt.p99)
		assert.InDelta(t, mu, l.Mu, 1e-12, "LogNormalFromMedianP99(%v, %v).Mu = %v; want %v", tt.median, tt.p99, l.Mu, mu)
		assert.InDelta(t, sigma, l.Sigma, 1e-12, "LogNormalFromMedianP99(%v, %v).Sigma = %v; want %v", tt.median, tt.p99, l.Sigma, sigma)
		assert.Equal(t, tt.median, l.Quantile(0.5), "LogNormalFromMedianP99(%v, %v).Quantile(0.5)", tt.median, tt.p99)
		assert.Equal(t, tt.p99, l.Quantile(0.99), "LogNormalFromMedianP99(%v, %v).Quantile(0.99)", tt.median, tt.p99)
	}
}

// law is a distribution under test with its closed forms, in seconds.
type law struct {
	d        Durations
	mean     float64
	variance float64
	quantile func(p float64) float64
	cdf      func(x float64) float64
}

func laws() []law {
	mu, sigma := lnParams(40*time.Millisecond, 250*time.Millisecond)
	const lo, hi = 1.0, 3.0
	const avg = 2.0
	return []law{
		{
			d:    LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond),
			mean: math.Exp(mu + sigma*sigma/2), variance: math.Expm1(sigma*sigma) * math.Exp(2*mu+sigma*sigma),
			quantile: func(p float64) float64 { return math.Exp(mu + sigma*math.Sqrt2*math.Erfinv(2*p-1)) },
			cdf:      func(x float64) float64 { return 0.5 * math.Erfc(-(math.Log(x)-mu)/(sigma*math.Sqrt2)) },
		},
		{
			d:    Uniform{Min: time.Second, Max: 3 * time.Second},
			mean: (lo + hi) / 2, variance: (hi - lo) * (hi - lo) / 12,
			quantile: func(p float64) float64 { return lo + p*(hi-lo) },
			cdf:      func(x float64) float64 { return min(max((x-lo)/(hi-lo), 0), 1) },
		},
		{
			d:    Exponential{Avg: 2 * time.Second},
			mean: avg, variance: avg * avg,
			quantile: func(p float64) float64 { return -avg * math.Log(1-p) },
			cdf:      func(x float64) float64 { return -math.Expm1(-x / avg) },
		},
	}
}

// TestClosedForms checks Mean, Variance and Quantile against the textbook
// formulas.
func TestClosedForms(t *testing.T) {
	t.Parallel()
	for _, l := range laws() {
		assert.InDelta(t, l.mean, l.d.Mean().Seconds(), 1e-9, "%v.Mean() = %v; want %vs", l.d, l.d.Mean(), l.mean)
		assert.InEpsilon(t, l.variance, l.d.Variance(), 1e-12, "%v.Variance() = %v; want %v", l.d, l.d.Variance(), l.variance)
		for _, p := range []float64{0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999} {
			want := l.quantile(p)
			assert.InDelta(t, want, l.d.Quantile(p).Seconds(), 1e-9, "%v.Quantile(%v) = %v; want %vs", l.d, p, l.d.Quantile(p), want)
		}
	}
}

// TestSamples draws from each distribution and checks the draws against
// its law: the sample mean within 4σ/√n of Mean, and the Kolmogorov–Smirnov
// statistic below its critical value at α = 0.001.
func TestSamples(t *testing.T) {
	t.Parallel()
	const n = 100_000
	for _, l := range laws() {
		t.Run(l.d.String(), func(t *testing.T) {
			t.Parallel()
			s := New(1, "samples/"+l.d.String())
			xs := make([]float64, n)
			for i := range xs {
				d := l.d.Sample(s)
				require.GreaterOrEqual(t, d, time.Duration(0), "%v.Sample() = %v; want non-negative", l.d, d)
				xs[i] = d.Seconds()
			}
			mean := sum(xs) / n
			tol := 4 * math.Sqrt(l.d.Variance()/n)
			assert.InDelta(t, l.d.Mean().Seconds(), mean, tol, "mean of %d %v.Sample() = %v; want %v ± %v", n, l.d, mean, l.d.Mean().Seconds(), tol)
			d := ksStatistic(xs, l.cdf)
			assert.Less(t, math.Sqrt(n)*d, ksCritical, "%v.Sample(): sqrt(n)·D = %v; want below %v", l.d, math.Sqrt(n)*d, ksCritical)
		})
	}
}

func TestConstant(t *testing.T) {
	t.Parallel()
	c := Constant(5 * time.Second)
	assert.Equal(t, 5*time.Second, c.Mean(), "Constant(5s).Mean()")
	assert.Zero(t, c.Variance(), "Constant(5s).Variance()")
	for _, p := range []float64{0, 0.5, 0.99, 1} {
		assert.Equal(t, 5*time.Second, c.Quantile(p), "Constant(5s).Quantile(%v)", p)
	}
	s, fresh := New(1, "constant"), New(1, "constant")
	for range 100 {
		require.Equal(t, 5*time.Second, c.Sample(s), "Constant(5s).Sample()")
	}
	assert.Equal(t, fresh.Uint64(), s.Uint64(), "Constant.Sample drew from the source")
	assert.Equal(t, "5s", c.String(), "Constant(5s).String()")
}

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    Durations
		want string
	}{
		{Constant(250 * time.Millisecond), "250ms"},
		{LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond), "lognormal(median 40ms, p99 250ms)"},
		{Uniform{Min: time.Second, Max: 3 * time.Second}, "uniform(1s, 3s)"},
		{Exponential{Avg: 2 * time.Second}, "exponential(mean 2s)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.d.String(), "%#v.String() = %q; want %q", tt.d, tt.d.String(), tt.want)
	}
}

// TestQuantileSaturates checks that a quantile beyond what a time.Duration
// holds gives the largest one rather than wrapping round to negative.
func TestQuantileSaturates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    Durations
		p    float64
		want time.Duration
	}{
		{Exponential{Avg: time.Second}, 1, math.MaxInt64},
		{LogNormalFromMedianP99(time.Second, 10*time.Second), 1, math.MaxInt64},
		{LogNormalFromMedianP99(time.Second, 10*time.Second), 0, 0},
		{Exponential{Avg: time.Second}, 0, 0},
		{Uniform{Min: time.Second, Max: 3 * time.Second}, 0, time.Second},
		{Uniform{Min: time.Second, Max: 3 * time.Second}, 1, 3 * time.Second},
	}
	for _, tt := range tests {
		got := tt.d.Quantile(tt.p)
		assert.Equal(t, tt.want, got, "%v.Quantile(%v) = %v; want %v", tt.d, tt.p, got, tt.want)
	}
}
