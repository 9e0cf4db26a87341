package reports

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr(v float64) *float64 { return &v }

// troubled is a run with everything a row cannot show: drops by cause,
// events in flight, several kinds of waste, a client that delivered nothing.
func troubled() *metrics.Results {
	return &metrics.Results{
		Scenario: metrics.ScenarioInfo{Name: "outage", Description: "a receiver down for two days", DurationS: 7 * 86400, DrainS: 1800},
		Run:      metrics.RunInfo{Runner: "des", Seed: 3, Interrupted: true, SimulatedS: 3.5 * 86400, InvariantOK: true},
		Store:    metrics.StoreResults{Emitted: 12345},
		Clients: []metrics.ClientResults{
			{
				Name: "hook", Strategy: "webhook, svix retries (8 attempts, 15s timeout)", Emitted: 12345, Delivered: 11000, InFlight: 45,
				Latency:              metrics.Latency{Count: 11000, MeanS: 5123.4, P50S: 0.0234, P90S: 310, P99S: 63000, P999S: 99000, MaxS: 99500},
				Requests:             metrics.Requests{Total: 30000},
				Wasted:               metrics.Wasted{Total: 19000, Fraction: ptr(19000.0 / 30000), ByReason: map[string]int64{"failed": 18990, "duplicate": 10}},
				RequestsPerDelivered: ptr(30000.0 / 11000),
				Dropped:              metrics.Dropped{Total: 1300, Rate: ptr(1300.0 / 12345), ByCause: map[string]int64{"retries_exhausted": 1300}},
				Duplicates:           10, OutOfOrder: 2500,
			},
			{
				Name: "poll", Strategy: "poll every 1m", Emitted: 12345, Delivered: 0, InFlight: 12345,
				Latency:  metrics.Latency{},
				Requests: metrics.Requests{Total: 5040},
				Wasted:   metrics.Wasted{Total: 5040, Fraction: ptr(1), ByReason: map[string]int64{"rate_limited": 5040}},
				Dropped:  metrics.Dropped{Rate: ptr(0)},
			},
			{
				Name: "rare", Strategy: "poll every 10s", Emitted: 12345, Delivered: 12345,
				Latency:              metrics.Latency{Count: 12345, MeanS: 0.0004, P50S: 0.0003, P90S: 0.0009, P99S: 0.002, P999S: 0.004, MaxS: 0.0071},
				Requests:             metrics.Requests{Total: 1000},
				Wasted:               metrics.Wasted{Fraction: ptr(0)},
				RequestsPerDelivered: ptr(1000.0 / 12345),
				Dropped:              metrics.Dropped{Total: 1, Rate: ptr(1.0 / 12345), ByCause: map[string]int64{"retention_expired": 1}},
			},
		},
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, WriteTable(&b, troubled()))
	path := filepath.Join("testdata", "troubled.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "go test ./reports -update creates it")
	assert.Equal(t, string(want), b.String())
}

func TestTableColumnsLineUp(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, WriteTable(&b, troubled()))
	lines := strings.Split(b.String(), "\n")
	header := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "client") })
	require.GreaterOrEqual(t, header, 0)
	end := len([]rune(lines[header]))
	for _, row := range lines[header+1 : header+4] {
		assert.Equal(t, end, len([]rune(row)), "every row ends where the header does: %q", row)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	cases := map[float64]string{
		0: "0", 0.0000123: "12.3µs", 0.0234: "23.4ms", 0.5: "500ms", 5.07: "5.07s", 99.9: "99.9s",
		600: "10.0m", 4945: "82.4m", 7200: "2.00h", 150000: "41.7h", 400000: "4.63d",
	}
	for s, want := range cases {
		assert.Equal(t, want, latency(s), "latency(%v)", s)
	}
	assert.Equal(t, "1,234,567", Count(1234567))
	assert.Equal(t, "-1,000", Count(-1000))
	assert.Equal(t, "999", Count(999))
	assert.Equal(t, "0.0081%", percentPrecise(ptr(0.000081)))
	assert.Equal(t, "12.5%", percentPrecise(ptr(0.125)))
	assert.Equal(t, "-", fixed(nil, 2))
	assert.Equal(t, "168h", seconds(7*86400))
	assert.Equal(t, "1h30m", seconds(5400))
	assert.Equal(t, "30m", seconds(1800))
}

func TestShortDurationDropsOnlyZeroUnits(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0: "0s", 30 * time.Second: "30s", 10 * time.Second: "10s", 90 * time.Second: "1m30s",
		time.Minute: "1m", time.Hour: "1h", 168 * time.Hour: "168h", 90 * time.Minute: "1h30m",
		time.Hour + 30*time.Second: "1h0m30s", 1500 * time.Millisecond: "1.5s",
	} {
		assert.Equal(t, want, shortDuration(d), "%v", d)
	}
}
