package scenario

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"

	"github.com/pushpull/pushpull/sim/random"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"300ms", 300 * time.Millisecond},
		{"10s", 10 * time.Second},
		{"15m", 15 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"168h", 168 * time.Hour},
		{"2h30m", 150 * time.Minute},
		{" 10s ", 10 * time.Second},
		{"0s", 0},
		{"-5s", -5 * time.Second}, // a valid duration; Validate rejects it where it must be positive
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if assert.NoError(t, err, "ParseDuration(%q)", tt.in) {
			assert.Equal(t, Duration(tt.want), got, "ParseDuration(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, msg string
	}{
		{"10", `"10" has no unit: write a duration such as 10s`},
		{"0", `"0" has no unit`},
		{"1.5", `"1.5" has no unit`},
		{"5x", `"5x" is not a duration`},
		{"ten seconds", `"ten seconds" is not a duration`},
		{"1d", "(a day is 24h)"},
		{"", `"" is not a duration`},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if assert.Error(t, err, "ParseDuration(%q) = %v; want an error", tt.in, got) {
			assert.Contains(t, err.Error(), tt.msg, "ParseDuration(%q) = %v; want %q", tt.in, err, tt.msg)
		}
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		perSecond float64
	}{
		{"50/h", 50.0 / 3600},
		{"2/s", 2},
		{"100/m", 100.0 / 60},
		{"1000/d", 1000.0 / 86400},
		{"0.5/s", 0.5},
		{"1e3/d", 1000.0 / 86400},
		{"50 / h", 50.0 / 3600},
		{"0/h", 0},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if !assert.NoError(t, err, "ParseRate(%q)", tt.in) {
			continue
		}
		assert.Equal(t, tt.perSecond, got.PerSecond(), "ParseRate(%q).PerSecond() = %v; want %v", tt.in, got.PerSecond(), tt.perSecond)
		assert.Equal(t, tt.perSecond == 0, got.IsZero(), "ParseRate(%q).IsZero() = %v", tt.in, got.IsZero())
		assert.Equal(t, tt.in, got.String(), "ParseRate(%q).String() = %q; want it as written", tt.in, got.String())
	}
}

func TestParseRateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, msg string
	}{
		{"50", `"50" has no unit: write a rate such as 50/h or 50/s`},
		{"50/w", `"50/w" has an unknown unit "w": use s, m, h or d`},
		{"50/hour", `unknown unit "hour"`},
		{"50/", `unknown unit ""`},
		{"-1/s", `"-1/s" is negative`},
		{"abc/h", `"abc/h" is not a rate: "abc" is not a number`},
		{"/h", `"" is not a number`},
		{"NaN/s", `"NaN" is not a number`},
		{"Inf/s", `"Inf" is not a number`},
		{"fifty", `"fifty" is not a rate`},
		{"", `"" is not a rate`},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if assert.Error(t, err, "ParseRate(%q) = %v; want an error", tt.in, got) {
			assert.Contains(t, err.Error(), tt.msg, "ParseRate(%q) = %v; want %q", tt.in, err, tt.msg)
		}
	}
}

func TestRateString(t *testing.T) {
	t.Parallel()
	var zero Rate
	assert.Equal(t, "0/s", zero.String(), "Rate{}.String() = %q; want 0/s", zero.String())
	assert.True(t, zero.IsZero(), "Rate{}.IsZero() = false; want true")

	r, err := ParseRate("50/h")
	require.NoError(t, err)
	b, err := r.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "50/h", string(b), "ParseRate(50/h).MarshalText() = %q; want 50/h", b)

	var back Rate
	require.NoError(t, back.UnmarshalText(b))
	assert.Equal(t, r.PerSecond(), back.PerSecond(), "UnmarshalText(%q).PerSecond() = %v; want %v", b, back.PerSecond(), r.PerSecond())
}

func TestDurationShort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{time.Minute, "1m"},
		{2*time.Hour + 30*time.Minute, "2h30m"},
		{10 * time.Second, "10s"},
		{time.Hour, "1h"},
		{168 * time.Hour, "168h"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{90 * time.Second, "1m30s"},
		{300 * time.Millisecond, "300ms"},
		{1500 * time.Millisecond, "1.5s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		got := Duration(tt.in).Short()
		assert.Equal(t, tt.want, got, "Duration(%v).Short() = %q; want %q", tt.in, got, tt.want)
	}
}

// TestLatencyForms decodes every form a latency takes in a file and checks
// the distribution it stands for.
func TestLatencyForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want random.Durations
	}{
		{"250ms", random.Constant(250 * time.Millisecond)},
		{"0s", random.Constant(0)},
		{"{median: 40ms, p99: 250ms}", random.LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond)},
		{"{p99: 250ms, median: 40ms}", random.LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond)},
		{"{min: 1s, max: 3s}", random.Uniform{Min: time.Second, Max: 3 * time.Second}},
		{"{min: 0s, max: 3s}", random.Uniform{Min: 0, Max: 3 * time.Second}},
		{"{mean: 2s}", random.Exponential{Avg: 2 * time.Second}},
	}
	for _, tt := range tests {
		var l Latency
		require.NoError(t, yaml.Load([]byte(tt.src), &l), "decoding %q", tt.src)
		assert.Empty(t, l.check(), "latency %q has problems", tt.src)
		got := l.Distribution()
		assert.Equal(t, tt.want, got, "latency %q: Distribution() = %#v; want %#v", tt.src, got, tt.want)
	}
}

func TestLatencyLogNormalParameters(t *testing.T) {
	t.Parallel()
	var l Latency
	require.NoError(t, yaml.Load([]byte("{median: 40ms, p99: 250ms}"), &l))
	ln, ok := l.Distribution().(random.LogNormal)
	require.True(t, ok, "Distribution() = %T; want random.LogNormal", l.Distribution())
	// Mu = ln(median), Sigma = ln(p99/median)/z_0.99.
	assert.InDelta(t, math.Log(0.040), ln.Mu, 1e-12, "Mu = %v; want ln(0.04)", ln.Mu)
	assert.InDelta(t, math.Log(6.25)/2.3263478740408408, ln.Sigma, 1e-12, "Sigma = %v; want ln(6.25)/z99", ln.Sigma)
	assert.Equal(t, 40*time.Millisecond, ln.Quantile(0.5), "Quantile(0.5)")
	assert.Equal(t, 250*time.Millisecond, ln.Quantile(0.99), "Quantile(0.99)")
	assert.Equal(t, "lognormal(median 40ms, p99 250ms)", l.String(), "String()")
}

func TestFixedLatency(t *testing.T) {
	t.Parallel()
	l := FixedLatency(20 * time.Millisecond)
	assert.Equal(t, random.Durations(random.Constant(20*time.Millisecond)), l.Distribution(), "FixedLatency(20ms).Distribution()")
	assert.Empty(t, l.check(), "FixedLatency(20ms) has problems")
	assert.Equal(t, "20ms", l.String(), "FixedLatency(20ms).String()")
}

func TestLatencyProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, msg string
	}{
		{"-1s", "must not be negative, got -1s"},
		{"{median: 40ms}", "give exactly one of {median, p99}, {min, max} or {mean}, or a single duration; got {median}"},
		{"{p99: 40ms}", "got {p99}"},
		{"{median: 40ms, p99: 250ms, mean: 50ms}", "got {median, p99, mean}"},
		{"{min: 1s, mean: 2s}", "got {min, mean}"},
		{"{}", "got {}"},
		{"{median: 40ms, p99: 40ms}", "p99 (40ms) must exceed median (40ms)"},
		{"{median: 0s, p99: 40ms}", "median must be positive, got 0s"},
		{"{min: 3s, max: 1s}", "need 0 <= min <= max, got min 3s, max 1s"},
		{"{min: -1s, max: 1s}", "need 0 <= min <= max"},
		{"{mean: 0s}", "mean must be positive, got 0s"},
	}
	for _, tt := range tests {
		var l Latency
		require.NoError(t, yaml.Load([]byte(tt.src), &l), "decoding %q", tt.src)
		got := l.check()
		if assert.Len(t, got, 1, "latency %q: check() = %q; want one problem", tt.src, got) {
			assert.Contains(t, got[0], tt.msg, "latency %q: check() = %q; want %q", tt.src, got[0], tt.msg)
		}
	}
}

func TestLatencyDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, msg string
	}{
		{"10", "has no unit"},
		{"5x", "is not a duration"},
		{"[1s]", "a latency is a duration or a mapping"},
		{"{median: 40ms, p90: 100ms}", "p90"},
		{"{median: ten, p99: 1s}", `"ten" is not a duration`},
	}
	for _, tt := range tests {
		var l Latency
		err := yaml.Load([]byte(tt.src), &l)
		if assert.Error(t, err, "decoding latency %q", tt.src) {
			assert.Contains(t, err.Error(), tt.msg, "decoding latency %q = %v; want %q", tt.src, err, tt.msg)
		}
	}
}

// TestLatencyRoundTrip encodes each form of latency and decodes it again.
func TestLatencyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"250ms", "{median: 40ms, p99: 250ms}", "{min: 0s, max: 3s}", "{min: 1s, max: 3s}", "{mean: 2s}"} {
		var l Latency
		require.NoError(t, yaml.Load([]byte(src), &l), "decoding %q", src)
		out, err := yaml.Dump(l)
		require.NoError(t, err, "encoding %q", src)
		var back Latency
		require.NoError(t, yaml.Load(out, &back), "decoding %q, encoded from %q", out, src)
		assert.Empty(t, back.check(), "latency %q encoded as %q has problems", src, out)
		assert.Equal(t, l.Distribution(), back.Distribution(), "latency %q encoded as %q decodes to %v", src, out, back)
	}
}
