package des

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/metrics"
)

func TestSameScenarioAndSeedGiveIdenticalResults(t *testing.T) {
	t.Parallel()
	encode := func(seed uint64) []byte {
		sc := shipped(t, "ecommerce-orders.yaml")
		sc.Seed = seed
		data, err := json.Marshal(run(t, sc))
		require.NoError(t, err)
		return data
	}
	first := encode(1)
	assert.Equal(t, string(first), string(encode(1)))
	assert.NotEqual(t, string(first), string(encode(2)), "another seed must give other results")
}

// Adding a client must not change what another client sees: each component
// draws from its own stream.
func TestAddingAClientChangesNoOtherClient(t *testing.T) {
	t.Parallel()
	one := shipped(t, "ecommerce-orders.yaml")
	two := shipped(t, "ecommerce-orders.yaml")
	extra := *two.Clients[0].Poll
	two.Clients = append(two.Clients, two.Clients[0])
	two.Clients[2].Name = "another-poller"
	two.Clients[2].Poll = &extra
	require.NoError(t, two.Validate())
	a, b := run(t, one), run(t, two)
	for _, name := range []string{"poll-10s", "webhook"} {
		assert.Equal(t, *row(t, a, name), *row(t, b, name), name)
	}
}

// A poller down for longer than the retention loses exactly the events that
// aged out before its first poll after the outage.
func TestRetentionDropsWhatAgesOutBeforeThePollerReturns(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 12h
network: {latency: 0s}
store:
  arrivals: {process: constant, rate: 60/h}
  api: {latency: 0s, retention: 1h}
clients:
  - {name: control, poll: {interval: 10s, phase: 0s}}
  - {name: away, poll: {interval: 10s, phase: 0s}, outages: [{at: 2h, for: 3h}]}
`)
	res, records := traced(t, sc)
	// The last poll before the outage is at 2h − 10s; the first after it at
	// 5h, when only events created at or after 4h are kept.
	lastBefore, firstAfter := 2*time.Hour-10*time.Second, 5*time.Hour
	want := map[int64]bool{}
	for _, r := range records["control"] {
		if r.Created > lastBefore && r.Created < firstAfter-time.Hour {
			want[r.Seq] = true
		}
	}
	got := map[int64]bool{}
	for _, r := range records["away"] {
		if r.Kind == metrics.LostForGood {
			assert.Equal(t, metrics.RetentionExpired, r.Cause)
			got[r.Seq] = true
		}
	}
	require.NotEmpty(t, want)
	assert.Equal(t, want, got)
	away := row(t, res, "away")
	assert.Equal(t, int64(len(want)), away.Dropped.ByCause["retention_expired"])
	assert.Equal(t, res.Store.Emitted, away.Delivered+away.Dropped.Total)
}

// A token bucket answers 429 with a Retry-After in whole seconds, and a
// fixed poller sends nothing until it has passed.
func TestRateLimitAnswers429AndThePollerHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 1h
network: {latency: 0s}
store:
  arrivals: {process: poisson, rate: 3600/h}
  api: {latency: 0s, rate_limit: {rate: 1/s, burst: 1}}
clients:
  - {name: eager, poll: {interval: 300ms, phase: 0s}}
`)
	res := run(t, sc)
	eager := row(t, res, "eager")
	limited := eager.Wasted.ByReason["rate_limited"]
	ok := eager.Requests.Total - limited
	// A poll every 300 ms meets an empty bucket at its second or third tick
	// after a success (tokens refill 1/s); the 429's Retry-After of 1 s then
	// holds the poller until the next tick past a full token. So successes
	// come at most one a second, and each is followed by exactly one 429.
	assert.LessOrEqual(t, float64(ok), sc.Duration.D().Seconds()+1)
	assert.InDelta(t, float64(ok), float64(limited), 1)
	assert.Zero(t, eager.Dropped.Total)
	assert.Equal(t, res.Store.Emitted, eager.Delivered+eager.InFlight)
}

// With has_more the poller pages through a backlog at once; without paging
// it reads one page per poll.
func TestPagingFollowsHasMore(t *testing.T) {
	t.Parallel()
	// 25 events between polls, 10 to a page: a poll and two pages each,
	// but the first poll at 5 s, with 12 or 13 events, needs only one page.
	const src = `
duration: 1h
drain: 0s
network: {latency: 0s}
store:
  arrivals: {process: constant, rate: 9000/h}
  api: {latency: 0s, page_size: 10}
clients:
  - {name: pages, poll: {interval: 10s, phase: 5s%s}}
`
	res := run(t, parse(t, fmt.Sprintf(src, "")))
	pages := row(t, res, "pages")
	polls := pages.Requests.ByKind["poll"]
	require.Equal(t, int64(360), polls)
	assert.Equal(t, 2*polls-1, pages.Requests.ByKind["page"])
	assert.Zero(t, pages.Wasted.Total, "every request returns new events")
	assert.Equal(t, res.Store.Emitted, pages.Delivered+pages.InFlight)

	res = run(t, parse(t, fmt.Sprintf(src, ", paging: false")))
	single := row(t, res, "pages")
	assert.Zero(t, single.Requests.ByKind["page"])
	assert.Equal(t, 10*polls, single.Delivered, "one full page per poll")
	assert.Equal(t, res.Store.Emitted-10*polls, single.InFlight, "the backlog grows by 15 events a poll")
}

// The accounting balances, with no delivery before creation, across many
// combinations of strategies and failures.
func TestAccountingBalancesEverywhere(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"tiny retention, slow pollers": `
duration: 6h
store: {arrivals: {process: poisson, rate: 100/m}, api: {retention: 30s, page_size: 7}}
clients:
  - {name: slow, poll: {interval: 1m, jitter: 20s}}
  - {name: single, poll: {interval: 45s, paging: false}}
  - {name: hook, webhook: {}}
`,
		"hang and refuse outages with exponential retries": `
duration: 12h
drain: 0s
network: {latency: {median: 50ms, p99: 2s}}
store:
  arrivals: {process: poisson, rate: 30/m}
  webhooks: {timeout: 1s, retry: {exponential: {initial: 10s, factor: 3, cap: 30m, attempts: 6}, jitter: 0.2}}
clients:
  - {name: hang, webhook: {}, outages: [{at: 1h, for: 2h, mode: hang}, {at: 5h, for: 10m}]}
  - {name: refuse, webhook: {}, outages: [{at: 11h, for: 1h}]}
  - {name: poll, poll: {interval: 5s}, outages: [{at: 3h, for: 1h}]}
`,
		"rate limited with slow network": `
duration: 3h
network: {latency: {min: 0s, max: 3s}}
store:
  arrivals: {process: constant, rate: 20/s}
  api: {latency: {mean: 200ms}, page_size: 50, rate_limit: {rate: 2/s, burst: 40}}
clients:
  - {name: a, poll: {interval: 1s}}
  - {name: b, poll: {interval: 2s}}
`,
		"no retries": `
duration: 2h
drain: 0s
store:
  arrivals: {process: poisson, rate: 10/m}
  webhooks: {retry: {delays: []}}
clients:
  - {name: once, webhook: {}, outages: [{at: 30m, for: 30m}]}
`,
		"many resources": `
duration: 2h
store: {arrivals: {process: poisson, rate: 50/s}, resources: 1000}
clients:
  - {name: poll, poll: {interval: 2s}}
  - {name: hook, webhook: {}, outages: [{at: 10m, for: 1m}]}
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := run(t, parse(t, src)) // run fails on an unbalanced account
			assert.True(t, res.Run.InvariantOK)
			for _, c := range res.Clients {
				assert.Equal(t, res.Store.Emitted, c.Delivered+c.Dropped.Total+c.InFlight, c.Name)
				assert.Positive(t, c.Delivered, c.Name)
			}
		})
	}
}

func TestCancelledRunReturnsPartialResults(t *testing.T) {
	t.Parallel()
	sc := parse(t, `
duration: 8760h
store: {arrivals: {process: poisson, rate: 1/s}}
clients:
  - {name: poll, poll: {interval: 1s}}
  - {name: hook, webhook: {}}
`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, sc, Options{})
	require.True(t, errors.Is(err, context.Canceled), "Run = %v; want context.Canceled", err)
	require.NotNil(t, res)
	assert.True(t, res.Run.Interrupted)
	assert.Less(t, res.Run.SimulatedS, sc.Duration.D().Seconds())
	assert.True(t, res.Run.InvariantOK, "the partial results balance too")
	for _, c := range res.Clients {
		assert.Equal(t, res.Store.Emitted, c.Delivered+c.Dropped.Total+c.InFlight, c.Name)
	}
}

// Once warmed up, processing an event allocates nothing.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	sc := parse(t, `
duration: 8760h
network: {latency: {median: 20ms, p99: 80ms}}
store: {arrivals: {process: poisson, rate: 2/s}, api: {rate_limit: {rate: 5/s, burst: 5}}}
clients:
  - {name: fast, poll: {interval: 100ms}}
  - {name: slow, poll: {interval: 10s}}
  - {name: hook, webhook: {}, outages: [{at: 1h, for: 5m}]}
`)
	e, err := build(sc)
	require.NoError(t, err)
	for range 2_000_000 { // past the outage and its retries
		require.True(t, e.step())
	}
	allocs := testing.AllocsPerRun(100_000, func() { e.step() })
	assert.Zero(t, allocs, "allocations per event")
}
