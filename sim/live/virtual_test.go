package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// In virtual time the live runner's HTTP costs nothing: no time passes
// while goroutines run, so every request leaves at the instant it is due and
// every answer arrives at the instant the model says. With nothing to tell
// them apart but the code that drives the decision core, the live runner
// then gives exactly the simulation's figures.

// virtualRuns shortens each shipped scenario, keeping what it is about
// (bursts, outages, crashes, catch-ups) inside the run, so that every one
// runs in a few seconds under the race detector.
var virtualRuns = map[string][]scenario.Setting{
	"adaptive-vs-fixed": set("duration", "8h"),
	"ecommerce-orders":  set("duration", "4h"),
	"flash-sale":        set("duration", "4h", "drain", "1h", "store.arrivals.bursts[0].at", "2h", "store.arrivals.bursts[0].for", "10m"),
	"many-resources":    set("duration", "20s", "drain", "10s"),
	"rare-events":       set("duration", "12h"),
	"rate-limited":      set("duration", "30m"),
	"receiver-outage": set("duration", "4h", "drain", "1h",
		"clients.down-1m.outages[0].at", "1h", "clients.down-1h.outages[0].at", "1h", "clients.down-6h.outages[0].at", "1h",
		"clients.down-1d.outages[0].at", "1h", "clients.down-2d.outages[0].at", "1h", "clients.down-4d.outages[0].at", "1h"),
	"shopify-bucket": set("duration", "4h", "drain", "1h",
		"clients.poll-10s-offline-day.outages[0].at", "1h", "clients.poll-10s-offline-day.outages[0].for", "2h"),
	"silent-loss-hybrid": set("duration", "3h"),
	"slow-receiver": set("duration", "6h", "drain", "2h",
		"clients.async.webhook.crashes", "[{at: 2h}]", "clients.async-durable.webhook.crashes", "[{at: 2h}]"),
	"zapier-operating-point": set("duration", "24h"),
}

// Every shipped scenario gives, live in virtual time, exactly what the
// simulation gives: every client's every figure.
func TestVirtualTimeMatchesSimulation(t *testing.T) {
	t.Parallel()
	for name, settings := range virtualRuns {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := shipped(t, name, settings...)
			want := simulate(t, sc)
			got := virtual(t, sc, Options{})
			assert.Equal(t, Runner, got.Run.Runner)
			assert.True(t, got.Run.InvariantOK)
			assert.False(t, got.Run.Interrupted)
			assert.Equal(t, want.Run.SimulatedS, got.Run.SimulatedS)
			assert.Equal(t, want.Store, got.Store)
			assert.Equal(t, want.Timeline, got.Timeline)
			require.Len(t, got.Clients, len(want.Clients))
			for i := range want.Clients {
				assert.Equal(t, want.Clients[i], got.Clients[i], "client %s", want.Clients[i].Name)
			}
			require.NotNil(t, got.HTTP)
			assert.Positive(t, got.HTTP.Exchanges)
		})
	}
	for name := range shippedNames(t) {
		assert.Contains(t, virtualRuns, name, "every shipped scenario is run")
	}
}

// results decodes what a run wrote to vegeta.bin.
func results(t *testing.T, bin []byte) []vegeta.Result {
	t.Helper()
	dec := vegeta.NewDecoder(bytes.NewReader(bin))
	var out []vegeta.Result
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, r)
	}
}

// A fleet sends each subscriber's polls at its phase and every interval
// after, to the nanosecond in virtual time: vegeta paces them, the pollers
// decide them.
func TestFleetPacesPollsOnTheirTicks(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 10m
drain: 0s
store:
  arrivals: {process: poisson, rate: 1/m}
  api: {latency: 5ms}
clients:
  - {name: fleet, count: 3, poll: {interval: 10s}}
`)
	var bin bytes.Buffer
	var start time.Time
	synctest.Test(t, func(t *testing.T) {
		start = time.Now()
		_, err := Run(context.Background(), sc, Options{Network: &Pipes{}, Vegeta: &bin})
		require.NoError(t, err)
	})
	sent := map[string][]time.Duration{}
	for _, r := range results(t, bin.Bytes()) {
		assert.Equal(t, "fleet", r.Attack)
		assert.Equal(t, uint16(http.StatusOK), r.Code)
		assert.Equal(t, 5*time.Millisecond, r.Latency, "the model's service time, and nothing else, in virtual time")
		u, err := url.Parse(r.URL)
		require.NoError(t, err)
		who := u.Query().Get("client")
		sent[who] = append(sent[who], r.Timestamp.Sub(start))
	}
	require.Len(t, sent, 3)
	for who, at := range sent {
		slices.Sort(at)
		require.Len(t, at, 60, "%s polls every 10 s for 10 min", who)
		assert.Less(t, at[0], 10*time.Second, "%s: the first poll falls in the first interval", who)
		for i := 1; i < len(at); i++ {
			assert.Equal(t, 10*time.Second, at[i]-at[i-1], "%s: poll %d leaves one interval after the one before", who, i)
		}
	}
}

// A receiver that hangs makes every attempt time out: the sender waits out
// its timeout, then the retry delay, so attempt i leaves at the preset's
// offset plus (i − 1) timeouts (MODELS.md §4), each a real POST.
func TestRetriesWaitOutTimeouts(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 1h
drain: 0s
store:
  arrivals: {process: constant, rate: 1/h}
  api: {enabled: false}
  webhooks: {retry: {delays: [5s, 1m, 5m]}, timeout: 15s}
clients:
  - {name: hook, webhook: {}, outages: [{at: 0s, for: 2h, mode: hang}]}
`)
	var bin bytes.Buffer
	var start time.Time
	var res *metrics.Results
	synctest.Test(t, func(t *testing.T) {
		start = time.Now()
		var err error
		res, err = Run(context.Background(), sc, Options{Network: &Pipes{}, Vegeta: &bin})
		require.NoError(t, err)
	})
	require.Equal(t, int64(1), res.Store.Emitted)
	var at []time.Duration
	for _, r := range results(t, bin.Bytes()) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Zero(t, r.Code, "no answer")
		assert.Equal(t, 15*time.Second, r.Latency, "each attempt waits out the timeout")
		at = append(at, r.Timestamp.Sub(start))
	}
	require.Len(t, at, 4)
	created := at[0]
	var offsets []time.Duration
	for _, a := range at {
		offsets = append(offsets, a-created)
	}
	assert.Equal(t, []time.Duration{0, 5*time.Second + 15*time.Second, 65*time.Second + 30*time.Second, 365*time.Second + 45*time.Second}, offsets)
	hook := res.Client("hook")
	assert.Equal(t, int64(1), hook.Dropped.ByCause["retries_exhausted"])
	assert.Equal(t, int64(4), hook.Wasted.ByReason["timed_out"])
}

// A long poll is held until the first event after its cursor, or its hold:
// the answer leaves exactly then, plus the service time.
func TestLongPollsAreHeldUntilAnEvent(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 1h
drain: 0s
store:
  arrivals: {process: constant, rate: 1/m}
  api: {latency: 10ms}
clients:
  - {name: long, poll: {long: {hold: 45s}}}
`)
	var bin bytes.Buffer
	var start time.Time
	var res *metrics.Results
	synctest.Test(t, func(t *testing.T) {
		start = time.Now()
		var err error
		res, err = Run(context.Background(), sc, Options{Network: &Pipes{}, Vegeta: &bin})
		require.NoError(t, err)
	})
	want := simulate(t, sc)
	assert.Equal(t, want.Clients, res.Clients)
	long := res.Client("long")
	require.NotNil(t, long.EmptyPollFraction)
	assert.Equal(t, res.Store.Emitted, long.Delivered)
	// Only an event created before the first poll waits: every other is
	// caught by a poll held for it, and only the service time is left.
	assert.InDelta(t, 0.01, long.Latency.P90S, 0.0001, "held until the event")
	held, full := 0, 0
	for _, r := range results(t, bin.Bytes()) {
		require.Contains(t, r.URL, "wait=45s")
		switch {
		case r.Latency == 45*time.Second+10*time.Millisecond:
			full++ // no event came within the hold
		case r.Latency < 45*time.Second:
			held++
		default:
			t.Errorf("a long poll at %v took %v: beyond its hold", r.Timestamp.Sub(start), r.Latency)
		}
	}
	assert.Positive(t, held)
	// Between two events a minute apart, the poll sent just after the
	// first waits out its whole 45 s hold, and the next is held until the
	// second: one full hold for each gap.
	assert.Equal(t, res.Store.Emitted-1, int64(full), "full holds")
}

// Interrupting a run stops it where it is: the results so far, marked
// interrupted and balanced, and every server shut down, every goroutine
// gone (synctest.Test fails on any left).
func TestInterruptStopsCleanly(t *testing.T) {
	t.Parallel()
	sc := shipped(t, "slow-receiver", set("duration", "6h", "drain", "2h",
		"clients.async.webhook.crashes", "[{at: 2h}]", "clients.async-durable.webhook.crashes", "[{at: 2h}]")...)
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(3*time.Hour, cancel)
		pipes := &Pipes{}
		var storeURL string
		res, err := Run(ctx, sc, Options{Network: pipes, Started: func(u string) { storeURL = u }})
		require.ErrorIs(t, err, context.Canceled)
		require.NotNil(t, res)
		assert.True(t, res.Run.Interrupted)
		assert.InDelta(t, 3*3600, res.Run.SimulatedS, 1e-6)
		assert.True(t, res.Run.InvariantOK, "the account balances at the instant the run stopped")
		for _, c := range res.Clients {
			assert.Equal(t, c.Emitted, c.Delivered+c.Dropped.Total+c.InFlight, c.Name)
		}
		host := strings.TrimPrefix(storeURL, "http://")
		_, err = pipes.DialContext(context.Background(), "tcp", host)
		assert.Error(t, err, "the store no longer listens")
	})
}

// shippedNames lists the shipped scenarios.
func shippedNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, f := range shippedFiles(t) {
		names[f] = true
	}
	return names
}
