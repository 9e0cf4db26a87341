package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const overridden = `# a comment stays a comment
name: shop
duration: 24h
store:
  arrivals: {process: poisson, rate: 50/h}
clients:
  - name: poll-10s
    poll: {interval: 10s}
  - name: v1.hook
    webhook: {}
`

// parseWith applies settings to src and parses the result, as the command
// does.
func parseWith(t *testing.T, src string, settings ...Setting) (*Scenario, error) {
	t.Helper()
	o, err := Apply("shop.yaml", []byte(src), settings)
	if err != nil {
		return nil, err
	}
	sc, err := Parse("shop.yaml", o.Source())
	return sc, o.Explain(err)
}

func set(path, value string) Setting { return Setting{Path: path, Value: value, From: "-set"} }

func TestSettingsReplaceAndAddFields(t *testing.T) {
	t.Parallel()
	sc, err := parseWith(t, overridden,
		set("clients.poll-10s.poll.interval", "30s"),
		set("clients.poll-10s.poll.jitter", "1s"),
		set("store.api.rate_limit.rate", "2/s"),
		set("clients.v1.hook.outages", "[{at: 1h, for: 10m}]"),
		set("store.api.latency", "{min: 10ms, max: 20ms}"),
		set("seed", "7"),
	)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, sc.Clients[0].Poll.Interval.D())
	assert.Equal(t, time.Second, sc.Clients[0].Poll.Jitter.D())
	assert.True(t, sc.Clients[0].Poll.Paging, "the default of a field left out still applies")
	require.NotNil(t, sc.Store.API.RateLimit)
	assert.Equal(t, 2.0, sc.Store.API.RateLimit.Rate.PerSecond())
	assert.Equal(t, 1, sc.Store.API.RateLimit.Burst, "a mapping a setting creates gets its defaults")
	require.Len(t, sc.Clients[1].Outages, 1)
	assert.Equal(t, "refuse", sc.Clients[1].Outages[0].Mode)
	assert.Equal(t, 15*time.Millisecond, sc.Store.API.Latency.Distribution().Mean())
	assert.Equal(t, uint64(7), sc.Seed)
	assert.Equal(t, "shop", sc.Name)
}

func TestSettingsByIndex(t *testing.T) {
	t.Parallel()
	sc, err := parseWith(t, overridden, set("clients[0].poll.interval", "1m"), set("clients.1.outages", "[{at: 1h, for: 1m}]"))
	require.NoError(t, err)
	assert.Equal(t, time.Minute, sc.Clients[0].Poll.Interval.D())
	assert.Len(t, sc.Clients[1].Outages, 1)
}

// A setting through an alias changes that place only, not the anchor's
// other uses.
func TestSettingThroughAnAliasCopiesIt(t *testing.T) {
	t.Parallel()
	src := `name: a
duration: 1h
store: {arrivals: {process: poisson, rate: 50/h}}
clients:
  - {name: one, poll: &p {interval: 10s}}
  - {name: two, poll: *p}
`
	sc, err := parseWith(t, src, set("clients.two.poll.interval", "1m"))
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, sc.Clients[0].Poll.Interval.D())
	assert.Equal(t, time.Minute, sc.Clients[1].Poll.Interval.D())
}

// A bad value is reported at the field's place in the file, naming the
// setting that gave it.
func TestABadSetValueIsPlacedInTheFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		setting Setting
		want    string
	}{
		{set("clients.poll-10s.poll.interval", "-1s"), "shop.yaml:8:22: clients[0].poll.interval: must be positive, got -1s (given by -set clients.poll-10s.poll.interval=-1s)"},
		{set("clients.poll-10s.poll.interval", "ten"), `shop.yaml:8:22: clients[0].poll.interval: "ten" is not a duration`},
		{set("store.arrivals.rate", "50"), `shop.yaml:5:38: store.arrivals.rate: "50" has no unit`},
		{set("clients.poll-10s.poll.jitter", "20s"), "shop.yaml:8:11: clients[0].poll.jitter: must be less than interval (10s), got 20s (given by -set"},
	}
	for _, tc := range cases {
		t.Run(tc.setting.Value, func(t *testing.T) {
			t.Parallel()
			_, err := parseWith(t, overridden, tc.setting)
			var ps Problems
			require.ErrorAs(t, err, &ps)
			require.Len(t, ps, 1, "%v", err)
			assert.Contains(t, ps[0].Error(), tc.want)
		})
	}
}

func TestSettingsThatNameNoField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path, value, want string
	}{
		{"clients.poll-1s.poll.interval", "1s", `clients has no item named "poll-1s"; the names are poll-10s, v1.hook`},
		{"clients.poll-10s.poll.intervall", "1s", `clients[0].poll: unknown field "intervall" (did you mean "interval"?)`},
		{"store.api.latency.median", "1s", "store.api.latency is one value"},
		{"clients[5].poll.interval", "1s", "clients has 2 items: [5] is not one of them"},
		{"speed", "3", `the top level: unknown field "speed"`},
		{"clients.poll-10s.poll.interval", "{a: [", "is not YAML"},
		{"store..api", "1", "empty key"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			_, err := Apply("shop.yaml", []byte(overridden), []Setting{set(tc.path, tc.value)})
			var se *SettingError
			require.True(t, errors.As(err, &se), "Apply(%s=%s) = %v; want a SettingError", tc.path, tc.value, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "-set "+tc.path+"="), "the error names the flag: %v", err)
		})
	}
}

func TestParseSet(t *testing.T) {
	t.Parallel()
	path, values, err := ParseSet("clients.poll-10s.poll.interval=1s,5s, 10s")
	require.NoError(t, err)
	assert.Equal(t, "clients.poll-10s.poll.interval", path)
	assert.Equal(t, []string{"1s", "5s", "10s"}, values)

	_, values, err = ParseSet("store.api.latency={median: 40ms, p99: 250ms},'a,b',[1s, 2s]")
	require.NoError(t, err)
	assert.Equal(t, []string{"{median: 40ms, p99: 250ms}", "'a,b'", "[1s, 2s]"}, values)

	for _, bad := range []string{"interval", "=1s", "a=", "a=1s,,2s"} {
		_, _, err := ParseSet(bad)
		assert.Error(t, err, "ParseSet(%q)", bad)
	}
}

func TestPoints(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Set: "a", Values: []string{"1", "2"}}, {Set: "b", Values: []string{"x", "y", "z"}}}
	ps := Points(axes)
	require.Len(t, ps, 6)
	assert.Equal(t, []string{"1", "x"}, ps[0].Values)
	assert.Equal(t, []string{"1", "y"}, ps[1].Values, "the last axis varies fastest")
	assert.Equal(t, []string{"2", "z"}, ps[5].Values)
	assert.Nil(t, Points(nil))
	st := ps[4].Settings(axes, []string{"sweep[0]", "sweep[1]"})
	assert.Equal(t, Setting{Path: "b", Value: "y", From: "sweep[1]"}, st[1])
}
