package store

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// drawUntil returns every instant a process gives before end.
func drawUntil(t *testing.T, a Arrivals, end time.Duration) []time.Duration {
	t.Helper()
	var out []time.Duration
	for {
		at, _, ok := a.Next()
		if !ok || at >= end {
			return out
		}
		if n := len(out); n > 0 && at < out[n-1] { // not require: it is slow per event
			t.Fatalf("Next() = %v after %v; want instants in order", at, out[n-1])
		}
		out = append(out, at)
	}
}

// countIn counts the instants in [from, to).
func countIn(instants []time.Duration, from, to time.Duration) int {
	n := 0
	for _, at := range instants {
		if at >= from && at < to {
			n++
		}
	}
	return n
}

func dur(d time.Duration) scenario.Duration { return scenario.Duration(d) }

func burst(at, length time.Duration, factor float64) scenario.Burst {
	return scenario.Burst{At: dur(at), For: dur(length), Factor: factor}
}

// TestPoissonBurstsMultiplyTheRateOnlyInTheirWindow counts events in every
// window where the intensity is constant: a Poisson count with mean
// rate·factor·length, within 4 standard deviations.
func TestPoissonBurstsMultiplyTheRateOnlyInTheirWindow(t *testing.T) {
	t.Parallel()
	s := time.Second
	// Given out of order: the process sorts them.
	bursts := []scenario.Burst{burst(6000*s, 1000*s, 0.25), burst(2000*s, 500*s, 10)}
	a, err := NewArrivals(scenario.Arrivals{Process: "poisson", Rate: mustRate(t, "5/s"), Bursts: bursts}, dur(10_000*s), random.New(7, "arrivals"))
	require.NoError(t, err)
	events := drawUntil(t, a, 10_000*s)

	windows := []struct {
		from, to time.Duration
		factor   float64
	}{
		{0, 1000 * s, 1},
		{1000 * s, 2000 * s, 1}, // just before the burst
		{2000 * s, 2500 * s, 10},
		{2000 * s, 2010 * s, 10}, // its first seconds
		{2490 * s, 2500 * s, 10}, // its last seconds
		{2500 * s, 3500 * s, 1},  // just after
		{3500 * s, 6000 * s, 1},
		{6000 * s, 7000 * s, 0.25},
		{7000 * s, 10_000 * s, 1},
	}
	for _, w := range windows {
		want := 5 * w.factor * (w.to - w.from).Seconds()
		require.GreaterOrEqual(t, want, 50.0, "window [%v, %v) too short to test", w.from, w.to)
		got := countIn(events, w.from, w.to)
		assert.InDelta(t, want, float64(got), 4*math.Sqrt(want),
			"events in [%v, %v) = %d; want %.0f ± %.0f", w.from, w.to, got, want, 4*math.Sqrt(want))
	}
	total := 5 * (10_000 + 9*500 - 0.75*1000)
	assert.InDelta(t, total, float64(len(events)), 4*math.Sqrt(total), "events in [0, 10000 s) = %d; want %.0f", len(events), total)
}

// TestConstantArrivalsInABurstAreCloserByItsFactor checks that evenly spaced
// events are 1/(rate·factor) apart inside a burst and 1/rate outside it, and
// that the count follows the cumulative intensity across the boundaries.
func TestConstantArrivalsInABurstAreCloserByItsFactor(t *testing.T) {
	t.Parallel()
	s := time.Second
	cfg := scenario.Arrivals{Process: "constant", Rate: mustRate(t, "2/s"), Bursts: []scenario.Burst{burst(100*s, 50*s, 4)}}
	a, err := NewArrivals(cfg, dur(300*s), random.New(3, "arrivals"))
	require.NoError(t, err)
	events := drawUntil(t, a, 300*s)

	for i := 1; i < len(events); i++ {
		prev, at := events[i-1], events[i]
		var want time.Duration
		switch {
		case prev >= 100*s && at < 150*s:
			want = s / 8 // 1/(2·4)
		case at < 100*s || prev >= 150*s:
			want = s / 2
		default:
			continue // a gap across a boundary is part one, part the other
		}
		assert.InDelta(t, float64(want), float64(at-prev), 2, "gap before event at %v = %v; want %v", at, at-prev, want)
	}
	// Cumulative intensity over [0, 300 s): 2·100 + 8·50 + 2·150 = 900.
	assert.InDelta(t, 900, len(events), 1, "events in [0, 300 s) = %d; want 900 ± 1", len(events))
	assert.Equal(t, 400, countIn(events, 100*s, 150*s), "events in the burst")
}

// TestRepeatedBurstsRecurUntilTheEnd checks a burst repeated every period:
// each window before end has the burst's rate, the gaps between them the
// base rate, and no window starts at or after end.
func TestRepeatedBurstsRecurUntilTheEnd(t *testing.T) {
	t.Parallel()
	s := time.Second
	b := burst(100*s, 50*s, 6)
	b.Every = dur(1000 * s)
	const end = 3500 * time.Second // windows at 100, 1100, 2100 and 3100 s
	for _, process := range []string{"poisson", "constant"} {
		a, err := NewArrivals(scenario.Arrivals{Process: process, Rate: mustRate(t, "4/s"), Bursts: []scenario.Burst{b}}, dur(end), random.New(2, "arrivals"))
		require.NoError(t, err)
		events := drawUntil(t, a, 2*end) // past end: the process stops bursting at end
		for k := range 6 {               // the last window, [5100 s, 6100 s), ends before 2·end
			from := 100*s + time.Duration(k)*1000*s
			factor := 6.0
			if from >= end {
				factor = 1
			}
			for _, w := range [][2]time.Duration{{from, from + 50*s}, {from + 50*s, from + 1000*s}} {
				f := factor
				if w[0] != from {
					f = 1
				}
				want := 4 * f * (w[1] - w[0]).Seconds()
				got := float64(countIn(events, w[0], w[1]))
				tol := 4 * math.Sqrt(want)
				if process == "constant" {
					tol = 1
				}
				assert.InDelta(t, want, got, tol, "%s: events in [%v, %v) = %.0f; want %.0f", process, w[0], w[1], got, want)
			}
		}
	}
}

// TestDiurnalArrivalsFollowTheSinusoid bins events by their phase in the
// period: each bin's count is Poisson with mean the integral of
// rate·(1 + A·cos(2π(t − peak)/period)) over the bin, times the number of
// periods. Each bin is checked at 4σ, the whole by chi-square, and the mean
// over whole periods is the rate.
func TestDiurnalArrivalsFollowTheSinusoid(t *testing.T) {
	t.Parallel()
	const (
		rate      = 2.0    // per second
		amplitude = 0.8    //
		period    = 1000.0 // seconds
		peak      = 250.0  // seconds
		periods   = 200
		bins      = 20
	)
	cfg := scenario.Arrivals{Process: "poisson", Rate: mustRate(t, "2/s"),
		Diurnal: &scenario.Diurnal{Amplitude: amplitude, Period: dur(period * time.Second), Peak: dur(peak * time.Second)}}
	a, err := NewArrivals(cfg, dur(periods*period*time.Second), random.New(11, "arrivals"))
	require.NoError(t, err)
	events := drawUntil(t, a, periods*period*time.Second)

	var count [bins]float64
	for _, at := range events {
		phase := math.Mod(at.Seconds(), period)
		count[int(phase/period*bins)]++
	}
	// ∫ over [a, b) of rate·(1 + A cos(2π(t − peak)/P)) dt.
	integral := func(from, to float64) float64 {
		w := 2 * math.Pi / period
		return rate * ((to - from) + amplitude/w*(math.Sin(w*(to-peak))-math.Sin(w*(from-peak))))
	}
	var chi2 float64
	for i := range bins {
		from, to := float64(i)*period/bins, float64(i+1)*period/bins
		want := periods * integral(from, to)
		require.Greater(t, want, 100.0, "bin %d expects too few events to test", i)
		assert.InDelta(t, want, count[i], 4*math.Sqrt(want), "events in phase bin [%.0f s, %.0f s) = %.0f; want %.0f", from, to, count[i], want)
		chi2 += (count[i] - want) * (count[i] - want) / want
	}
	// Chi-square with 19 degrees of freedom: 43.82 at α = 0.001.
	assert.Less(t, chi2, 43.82, "chi-square of the phase bins = %.1f; want below 43.82", chi2)

	// The peak bin holds about (1 + A)/(1 − A) = 9 times the trough bin.
	assert.Greater(t, count[5]/count[15], 6.0, "peak bin / trough bin = %.2f", count[5]/count[15])

	want := rate * period * periods
	assert.InDelta(t, want, float64(len(events)), 4*math.Sqrt(want), "events over %d whole periods = %d; want %.0f", periods, len(events), want)
}

// TestDiurnalArrivalsInABurst checks that a burst multiplies the swinging
// rate: at the trough of a full swing (A = 1) nothing comes, burst or not.
func TestDiurnalArrivalsInABurst(t *testing.T) {
	t.Parallel()
	s := time.Second
	cfg := scenario.Arrivals{Process: "poisson", Rate: mustRate(t, "10/s"),
		Bursts:  []scenario.Burst{burst(0, 1000*s, 3)},
		Diurnal: &scenario.Diurnal{Amplitude: 1, Period: dur(1000 * s), Peak: 0}}
	a, err := NewArrivals(cfg, dur(2000*s), random.New(5, "arrivals"))
	require.NoError(t, err)
	events := drawUntil(t, a, 2000*s)
	// In the burst: 30·1000 on average; after it: 10·1000.
	for _, w := range []struct {
		from, to time.Duration
		want     float64
	}{{0, 1000 * s, 30_000}, {1000 * s, 2000 * s, 10_000}} {
		got := float64(countIn(events, w.from, w.to))
		assert.InDelta(t, w.want, got, 4*math.Sqrt(w.want), "events in [%v, %v) = %.0f; want %.0f", w.from, w.to, got, w.want)
	}
	// ∫ over 10 s around the trough (500 s) of 30·(1 + cos) is 30·10·(1 − sinc) ≈ 0.49.
	assert.LessOrEqual(t, countIn(events, 495*s, 505*s), 5, "events at the trough")
}

// TestBatchSizes draws batch sizes from each form of batch and checks their
// distribution, and that the rate of events (not batches) is the one
// configured. A compound Poisson count N(T) has variance rate·T·E[S²]/E[S].
func TestBatchSizes(t *testing.T) {
	t.Parallel()
	const (
		rate   = 10.0 // events per second
		length = 20_000 * time.Second
	)
	tests := []struct {
		name  string
		batch scenario.Batch
		p     func(k int) float64 // P(size = k)
		mean  float64
		mean2 float64 // E[S²]
	}{
		{
			name: "size 3", batch: scenario.Batch{Size: 3},
			p:    func(k int) float64 { return b2f(k == 3) },
			mean: 3, mean2: 9,
		},
		{
			name: "uniform 2 to 6", batch: scenario.Batch{Min: 2, Max: 6},
			p:    func(k int) float64 { return b2f(k >= 2 && k <= 6) / 5 },
			mean: 4, mean2: 2 + 16, // variance (5² − 1)/12 = 2
		},
		{
			name: "geometric mean 4", batch: scenario.Batch{Mean: 4},
			p:    func(k int) float64 { return math.Pow(0.75, float64(k-1)) * 0.25 },
			mean: 4, mean2: 2*16 - 4, // variance m(m − 1) = 12
		},
		{
			name: "mean 1 is single events", batch: scenario.Batch{Mean: 1},
			p:    func(k int) float64 { return b2f(k == 1) },
			mean: 1, mean2: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := scenario.Arrivals{Process: "poisson", Rate: mustRate(t, "10/s"), Batch: &tt.batch}
			a, err := NewArrivals(cfg, dur(length), random.New(9, "arrivals"))
			require.NoError(t, err)
			events := drawUntil(t, a, length)

			sizes := map[int]int{}
			batches := 0
			for i := 0; i < len(events); {
				j := i
				for j < len(events) && events[j] == events[i] {
					j++
				}
				sizes[j-i]++
				batches++
				i = j
			}
			require.Greater(t, batches, 10_000, "too few batches to test")
			for k := 1; k <= 40; k++ {
				p := tt.p(k)
				want := float64(batches) * p
				sd := math.Sqrt(float64(batches) * p * (1 - p))
				assert.InDelta(t, want, float64(sizes[k]), 4*sd+1e-9, "batches of size %d = %d; want %.0f", k, sizes[k], want)
			}

			want := rate * length.Seconds()
			sd := math.Sqrt(rate * length.Seconds() * tt.mean2 / tt.mean)
			assert.InDelta(t, want, float64(len(events)), 4*sd, "events in %v = %d; want %.0f ± %.0f", length, len(events), want, 4*sd)
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestConstantBatchesKeepTheEventRate checks batches on an evenly spaced
// process: batches of 4 every 4/rate.
func TestConstantBatchesKeepTheEventRate(t *testing.T) {
	t.Parallel()
	cfg := scenario.Arrivals{Process: "constant", Rate: mustRate(t, "2/s"), Batch: &scenario.Batch{Size: 4}}
	a, err := NewArrivals(cfg, dur(100*time.Second), random.New(1, "arrivals"))
	require.NoError(t, err)
	events := drawUntil(t, a, 100*time.Second)
	assert.InDelta(t, 200, len(events), 4, "events in 100 s at 2/s = %d; want 200 (give or take a batch)", len(events))
	require.Zero(t, len(events)%4, "events come four at a time")
	for i := 0; i+4 < len(events); i += 4 {
		assert.Equal(t, events[i], events[i+3], "batch at event %d", i)
		assert.InDelta(t, float64(2*time.Second), float64(events[i+4]-events[i]), 2, "gap between batches")
	}
}

// TestReplayedArrivalsComeBackInOrder loads a replay file through the
// scenario and reads it back, instants and resources.
func TestReplayedArrivalsComeBackInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		csv       string
		instants  []time.Duration
		resources []int
	}{
		{
			name:      "with resources",
			csv:       "at,resource\n1s,2\n1s,0\n2.5,1\n1m,2\n",
			instants:  []time.Duration{time.Second, time.Second, 2500 * time.Millisecond, time.Minute},
			resources: []int{2, 0, 1, 2},
		},
		{
			name:      "without resources",
			csv:       "0\n10s\n20s\n",
			instants:  []time.Duration{0, 10 * time.Second, 20 * time.Second},
			resources: []int{-1, -1, -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := replayScenario(t, tt.csv, 3)
			a, err := NewArrivals(sc.Store.Arrivals, sc.Duration, random.New(1, "arrivals"))
			require.NoError(t, err)
			var instants []time.Duration
			var resources []int
			for {
				at, res, ok := a.Next()
				if !ok {
					break
				}
				instants = append(instants, at)
				resources = append(resources, res)
			}
			assert.Equal(t, tt.instants, instants, "replayed instants")
			assert.Equal(t, tt.resources, resources, "replayed resources")
			_, _, ok := a.Next()
			assert.False(t, ok, "Next() after the end of the file")
		})
	}
}

// TestStoreKeepsTheResourcesOfAReplay checks that the store files each
// replayed event under the resource the file gives.
func TestStoreKeepsTheResourcesOfAReplay(t *testing.T) {
	t.Parallel()
	sc := replayScenario(t, "1s,2\n2s,0\n3s,1\n", 3)
	s, err := New(sc, 1)
	require.NoError(t, err)
	for seq, want := range map[int64]int32{1: 2, 2: 0, 3: 1} {
		e, ok := s.Event(seq)
		require.True(t, ok, "Event(%d)", seq)
		assert.Equal(t, want, e.Resource, "Event(%d).Resource = %d; want %d", seq, e.Resource, want)
	}
	_, ok := s.Event(4)
	assert.False(t, ok, "Event(4) of a three-line replay")
}

func replayScenario(t *testing.T, csv string, resources int) *scenario.Scenario {
	t.Helper()
	src := fmt.Sprintf(`duration: 1h
store:
  arrivals: {process: replay, replay: {file: events.csv}}
  resources: %d
clients: [{name: c, poll: {interval: 1s}}]
`, resources)
	read := func(name string) ([]byte, error) {
		require.Equal(t, "events.csv", name)
		return []byte(csv), nil
	}
	sc, err := scenario.ParseFiles("replay.yaml", []byte(src), read)
	require.NoError(t, err)
	return sc
}

func TestNewArrivalsRejectsWhatItCannotDraw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  scenario.Arrivals
		msg  string
	}{
		{"zero rate", scenario.Arrivals{Process: "poisson"}, "arrival rate must be positive"},
		{"zero constant rate", scenario.Arrivals{Process: "constant", Rate: mustRate(t, "0/s")}, "arrival rate must be positive"},
		{"replay without a file", scenario.Arrivals{Process: "replay"}, "replay without a file"},
		{"unknown process", scenario.Arrivals{Process: "bursty", Rate: mustRate(t, "1/s")}, `unknown arrival process "bursty"`},
	}
	for _, tt := range tests {
		a, err := NewArrivals(tt.cfg, dur(time.Hour), random.New(1, "a"))
		assert.Nil(t, a, "NewArrivals(%s) returned a process", tt.name)
		if assert.Error(t, err, "NewArrivals(%s)", tt.name) {
			assert.Contains(t, err.Error(), tt.msg, "NewArrivals(%s) = %v; want %q", tt.name, err, tt.msg)
		}
	}
}
