package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const swept = `name: shop
duration: 24h
store:
  arrivals: {process: poisson, rate: 50/h}
  webhooks: {retry: {delays: [1m, 10m]}}
clients:
  - name: poll-10s
    poll: {interval: 10s}
  - name: hook
    webhook: {}
`

func TestSweepIsLoaded(t *testing.T) {
	t.Parallel()
	sc, err := Parse("shop.yaml", []byte(swept+`sweep:
  - {set: clients.poll-10s.poll.interval, values: [1s, 5s, 1m]}
  - {set: store.api.page_size, values: [10, 100]}
`))
	require.NoError(t, err)
	require.Len(t, sc.Sweep, 2)
	assert.Equal(t, []string{"10", "100"}, sc.Sweep[1].Values, "numbers are read as the text written")
	assert.Len(t, Points(sc.Sweep), 6)
}

// Every way a sweep can be wrong is reported at its place in the file.
func TestBadSweeps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sweep, want string
	}{
		{"[{set: clients.poll-1s.poll.interval, values: [1s]}]", `:11:15: sweep[0].set: clients has no item named "poll-1s"; the names are poll-10s, hook`},
		{"[{set: clients.poll-10s.poll.interval, values: [1s, 5x]}]", `:11:60: sweep[0].values[1]: "5x" is not a duration`},
		{"[{set: clients.poll-10s.poll.intervall, values: [1s]}]", `sweep[0].set: clients[0].poll: unknown field "intervall" (did you mean "interval"?)`},
		{"[{set: store.api.page_size, values: [ten]}]", `sweep[0].values[0]: expected a whole number, got "ten"`},
		{"[{set: seed, values: []}]", "sweep[0].values: give at least one value"},
		{"[{set: seed, values: [1]}, {set: seed, values: [2]}]", "sweep[1].set: sweep[0] varies seed already"},
		{"[{set: seed, values: [1]}, {set: drain, values: [1s]}, {set: duration, values: [1h]}]", "sweep: 3 axes"},
		{"[{set: \"store.webhooks.retry.delays[0]\", values: [1m, 2m]}, {set: \"store.webhooks.retry.delays[5]\", values: [1s]}]", "sweep[1].set: store.webhooks.retry.delays has 2 items: [5] is not one of them"},
		{"[{values: [1s]}]", "sweep[0].set: required"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("shop.yaml", []byte(swept+"sweep: "+tc.sweep+"\n"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Len(t, strings.Split(err.Error(), "\n"), 1, "one problem: %v", err)
		})
	}
}

func TestSweepOfTooManyPoints(t *testing.T) {
	t.Parallel()
	values := strings.Repeat("1s, ", 30) + "1s"
	_, err := Parse("shop.yaml", []byte(swept+"sweep: [{set: clients.poll-10s.poll.interval, values: ["+values+"]}, {set: seed, values: ["+values+"]}]\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "961 runs; the most one sweep makes is 400")
}
