package model_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/des"
	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/model"
	"github.com/pushpull/pushpull/sim/scenario"
)

// validationFile is the page TestValidationDocIsCurrent keeps current.
const validationFile = "../../docs/validation.md"

// update rewrites docs/validation.md instead of comparing it: make validate.
var update = flag.Bool("update", false, "rewrite docs/validation.md")

// TestValidationDocIsCurrent keeps docs/validation.md equal to what the
// models and the simulator give today for each published claim; with
// -update (make validate) it rewrites the file.
func TestValidationDocIsCurrent(t *testing.T) {
	t.Parallel()
	got := validationDoc(t)
	if *update {
		require.NoError(t, os.WriteFile(validationFile, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(validationFile)
	require.NoError(t, err, "regenerate it with: make validate")
	if diff := firstLineDiff(string(want), got); diff != "" {
		t.Errorf("%s is out of date (%s); regenerate it with: make validate", validationFile, diff)
	}
}

// firstLineDiff describes the first line where the file differs from the
// text generated for it, or returns "" when they are equal.
func firstLineDiff(inFile, generated string) string {
	if inFile == generated {
		return ""
	}
	f, g := strings.Split(inFile, "\n"), strings.Split(generated, "\n")
	for i := range max(len(f), len(g)) {
		fl, gl := "(none)", "(none)"
		if i < len(f) {
			fl = strconv.Quote(f[i])
		}
		if i < len(g) {
			gl = strconv.Quote(g[i])
		}
		if fl != gl {
			return fmt.Sprintf("line %d reads %s; generated: %s", i+1, fl, gl)
		}
	}
	return "they differ"
}

// A job is one simulation behind the page: a shipped scenario with settings,
// or a scenario written here, and what to keep of it.
type job struct {
	file     string             // under scenarios/; "" for src
	src      string             // a scenario written here
	settings []scenario.Setting // applied to file
	only     []string           // the clients to run; all when empty

	sc  *scenario.Scenario
	res *metrics.Results
}

// set makes settings of path, value pairs, as -set gives them.
func set(pairs ...string) []scenario.Setting {
	var out []scenario.Setting
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, scenario.Setting{Path: pairs[i], Value: pairs[i+1], From: "validation"})
	}
	return out
}

// load parses the job's scenario.
func (j *job) load(t *testing.T) {
	t.Helper()
	if j.file == "" {
		sc, err := scenario.Parse("validation.yaml", []byte(j.src))
		require.NoError(t, err)
		j.sc = sc
		return
	}
	path := filepath.Join("..", "..", "scenarios", j.file)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	if len(j.settings) > 0 {
		o, err := scenario.Apply(path, src, j.settings)
		require.NoError(t, err)
		src = o.Source()
	}
	sc, err := scenario.ParseFiles(path, src, os.ReadFile)
	require.NoError(t, err)
	if len(j.only) > 0 {
		var kept []scenario.Client
		for _, c := range sc.Clients {
			for _, name := range j.only {
				if c.Name == name {
					kept = append(kept, c)
				}
			}
		}
		require.Len(t, kept, len(j.only), "clients of %s", j.file)
		sc.Clients = kept
	}
	j.sc = sc
}

// simulate runs every job at once, annotates its results with what the
// models predict (model.Check) and requires every figure within its
// tolerance: the page reports no figure the models and the simulator
// disagree on. Each run has its own seed, so the results do not depend on
// the order the runs take.
func simulate(t *testing.T, jobs ...*job) {
	t.Helper()
	for _, j := range jobs {
		j.load(t)
	}
	errs := make([]error, len(jobs))
	outside := make([][]string, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			j.res, errs[i] = des.Run(context.Background(), j.sc, des.Options{})
			if errs[i] == nil {
				outside[i] = model.Check(j.sc, j.res)
			}
		})
	}
	wg.Wait()
	for i, j := range jobs {
		require.NoError(t, errs[i], "running %s", j.sc.Name)
		require.True(t, j.res.Run.InvariantOK, j.sc.Name)
		require.Empty(t, outside[i], "model.Check(%s): figures outside their tolerance", j)
	}
}

// String names the job's scenario and the settings applied to it.
func (j *job) String() string {
	name := j.sc.Name
	for _, s := range j.settings {
		name += " " + s.Path + "=" + s.Value
	}
	return name
}

// client returns the results of the client named name.
func (j *job) client(t *testing.T, name string) *metrics.ClientResults {
	t.Helper()
	c := j.res.Client(name)
	require.NotNil(t, c, "no client %q in %s", name, j.sc.Name)
	require.NotNil(t, c.Model, "%s: no model", name)
	return c
}

// expect returns the model's value of metric for the client named name,
// with the measured value and its tolerance (model.Check).
func (j *job) expect(t *testing.T, name, metric string) metrics.Expected {
	t.Helper()
	e, ok := j.predicted(t, name, metric)
	require.True(t, ok, "%s: the model predicts no %s, or the run measured none", name, metric)
	return e
}

// predicted returns what the model predicts of metric for the client named
// name, with the measurement and its tolerance, if it predicts it.
func (j *job) predicted(t *testing.T, name, metric string) (metrics.Expected, bool) {
	t.Helper()
	e, ok := j.client(t, name).Model.Expected[metric]
	return e, ok && e.Measured != nil
}

// A claim is one published statement and what pushpull makes of it.
type claim struct {
	title   string
	source  string
	quote   string // the claim as published
	summary string // the verdict in one sentence, for the table of claims
	verdict string // one paragraph: does it hold, and the exact value
	run     string // what was simulated; "" when nothing could be
	rows    []row
}

// A row is one figure of a claim.
type row struct {
	figure, published, model, measured, note string
}

// measured formats a measurement with its tolerance, both through f.
func measured(v, tol float64, f func(float64) string) string {
	return f(v) + " ± " + f(tol)
}

// fixed formats with prec decimals and thousands separators.
func fixed(prec int) func(float64) string {
	return func(v float64) string {
		if math.Abs(v) < 0.5*math.Pow(10, -float64(prec)) {
			v = 0 // no "-0.00"
		}
		whole, frac, _ := strings.Cut(strconv.FormatFloat(v, 'f', prec, 64), ".")
		sign := ""
		if strings.HasPrefix(whole, "-") {
			sign, whole = "−", whole[1:]
		}
		var b strings.Builder
		b.WriteString(sign)
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		if frac != "" {
			b.WriteString("." + frac)
		}
		return b.String()
	}
}

// percent formats a fraction as a percentage with prec decimals.
func percent(prec int) func(float64) string {
	return func(v float64) string { return fixed(prec)(100*v) + " %" }
}

// count formats a whole number with thousands separators.
func count(v float64) string { return fixed(0)(v) }

// seconds formats seconds with prec decimals.
func seconds(prec int) func(float64) string {
	return func(v float64) string { return fixed(prec)(v) + " s" }
}

// millis formats seconds as milliseconds with one decimal.
func millis(v float64) string { return fixed(1)(1000*v) + " ms" }

// validationDoc builds docs/validation.md.
func validationDoc(t *testing.T) string {
	const month = "720h" // 30 days
	ecommerce := &job{file: "ecommerce-orders.yaml", settings: set("duration", month)}
	even := &job{file: "ecommerce-orders.yaml", settings: set("duration", month, "store.arrivals.process", "constant"), only: []string{"poll-10s"}}
	rare := &job{file: "rare-events.yaml", settings: set("duration", month), only: []string{"poll-10s"}}
	resources := &job{file: "many-resources.yaml", settings: set("duration", "1m", "drain", "1m"), only: []string{"per-resource-10s"}}
	daily := &job{file: "rate-limited.yaml", settings: set("duration", "168h"), only: []string{"poll-10s"}}
	zapier := &job{file: "zapier-operating-point.yaml", settings: set("duration", "70080h", "clients.poll-15m.count", "1", "clients.rest-hook.count", "1")}
	matched := &job{src: matchedSrc("constant")}
	matchedPoisson := &job{src: matchedSrc("poisson")}
	silent := &job{file: "silent-loss-hybrid.yaml", settings: set("store.webhooks.silent_loss", "0.2"), only: []string{"webhook", "webhook-reconcile-1h"}}
	simulate(t, ecommerce, even, rare, resources, daily, zapier, matched, matchedPoisson, silent)

	claims := []claim{
		fiftyOrders(t, ecommerce, even),
		oneEventAnHour(t, rare),
		thousandResources(t, resources),
		aDayBehindALimit(t, daily),
		zapierHooks(t, zapier),
		bozdag(t, matched, matchedPoisson),
		silentLoss(t, silent),
	}
	return render(claims)
}

// matchedSrc is a feed whose events are published every 10 s (evenly, or
// at that mean rate as a Poisson process), polled every 10 s and every 5 s,
// with no network or service time so that polls and events keep their
// phase.
func matchedSrc(process string) string {
	return `
name: interval-matches-publishing-` + process + `
seed: 1
duration: 24h
network: {latency: 0s}
store:
  arrivals: {process: ` + process + `, rate: 6/m}
  api: {latency: 0s}
clients:
  - {name: poll-10s, poll: {interval: 10s}}
  - {name: poll-5s, poll: {interval: 5s}}
`
}

// latticeTolerance is the tolerance of a fraction of n polls of evenly
// spaced events that are never closer than a snapshot gap: each event is in
// exactly one poll, so the count is fixed but for the phase of the first.
// (Check's lattice slack, 1/q of the fraction, bounds any spacing and is far
// wider here.)
func latticeTolerance(n int64) float64 { return 1 / float64(n) }

// back is b, the mean time from the store's snapshot to the client holding
// the response: the API's service time plus one network leg.
func back(sc *scenario.Scenario) float64 {
	return sc.Store.API.Latency.Distribution().Mean().Seconds() + sc.Network.Latency.Distribution().Mean().Seconds()
}

func fiftyOrders(t *testing.T, poisson, even *job) claim {
	t.Helper()
	const name = "poll-10s"
	const perHour = 360.0 // polls an hour: 3600/T
	x := 50.0 / perHour

	pEmpty := poisson.expect(t, name, "empty_poll_fraction")
	eEmpty := even.expect(t, name, "empty_poll_fraction")
	rate := poisson.expect(t, name, "requests_per_s")
	latency := poisson.expect(t, name, "mean_latency_s")
	hookRate := poisson.expect(t, "webhook", "requests_per_s")
	hookWaste := poisson.expect(t, "webhook", "wasted_fraction")
	hookMean := poisson.expect(t, "webhook", "mean_latency_s")
	hookP99 := poisson.expect(t, "webhook", "p99_latency_s")
	polls := poisson.client(t, name).Requests.ByKind["poll"]
	evenTol := latticeTolerance(even.client(t, name).Requests.ByKind["poll"])
	require.InDelta(t, math.Exp(-x), pEmpty.Value, 1e-6, "e^(−λT)")
	require.InDelta(t, 1-x, eEmpty.Value, 1e-6, "(1 − λT)⁺")
	require.Equal(t, 0.0, *poisson.client(t, name).Wasted.Fraction-*pEmpty.Measured, "every wasted poll is an empty one")

	useful := perHour * (1 - pEmpty.Value)
	window := poisson.sc.Duration.D().Seconds()
	n1, n2 := fixed(1), fixed(2)
	return claim{
		title:   "50 orders an hour, polled every 10 s",
		source:  "webhook-vs-API articles",
		quote:   "50 orders an hour, polled every 10 s: 360 requests an hour, ~50 useful, ~310 wasted (86 %), a mean latency of 5 s, 259,200 calls a month; webhooks ~50 requests an hour, none wasted, under 1 s.",
		summary: "Holds for evenly spaced orders; Poisson orders give " + n2(useful) + " useful and " + n1(perHour*pEmpty.Value) + " (" + percent(2)(pEmpty.Value) + ") wasted polls an hour.",
		verdict: "Holds for orders that arrive evenly spaced. Orders that arrive at random (Poisson) sometimes share a poll, so " +
			"3600(1 − e^(−λT))/T = " + n2(useful) + " polls an hour find an order, not 50, and " +
			n1(perHour*pEmpty.Value) + " (" + percent(2)(pEmpty.Value) + ", e^(−λT)) come back empty. The rest holds for either.",
		run: "`scenarios/ecommerce-orders.yaml` for 720 h (a 30-day month), seed 1; for evenly spaced orders the same with `store.arrivals.process: constant`.",
		rows: []row{
			{"polls an hour", "360", count(perHour) + " (3600/T)",
				measured(*rate.Measured*3600, rate.Tolerance*3600, n2),
				"Exact: a fixed interval polls whatever happens."},
			{"useful polls an hour, Poisson orders", "~50", n2(useful) + " (3600(1 − e^(−λT))/T)",
				measured(perHour*(1-*pEmpty.Measured), perHour*pEmpty.Tolerance, n2),
				"Loose: the " + n2(50-useful) + " short of 50 are orders caught by a poll that caught another."},
			{"useful polls an hour, evenly spaced orders", "~50", n2(perHour*(1-eEmpty.Value)) + " (3600·λT/T)",
				measured(perHour*(1-*eEmpty.Measured), perHour*evenTol, n2),
				"Holds: orders 72 s apart never share a 10 s poll."},
			{"wasted polls an hour, Poisson orders", "~310 (86 %)", n1(perHour*pEmpty.Value) + " (" + percent(2)(pEmpty.Value) + ", e^(−λT))",
				measured(perHour**pEmpty.Measured, perHour*pEmpty.Tolerance, n1) + " (" + percent(2)(*pEmpty.Measured) + ")",
				"87.0 %, not 86 %: the published figure is the evenly spaced one."},
			{"wasted polls an hour, evenly spaced orders", "~310 (86 %)", n1(perHour*eEmpty.Value) + " (" + percent(2)(eEmpty.Value) + ", 1 − λT)",
				measured(perHour**eEmpty.Measured, perHour*evenTol, n1) + " (" + percent(2)(*eEmpty.Measured) + ")",
				"Holds."},
			{"mean latency", "5 s", seconds(3)(latency.Value) + " (T/2 + b)",
				measured(*latency.Measured, latency.Tolerance, seconds(3)),
				"T/2 = 5 s for any arrival process; b = " + millis(back(poisson.sc)) + " is the API's mean response time plus one network leg."},
			{"calls a month", "259,200", count(rate.Value*window) + " (30 × 8,640)",
				count(float64(polls)) + " ± " + count(math.Ceil(rate.Tolerance*window)),
				"Exact for a 30-day month; a 31-day month has 267,840."},
			{"webhook requests an hour", "~50", n2(hookRate.Value*3600) + " (λ)",
				measured(*hookRate.Measured*3600, hookRate.Tolerance*3600, n2),
				"Holds: one request per order while no attempt fails."},
			{"webhook requests wasted", "0", percent(1)(hookWaste.Value),
				percent(1)(*hookWaste.Measured),
				"Holds while the receiver is up; retries after failures are the only waste."},
			{"webhook latency", "< 1 s", millis(hookMean.Value) + " mean, " + millis(hookP99.Value) + " p99 (one network leg)",
				millis(*hookMean.Measured) + " ± " + millis(hookMean.Tolerance) + " mean, " + millis(*hookP99.Measured) + " ± " + millis(hookP99.Tolerance) + " p99",
				"Holds: one network leg, no wait for a poll."},
		},
	}
}

func oneEventAnHour(t *testing.T, rare *job) claim {
	t.Helper()
	const name = "poll-10s"
	x := 10.0 / 3600
	empty := rare.expect(t, name, "empty_poll_fraction")
	perEvent := rare.expect(t, name, "requests_per_delivered_event")
	require.InDelta(t, math.Exp(-x), empty.Value, 1e-6, "e^(−λT)")
	c := rare.client(t, name)
	require.Equal(t, c.Requests.ByKind["poll"], c.Requests.Total, "polls only")

	// Wasted per useful poll is e/(1 − e) for an empty fraction e; its
	// tolerance follows by the delta method, d/de e/(1 − e) = 1/(1 − e)².
	perUseful := func(e float64) float64 { return e / (1 - e) }
	usefulTol := empty.Tolerance / ((1 - empty.Value) * (1 - empty.Value))
	// Wasted per event delivered is (requests per event) × e.
	wastedPerEvent := float64(c.Wasted.Total) / float64(c.Delivered)
	// Four standard errors of the relative difference between 359.50 and
	// 359 need (4/rel)² useful polls.
	rel := (perUseful(empty.Value) - 359) / perUseful(empty.Value)
	usefulNeeded := (4 / rel) * (4 / rel)
	pollsNeeded := usefulNeeded / (1 - empty.Value)
	n2 := fixed(2)
	return claim{
		title:   "One event an hour, polled every 10 s",
		source:  "webhook-vs-API articles",
		quote:   "Polling every 10 s for one event an hour makes 359 wasted requests per useful one.",
		summary: "Holds per event delivered (" + n2(math.Exp(-x)/x) + "); per useful poll Poisson events give " + n2(perUseful(empty.Value)) + ".",
		verdict: "Holds per event delivered: 360e^(−λT) = " + n2(math.Exp(-x)/x) + " empty polls an hour for one event an hour. " +
			"Per useful poll it is exactly 359 only for evenly spaced events; for Poisson events it is 1/(e^(λT) − 1) = " + n2(perUseful(empty.Value)) +
			", since now and then one poll brings two events. Telling 359 from " + n2(perUseful(empty.Value)) + " apart by simulation would take " +
			fixed(0)(usefulNeeded/1e6) + " million useful polls (" + fixed(1)(pollsNeeded/1e9) + " billion polls); the closed form settles it.",
		run: "`scenarios/rare-events.yaml` for 720 h, client `poll-10s`, seed 1.",
		rows: []row{
			{"wasted polls per useful poll, Poisson events", "359", n2(perUseful(empty.Value)) + " (1/(e^(λT) − 1))",
				measured(perUseful(*empty.Measured), usefulTol, fixed(1)),
				percent(2)(rel) + " above the published 359, which is exact for evenly spaced events."},
			{"wasted polls per event delivered, Poisson events", "359", n2(math.Exp(-x)/x) + " (e^(−λT)/λT)",
				measured(wastedPerEvent, perEvent.Tolerance*empty.Value, fixed(1)),
				"Holds."},
			{"requests per event delivered", "360", n2(perEvent.Value) + " (1/λT)",
				measured(*perEvent.Measured, perEvent.Tolerance, fixed(1)),
				"Holds for any arrival process."},
		},
	}
}

func thousandResources(t *testing.T, resources *job) claim {
	t.Helper()
	const name = "per-resource-10s"
	rate := resources.expect(t, name, "requests_per_s")
	c := resources.client(t, name)
	require.Zero(t, c.Requests.ByKind["page"], "no poll needs a second page")
	n2 := fixed(2)
	return claim{
		title:   "1,000 resources polled every 10 s",
		source:  "webhook-vs-API articles",
		quote:   "Polling 1,000 resources every 10 s is 100 requests a second.",
		summary: "Exact while one page per poll suffices.",
		verdict: "Exact while one page per poll suffices. A resource that gathers more changes than a page holds between two polls needs 1 + Σ_{m≥1} P(Poisson(λT) > mL) pages per poll on average.",
		run:     "`scenarios/many-resources.yaml` for 1 min, client `per-resource-10s`, seed 1 (600 changes an hour over the 1,000 resources).",
		rows: []row{
			{"requests a second", "100", n2(rate.Value) + " (M/T)",
				measured(*rate.Measured, rate.Tolerance, n2),
				"Exact: at 0.6 changes an hour per resource no poll needs a second page."},
		},
	}
}

func aDayBehindALimit(t *testing.T, daily *job) claim {
	t.Helper()
	const name = "poll-10s"
	const perDay = 8640.0 // polls a day: 86,400/T
	x := 50.0 / perDay
	rate := daily.expect(t, name, "requests_per_s")
	empty := daily.expect(t, name, "empty_poll_fraction")
	waste := daily.expect(t, name, "wasted_fraction")
	require.InDelta(t, math.Exp(-x), empty.Value, 1e-6, "e^(−λT)")
	limited := daily.client(t, name).Wasted.ByReason["rate_limited"]
	useful := perDay * (1 - empty.Value)
	n2 := fixed(2)
	return claim{
		title:   "A day of polling behind 100 requests a minute",
		source:  "webhook-vs-API articles",
		quote:   "With a limit of 100 requests a minute, polling every 10 s makes 8,640 calls a day for maybe 50 orders.",
		summary: "Holds for 50 orders a day: 8,640 calls, " + n2(useful) + " find an order, " + percent(2)(waste.Value) + " wasted; the limit never binds.",
		verdict: "Holds, for 50 orders a day: of 8,640 calls, 8,640(1 − e^(−λT)) = " + n2(useful) + " find an order and " +
			percent(2)(waste.Value) + " are wasted. The limit plays no part: 6 requests a minute use 6 % of it.",
		run: "`scenarios/rate-limited.yaml` (50 orders a day, limit 100/m, burst 100) for 168 h, client `poll-10s` alone, seed 1.",
		rows: []row{
			{"calls a day", "8,640", count(rate.Value*86400) + " (86,400/T)",
				measured(*rate.Measured*86400, rate.Tolerance*86400, n2),
				"Exact."},
			{"calls that find an order, a day", "maybe 50", n2(useful) + " (8,640(1 − e^(−λT)))",
				measured(perDay*(1-*empty.Measured), perDay*empty.Tolerance, n2),
				"Holds: the " + n2(50-useful) + " short of 50 are orders caught by a poll that caught another; evenly spaced orders give exactly 50."},
			{"wasted calls", "—", percent(2)(waste.Value) + " (e^(−λT))",
				measured(*waste.Measured, waste.Tolerance, percent(2)),
				"Evenly spaced orders give " + percent(3)(1-x) + " (1 − λT) against " + percent(3)(math.Exp(-x)) + "."},
			{"calls refused by the limit (429)", "—", "0 (6/m against 100/m)",
				count(float64(limited)),
				"The limit binds only below a 0.6 s interval."},
		},
	}
}

func zapierHooks(t *testing.T, zapier *job) claim {
	t.Helper()
	empty := zapier.expect(t, "poll-15m", "empty_poll_fraction")
	perEvent := zapier.expect(t, "poll-15m", "requests_per_delivered_event")
	hook := zapier.expect(t, "rest-hook", "requests_per_delivered_event")
	const polls, acted = 30e6, 460e3
	wasted := 1 - acted/polls
	x := -math.Log(wasted) // λT for which e^(−λT) is the published fraction
	n1, n2 := fixed(1), fixed(2)
	return claim{
		title:   "Zapier: 98.5 % of polls wasted, 66× less load with hooks",
		source:  "Zapier, REST Hooks, resthooks.org, 2013",
		quote:   "Of 30 million polls, 460,000 were acted on: 98.5 % of polls are wasted; REST hooks cut the load 66-fold.",
		summary: "98.5 % is " + percent(3)(wasted) + " rounded (λT = " + fixed(5)(x) + "); 66× is loose: the counts give " + n1(polls/acted) + " polls per poll acted on, " + n1(1/x) + " per event.",
		verdict: "98.5 % is the rounding of 1 − 460 k/30 M = " + percent(3)(wasted) + ", which is e^(−λT) at λT = " + fixed(5)(x) +
			": polling every 15 min for one event every " + fixed(0)(15/x) + " min. 66× is loose: the published counts give 30 M/460 k = " +
			n1(polls/acted) + " polls per poll acted on and, for Poisson events, 1/λT = " + n1(1/x) +
			" polls per event, against one hook request per event; 66 follows only from the rounded 1.5 % (1/0.015 = 66.7).",
		run: "`scenarios/zapier-operating-point.yaml` (λT = 0.015) with one subscriber per client (`count: 1`) for 70,080 h (8 years), seed 1.",
		rows: []row{
			{"polls wasted", "98.5 %", percent(2)(empty.Value) + " (e^(−0.015))",
				measured(*empty.Measured, empty.Tolerance, percent(2)),
				"At the published counts' λT = " + fixed(5)(x) + " it is " + percent(2)(wasted) + "; both round to 98.5 %."},
			{"polls per event", "66 (load ratio)", n2(perEvent.Value) + " (1/λT)",
				measured(*perEvent.Measured, perEvent.Tolerance, n2),
				"At the published counts' λT it is " + n1(1/x) + "."},
			{"hook requests per event", "1", n2(hook.Value),
				measured(*hook.Measured, hook.Tolerance, n2),
				"Holds while the receiver is up."},
		},
	}
}

func bozdag(t *testing.T, even, poisson *job) claim {
	t.Helper()
	n2 := fixed(2)
	// figures formats the empty fraction and requests per event of a
	// client: the model's, or the measurement's with its tolerance.
	figures := func(j *job, name string, measuredToo bool) string {
		e := j.expect(t, name, "empty_poll_fraction")
		r := j.expect(t, name, "requests_per_delivered_event")
		if !measuredToo {
			return percent(2)(e.Value) + " empty, " + n2(r.Value) + " req/event"
		}
		tol := e.Tolerance
		if j == even {
			tol = latticeTolerance(j.client(t, name).Requests.ByKind["poll"])
		}
		return measured(*e.Measured, tol, percent(2)) + " empty, " + measured(*r.Measured, r.Tolerance, n2) + " req/event"
	}
	random := poisson.expect(t, "poll-10s", "empty_poll_fraction")
	crowded := 1 - 2*random.Value // P(two or more events in a poll) at λT = 1
	return claim{
		title:   "Push against pull for AJAX",
		source:  "E. Bozdag, A. Mesbah, A. van Deursen, \"A Comparison of Push and Pull Techniques for AJAX\", WSE 2007",
		quote:   "Push's server CPU is about 7× pull's; the push server saturates at 350–500 users; pull is efficient only when the poll interval matches the publish interval.",
		summary: "CPU and saturation are live measurements, not reproducible in virtual time; interval matching holds for evenly spaced events only.",
		verdict: "The CPU ratio and the saturation point are measurements of one server under live load, not results of a formula: pushpull runs in virtual time, " +
			"where a request costs no CPU, so it cannot reproduce them. The third statement is about requests, and holds exactly for events published at a fixed " +
			"interval: polled at that interval, no poll is empty and none brings two events. Events published at random at the same mean rate cannot be matched: " +
			"e^(−1) = " + percent(2)(random.Value) + " of polls come back empty and " + percent(2)(crowded) + " bring two or more.",
		run: "24 h of events every 10 s (`process: constant`, then `poisson` at the same rate), polled every 10 s and every 5 s, no network or service time, seed 1.",
		rows: []row{
			{"server CPU, push against pull", "7×", "—", "—", "Not reproducible in virtual time."},
			{"users at which push saturates", "350–500", "—", "—", "Not reproducible in virtual time."},
			{"poll interval = publish interval (10 s)", "efficient only here", figures(even, "poll-10s", false) + " ((1 − λT)⁺, 1/λT)", figures(even, "poll-10s", true), "Holds."},
			{"poll interval = half the publish interval (5 s)", "—", figures(even, "poll-5s", false), figures(even, "poll-5s", true), "Half the polls are wasted."},
			{"poll interval = mean gap of Poisson events (10 s)", "—", figures(poisson, "poll-10s", false) + " (e^(−λT), 1/λT)", figures(poisson, "poll-10s", true),
				"Random events cannot be matched."},
		},
	}
}

func silentLoss(t *testing.T, silent *job) claim {
	t.Helper()
	const hybridName = "webhook-reconcile-1h"
	q := silent.sc.Store.Webhooks.SilentLoss
	require.Equal(t, 0.2, q)
	drop := silent.expect(t, "webhook", "dropped_rate")
	push := silent.expect(t, "webhook", "mean_latency_s")
	hybrid := silent.client(t, hybridName)
	var r float64
	for _, c := range silent.sc.Clients {
		if c.Name == hybridName {
			r = c.Reconcile.Every.D().Seconds()
		}
	}
	require.Positive(t, r)
	// MODELS.md §5: an event push missed arrives at the next reconciliation,
	// U(0, R) + b after its creation; the rest arrive by push. Where the
	// model does not predict the hybrid's figures, the closed form is
	// written out here, with the variance of the mixture to the order of R².
	latency, ok := silent.predicted(t, hybridName, "mean_latency_s")
	if !ok {
		latency.Value = (1-q)*push.Value + q*(r/2+back(silent.sc))
		variance := q*r*r/3 - (q*r/2)*(q*r/2)
		latency.Tolerance = 4 * math.Sqrt(variance/float64(hybrid.Delivered))
		latency.Measured = &hybrid.Latency.MeanS
		require.InDelta(t, latency.Value, *latency.Measured, latency.Tolerance,
			"%s mean latency against (1 − q)·E[W] + q(R/2 + b)", hybridName)
	}
	lost, ok := silent.predicted(t, hybridName, "dropped_rate")
	if !ok {
		// Retention outlasts R: the reconciliation loses nothing.
		lost.Measured = hybrid.Dropped.Rate
		require.NotNil(t, lost.Measured)
		require.Zero(t, *lost.Measured, "%s dropped rate", hybridName)
	}
	require.NotNil(t, lost.Measured)
	return claim{
		title:   "20 % of webhooks fail silently at peak",
		source:  "carrier-integration blogs",
		quote:   "20 % of webhooks fail silently at peak.",
		summary: "An input, not a result: the knob `store.webhooks.silent_loss`.",
		verdict: "An input, not a result: how often a real sender loses events is a fact about that sender, which no simulation can establish, and this figure's origin cannot be traced. " +
			"pushpull makes it a knob, `store.webhooks.silent_loss`, and measures what such a loss costs and what a reconciliation poll recovers.",
		run: "`scenarios/silent-loss-hybrid.yaml` (200 events an hour, 168 h) with `store.webhooks.silent_loss: 0.2`, seed 1.",
		rows: []row{
			{"events push loses", "20 %", percent(2)(drop.Value) + " (q)",
				measured(*drop.Measured, drop.Tolerance, percent(2)),
				"The knob's value; retries cannot recover it, since no attempt failed."},
			{"events lost with a reconciliation every hour", "—", percent(2)(lost.Value) + " (retention 720 h > R)",
				measured(*lost.Measured, lost.Tolerance, percent(2)),
				"Each event push missed arrives with the next reconciliation."},
			{"mean latency with a reconciliation every hour", "—", seconds(1)(latency.Value) + " ((1 − q)·E[W] + q(R/2 + b))",
				measured(*latency.Measured, latency.Tolerance, seconds(1)),
				"The loss costs q·R/2 = " + seconds(0)(q*r/2) + " of mean latency; the median, " + millis(hybrid.Latency.P50S) + ", is still one network leg."},
		},
	}
}

// render writes the page.
func render(claims []claim) string {
	var b strings.Builder
	b.WriteString(`# Published numbers, checked

<!-- Generated by make validate (go test ./sim/model -run TestValidationDocIsCurrent -update); do not edit. -->

Articles, vendor pages and papers quote figures about polling and webhooks that users hold pushpull against. For each
one this page gives the figure as published and where, the exact value of the closed forms pushpull's models use
([models.md](models.md)), the value pushpull measures in a discrete-event run, and what explains any difference.

A measured value is given with its tolerance: four standard errors at the run's sample size, from the model's own
variance ([models.md](models.md#tolerances)); where the model does not name the figure, from the variance of the
closed form written beside it; for evenly spaced events, whose counts the lattice fixes, one poll. Every run has a
fixed seed, so the page is the same on every machine.

` + "`make validate`" + ` regenerates this page from the code; ` + "`TestValidationDocIsCurrent`" + ` in ` + "`sim/model`" + ` fails when it
is out of date, so every number here is what the models and the simulator give today.

Notation: λ is the event rate, T the poll interval, λT the events per interval, b the time from the store's snapshot
to the client holding the response (the API's response time plus one network leg), q the silent loss, R the
reconciliation period.

| claim | source | verdict |
|---|---|---|
`)
	for i, c := range claims {
		fmt.Fprintf(&b, "| [%s](#%d-%s) | %s | %s |\n", c.title, i+1, anchor(c.title), c.source, c.summary)
	}
	for i, c := range claims {
		fmt.Fprintf(&b, "\n## %d. %s\n\n", i+1, c.title)
		fmt.Fprintf(&b, "%s\n\n", wrap("**Published** ("+c.source+"): "+c.quote))
		fmt.Fprintf(&b, "%s\n\n", wrap(c.verdict))
		if c.run != "" {
			fmt.Fprintf(&b, "%s\n\n", wrap("Run: "+c.run))
		}
		b.WriteString("| figure | published | model (exact) | measured | note |\n|---|---|---|---|---|\n")
		for _, r := range c.rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.figure, r.published, r.model, r.measured, r.note)
		}
	}
	return b.String()
}

// wrap breaks a paragraph into lines of at most 115 characters, as the
// other pages of docs/ are written.
func wrap(text string) string {
	const width = 115
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	return b.String()
}

// anchor is the fragment GitHub gives a heading's text: lower case, spaces
// as hyphens, without punctuation and symbols.
func anchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
