package scenario

import (
	"crypto/sha256"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
)

// TestParseFillsDefaults parses the smallest valid scenario and checks every
// documented default.
func TestParseFillsDefaults(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
  - {name: hook, webhook: {}, outages: [{at: 10m, for: 1m}]}
`
	s, err := Parse("scenarios/minimal.yaml", []byte(src))
	require.NoError(t, err)

	tests := []struct {
		field     string
		got, want any
	}{
		{"name", s.Name, "minimal"},
		{"seed", s.Seed, uint64(1)},
		{"drain", s.Drain, Duration(time.Hour)},
		{"network.latency", s.Network.Latency.Distribution(), random.Durations(random.Constant(0))},
		{"network.header_bytes", s.Network.HeaderBytes, 300},
		{"store.resources", s.Store.Resources, 1},
		{"store.payload_bytes", s.Store.PayloadBytes, 1000},
		{"store.api.latency", s.Store.API.Latency.Distribution(), random.Durations(random.LogNormalFromMedianP99(40*time.Millisecond, 250*time.Millisecond))},
		{"store.api.latency.median", s.Store.API.Latency.Median, Duration(40 * time.Millisecond)},
		{"store.api.latency.p99", s.Store.API.Latency.P99, Duration(250 * time.Millisecond)},
		{"store.api.page_size", s.Store.API.PageSize, 100},
		{"store.api.retention", s.Store.API.Retention, Duration(720 * time.Hour)},
		{"store.api.rate_limit", s.Store.API.RateLimit, (*RateLimit)(nil)},
		{"store.webhooks.timeout", s.Store.Webhooks.Timeout, Duration(0)},
		{"store.webhooks.retry.preset", s.Store.Webhooks.Retry.Preset, "svix"},
		{"store.webhooks.retry.delays", len(s.Store.Webhooks.Retry.Delays), 0},
		{"store.webhooks.retry.exponential", s.Store.Webhooks.Retry.Exponential, (*Exponential)(nil)},
		{"store.webhooks.retry.jitter", s.Store.Webhooks.Retry.Jitter, 0.0},
		{"clients[0].poll.jitter", s.Clients[0].Poll.Jitter, Duration(0)},
		{"clients[0].poll.phase", s.Clients[0].Poll.Phase, (*Duration)(nil)},
		{"clients[0].poll.paging", s.Clients[0].Poll.Paging, true},
		{"clients[1].outages[0].mode", s.Clients[1].Outages[0].Mode, "refuse"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, "Parse(minimal).%s = %v; want %v", tt.field, tt.got, tt.want)
	}
	// The values given are kept.
	assert.Equal(t, Duration(time.Hour), s.Duration, "Parse(minimal).duration")
	assert.Equal(t, 50.0/3600, s.Store.Arrivals.Rate.PerSecond(), "Parse(minimal).store.arrivals.rate per second")
	assert.Equal(t, Duration(10*time.Second), s.Clients[0].Poll.Interval, "Parse(minimal).clients[0].poll.interval")
	assert.Equal(t, Duration(time.Hour+time.Hour), s.End(), "Parse(minimal).End()")
}

// TestParseFillsNestedDefaults checks the defaults of fields inside optional
// mappings, which apply only once the mapping is given.
func TestParseFillsNestedDefaults(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: constant, rate: 2/s}
  api:
    rate_limit: {rate: 10/s}
  webhooks:
    retry:
      exponential: {initial: 1s, attempts: 5}
clients:
  - {name: hook, webhook: {}}
`
	s, err := Parse("nested.yaml", []byte(src))
	require.NoError(t, err)
	require.NotNil(t, s.Store.API.RateLimit)
	require.NotNil(t, s.Store.Webhooks.Retry.Exponential)
	assert.Equal(t, 1, s.Store.API.RateLimit.Burst, "Parse(nested).store.api.rate_limit.burst = %d; want 1", s.Store.API.RateLimit.Burst)
	assert.Equal(t, 2.0, s.Store.Webhooks.Retry.Exponential.Factor, "Parse(nested).store.webhooks.retry.exponential.factor = %v; want 2", s.Store.Webhooks.Retry.Exponential.Factor)
	assert.Empty(t, s.Store.Webhooks.Retry.Preset, "Parse(nested).store.webhooks.retry.preset = %q; want none beside exponential", s.Store.Webhooks.Retry.Preset)
	// The API's other fields still get theirs.
	assert.Equal(t, 100, s.Store.API.PageSize, "Parse(nested).store.api.page_size")
	assert.Equal(t, Duration(720*time.Hour), s.Store.API.Retention, "Parse(nested).store.api.retention")
}

// TestParseKeepsZeroValuesGiven checks that a field set to its zero value in
// the file is not taken for one left out.
func TestParseKeepsZeroValuesGiven(t *testing.T) {
	t.Parallel()
	src := `name: zeroes
seed: 0
duration: 1h
drain: 0s
network:
  latency: 0s
  header_bytes: 0
store:
  arrivals: {process: poisson, rate: 50/h}
  payload_bytes: 0
  webhooks:
    retry: {delays: []}
clients:
  - {name: poll, poll: {interval: 10s, paging: false, phase: 0s}}
  - {name: hook, webhook: {}}
`
	s, err := Parse("zeroes.yaml", []byte(src))
	require.NoError(t, err)
	require.NotNil(t, s.Clients[0].Poll.Phase, "Parse(zeroes).clients[0].poll.phase = nil; want 0s")

	tests := []struct {
		field     string
		got, want any
	}{
		{"seed", s.Seed, uint64(0)},
		{"drain", s.Drain, Duration(0)},
		{"network.header_bytes", s.Network.HeaderBytes, 0},
		{"store.payload_bytes", s.Store.PayloadBytes, 0},
		{"store.webhooks.retry.preset", s.Store.Webhooks.Retry.Preset, ""},
		{"store.webhooks.retry.delays", len(s.Store.Webhooks.Retry.Delays), 0},
		{"attempts", s.Store.Webhooks.Plan().Attempts(), 1},
		{"clients[0].poll.paging", s.Clients[0].Poll.Paging, false},
		{"clients[0].poll.phase", *s.Clients[0].Poll.Phase, Duration(0)},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, "Parse(zeroes).%s = %v; want %v", tt.field, tt.got, tt.want)
	}
}

func TestParseNamesScenarioAfterItsFile(t *testing.T) {
	t.Parallel()
	const body = `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`
	tests := []struct {
		file, src, want string
	}{
		{"ecommerce-orders.yaml", body, "ecommerce-orders"},
		{"scenarios/rare-events.yml", body, "rare-events"},
		{"/tmp/a/b/flash.sale.yaml", body, "flash.sale"},
		{"noext", body, "noext"},
		{"scenarios/x.yaml", "name: given\n" + body, "given"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.file, []byte(tt.src))
		if !assert.NoError(t, err, "Parse(%q)", tt.file) {
			continue
		}
		assert.Equal(t, tt.want, s.Name, "Parse(%q).Name = %q; want %q", tt.file, s.Name, tt.want)
	}
}

func TestParseRemembersItsFile(t *testing.T) {
	t.Parallel()
	src := []byte(`duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - {name: poll, poll: {interval: 10s}}
`)
	s, err := Parse("dir/file.yaml", src)
	require.NoError(t, err)
	assert.Equal(t, "dir/file.yaml", s.File(), "Parse(dir/file.yaml).File() = %q; want dir/file.yaml", s.File())
	want := fmt.Sprintf("%x", sha256.Sum256(src))
	assert.Equal(t, want, s.SHA256(), "Parse(dir/file.yaml).SHA256() = %q; want %q", s.SHA256(), want)

	var inCode Scenario
	assert.Empty(t, inCode.File(), "Scenario{}.File() = %q; want \"\"", inCode.File())
	assert.Empty(t, inCode.SHA256(), "Scenario{}.SHA256() = %q; want \"\"", inCode.SHA256())
}

// TestParseShippedScenarios reads the scenarios shipped with pushpull and
// checks a few values each states in its own words.
func TestParseShippedScenarios(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		perSecond float64
		clients   []string
	}{
		{"../../scenarios/ecommerce-orders.yaml", 50.0 / 3600, []string{"poll every 10s", "webhook, svix retries (8 attempts, 15s timeout)"}},
		{"../../scenarios/rare-events.yaml", 1.0 / 3600, []string{"poll every 10s", "webhook, svix retries (8 attempts, 15s timeout)"}},
	}
	for _, tt := range tests {
		src, err := os.ReadFile(tt.file)
		require.NoError(t, err)
		s, err := Parse(tt.file, src)
		require.NoError(t, err, "Parse(%s)", tt.file)
		assert.InEpsilon(t, tt.perSecond, s.Store.Arrivals.Rate.PerSecond(), 1e-12, "Parse(%s).store.arrivals.rate", tt.file)
		assert.Equal(t, Duration(168*time.Hour), s.Duration, "Parse(%s).duration", tt.file)
		var got []string
		for i := range s.Clients {
			got = append(got, s.Strategy(i))
		}
		assert.Equal(t, tt.clients, got, "Parse(%s) strategies = %q; want %q", tt.file, got, tt.clients)
	}
}

// TestParseMergeKeys checks that fields brought in by a YAML merge key
// (<<: *anchor) count as written: no default replaces them, and a field the
// mapping gives itself wins over a merged one.
func TestParseMergeKeys(t *testing.T) {
	t.Parallel()
	src := `duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - &slow {name: slow, poll: {interval: 1m, paging: false}}
  - {<<: *slow, name: slow-copy}
  - name: inline
    poll: {<<: {interval: 10s, paging: false}}
  - name: overridden
    poll: {paging: true, <<: {interval: 10s, paging: false}}
  - name: first-wins
    poll: {<<: [{interval: 10s, paging: false}, {interval: 20s, paging: true, jitter: 1s}]}
`
	s, err := Parse("merge.yaml", []byte(src))
	require.NoError(t, err)
	tests := []struct {
		name     string
		interval time.Duration
		jitter   time.Duration
		paging   bool
	}{
		{"slow", time.Minute, 0, false},
		{"slow-copy", time.Minute, 0, false},
		{"inline", 10 * time.Second, 0, false},
		{"overridden", 10 * time.Second, 0, true},
		{"first-wins", 10 * time.Second, time.Second, false},
	}
	require.Len(t, s.Clients, len(tests))
	for i, tt := range tests {
		cl := s.Clients[i]
		require.NotNil(t, cl.Poll, "clients[%d].poll", i)
		got := struct {
			name             string
			interval, jitter time.Duration
			paging           bool
		}{cl.Name, cl.Poll.Interval.D(), cl.Poll.Jitter.D(), cl.Poll.Paging}
		want := struct {
			name             string
			interval, jitter time.Duration
			paging           bool
		}{tt.name, tt.interval, tt.jitter, tt.paging}
		assert.Equal(t, want, got, "Parse(merge.yaml).clients[%d] = %+v; want %+v", i, got, want)
	}
}
