package scenario

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits that keep a run finite and its numbers representable.
const (
	// MaxDuration is the longest simulated span, duration plus drain.
	MaxDuration = 10 * 365 * 24 * time.Hour
	// MaxWork is the most events plus requests a scenario may ask for, as
	// estimated from its rates and intervals, so that a typo such as 1ns
	// gives an error rather than a run that never ends.
	MaxWork = 2e9
	// MaxAttempts is the most webhook attempts per event a policy may make.
	MaxAttempts = 100
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// checker collects problems, each placed at the field it concerns.
type checker struct {
	src      *source
	problems Problems
}

func (c *checker) add(path, format string, args ...any) {
	p := Problem{Field: path, Msg: fmt.Sprintf(format, args...)}
	if c.src != nil {
		if c.src.isBroken(path) {
			return // the decoder already reported it
		}
		at := c.src.locate(path)
		p.File, p.Line, p.Column = c.src.file, at.line, at.col
	}
	c.problems = append(c.problems, p)
}

// given reports whether path was written in the file; for a scenario built
// in code every path counts as given.
func (c *checker) given(path string) bool { return c.src == nil || c.src.has(path) }

func (c *checker) positive(path string, d Duration) {
	switch {
	case d < 0:
		c.add(path, "must be positive, got %v", d)
	case d == 0 && !c.given(path):
		c.add(path, "required; give a positive duration such as 10s")
	case d == 0:
		c.add(path, "must be positive, got 0s")
	}
}

func (c *checker) nonNegative(path string, d Duration) {
	if d < 0 {
		c.add(path, "must not be negative, got %v", d)
	}
}

func (c *checker) rate(path string, r Rate) {
	if r.IsZero() {
		if c.given(path) {
			c.add(path, "must be positive, got %v", r)
		} else {
			c.add(path, "required; give a rate with a unit, such as 50/h")
		}
	}
}

func (c *checker) latency(path string, l Latency) {
	for _, msg := range l.check() {
		c.add(path, "%s", msg)
	}
}

func (c *checker) oneOf(path, value string, allowed []string) {
	if value == "" && !c.given(path) {
		c.add(path, "required; give one of %s", strings.Join(allowed, ", "))
	} else if !slices.Contains(allowed, value) {
		c.add(path, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
}

// Validate reports every problem of s at once as Problems, or nil. Parse
// calls it; call it again after changing a scenario in code.
func (s *Scenario) Validate() error {
	c := &checker{src: s.source}
	if s.source != nil {
		c.problems = append(c.problems, s.source.problems...)
	}
	if !nameRE.MatchString(s.Name) {
		c.add("name", "%q is not a usable name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", s.Name)
	}
	c.positive("duration", s.Duration)
	c.nonNegative("drain", s.Drain)
	if s.Duration > 0 && s.Drain >= 0 && s.Duration.D() > MaxDuration-s.Drain.D() {
		c.add("duration", "duration (%v) plus drain (%v) is more than the %v pushpull simulates", s.Duration, s.Drain, MaxDuration)
	}
	c.latency("network.latency", s.Network.Latency)
	if s.Network.HeaderBytes < 0 {
		c.add("network.header_bytes", "must not be negative, got %d", s.Network.HeaderBytes)
	}
	s.validateStore(c)
	s.validateClients(c)
	s.validateWork(c)
	s.validateSweep(c)
	s.validateThresholds(c)
	return c.problems.orNil()
}

func (s *Scenario) validateStore(c *checker) {
	st := s.Store
	c.oneOf("store.arrivals.process", st.Arrivals.Process, enumOf[Arrivals]("process"))
	c.rate("store.arrivals.rate", st.Arrivals.Rate)
	if st.Resources < 1 || st.Resources > 1_000_000 {
		c.add("store.resources", "must be between 1 and 1000000, got %d", st.Resources)
	}
	if st.PayloadBytes < 0 || st.PayloadBytes > 1<<30 {
		c.add("store.payload_bytes", "must be between 0 and 1 GiB, got %d", st.PayloadBytes)
	}
	c.latency("store.api.latency", st.API.Latency)
	if st.API.PageSize < 1 || st.API.PageSize > 1_000_000 {
		c.add("store.api.page_size", "must be between 1 and 1000000, got %d", st.API.PageSize)
	}
	c.positive("store.api.retention", st.API.Retention)
	if rl := st.API.RateLimit; rl != nil {
		c.rate("store.api.rate_limit.rate", rl.Rate)
		if rl.Burst < 1 {
			c.add("store.api.rate_limit.burst", "must be at least 1, got %d", rl.Burst)
		}
	}
	c.nonNegative("store.webhooks.timeout", st.Webhooks.Timeout)
	s.validateRetry(c, "store.webhooks.retry", st.Webhooks.Retry)
}

func (s *Scenario) validateRetry(c *checker, path string, r Retry) {
	var forms []string
	if r.Preset != "" || c.src.has(path+".preset") {
		forms = append(forms, "preset")
	}
	if r.Delays != nil || c.src.has(path+".delays") {
		forms = append(forms, "delays")
	}
	if r.Exponential != nil {
		forms = append(forms, "exponential")
	}
	switch {
	case len(forms) == 0:
		c.add(path, "give one of preset, delays or exponential")
		return
	case len(forms) > 1:
		c.add(path, "give only one of preset, delays or exponential, not %s", strings.Join(forms, " and "))
		return
	}
	if !(r.Jitter >= 0 && r.Jitter < 1) { // also rejects NaN
		c.add(path+".jitter", "must be at least 0 and less than 1, got %v", r.Jitter)
	}
	switch forms[0] {
	case "preset":
		if _, ok := Presets[r.Preset]; !ok {
			c.add(path+".preset", "unknown preset %q; valid presets: %s", r.Preset, strings.Join(PresetNames(), ", "))
		}
	case "delays":
		if len(r.Delays)+1 > MaxAttempts {
			c.add(path+".delays", "%d retries; the most is %d", len(r.Delays), MaxAttempts-1)
		}
		var total float64 // in seconds, so that a long list cannot overflow
		for i, d := range r.Delays {
			c.nonNegative(fmt.Sprintf("%s.delays[%d]", path, i), d)
			total += max(d.D(), 0).Seconds()
		}
		if total > MaxDuration.Seconds() {
			c.add(path+".delays", "the last attempt would come more than %v after the event; give shorter delays", MaxDuration)
		}
	case "exponential":
		e, ep := r.Exponential, path+".exponential"
		c.positive(ep+".initial", e.Initial)
		if e.Factor < 1 || math.IsInf(e.Factor, 0) || math.IsNaN(e.Factor) {
			c.add(ep+".factor", "must be at least 1, got %v", e.Factor)
		}
		c.nonNegative(ep+".cap", e.Cap)
		if e.Cap > 0 && e.Initial > 0 && e.Cap < e.Initial {
			c.add(ep+".cap", "must be at least initial (%v), got %v", e.Initial, e.Cap)
		}
		if e.Attempts < 1 || e.Attempts > MaxAttempts {
			c.add(ep+".attempts", "must be between 1 and %d, got %d", MaxAttempts, e.Attempts)
		} else if e.Initial > 0 && e.Factor >= 1 {
			plan := RetryPlan{Exponential: e}
			if last := plan.Offsets()[e.Attempts-1]; last > MaxDuration {
				c.add(ep, "the last attempt would come more than %v after the event; give a cap or fewer attempts", MaxDuration)
			}
		}
	}
}

func (s *Scenario) validateClients(c *checker) {
	if len(s.Clients) == 0 {
		c.add("clients", "no clients: give at least one, such as {name: poll-10s, poll: {interval: 10s}}")
		return
	}
	end := s.Duration + s.Drain
	firstAt := map[string]int{}
	for i, cl := range s.Clients {
		p := fmt.Sprintf("clients[%d]", i)
		switch {
		case cl.Name == "" && !c.given(p+".name"):
			c.add(p+".name", "required; every client needs a unique name")
		case !nameRE.MatchString(cl.Name):
			c.add(p+".name", "%q is not a usable name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", cl.Name)
		default:
			if j, dup := firstAt[cl.Name]; dup {
				c.add(p+".name", "duplicate client name %q; clients[%d] has it already", cl.Name, j)
			} else {
				firstAt[cl.Name] = i
			}
		}
		switch {
		case cl.Poll == nil && cl.Webhook == nil && c.src.has(p+".webhook"):
			c.add(p+".webhook", "empty; write webhook: {} for a receiver")
		case cl.Poll == nil && cl.Webhook == nil && c.src.has(p+".poll"):
			c.add(p+".poll", "empty; give at least an interval, such as poll: {interval: 10s}")
		case cl.Poll == nil && cl.Webhook == nil && c.src.misspelt(p, "poll", "webhook"):
			// The strategy is there, misspelt, and reported already.
		case cl.Poll == nil && cl.Webhook == nil:
			c.add(p, "give the client a strategy: poll or webhook")
		case cl.Poll != nil && cl.Webhook != nil:
			c.add(p, "give the client one strategy, poll or webhook, not both")
		case cl.Poll != nil:
			validatePoll(c, p+".poll", *cl.Poll)
		}
		validateOutages(c, p+".outages", cl.Outages, end)
	}
}

func validatePoll(c *checker, path string, pl Poll) {
	c.positive(path+".interval", pl.Interval)
	c.nonNegative(path+".jitter", pl.Jitter)
	if pl.Interval > 0 && pl.Jitter >= pl.Interval {
		c.add(path+".jitter", "must be less than interval (%v), got %v", pl.Interval, pl.Jitter)
	}
	if pl.Phase != nil {
		c.nonNegative(path+".phase", *pl.Phase)
		if pl.Interval > 0 && *pl.Phase >= pl.Interval {
			c.add(path+".phase", "must be less than interval (%v), got %v", pl.Interval, *pl.Phase)
		}
	}
}

func validateOutages(c *checker, path string, outages []Outage, end Duration) {
	modes := enumOf[Outage]("mode")
	for i, o := range outages {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.nonNegative(p+".at", o.At)
		if o.At >= 0 && end > 0 && o.At >= end {
			c.add(p+".at", "%v is outside the run, which ends at %v (duration + drain)", o.At, end)
		}
		c.positive(p+".for", o.For)
		c.oneOf(p+".mode", o.Mode, modes)
		for j, prev := range outages[:i] {
			if o.At < prev.At+prev.For && prev.At < o.At+o.For {
				c.add(p, "overlaps %s[%d]; merge them into one outage", path, j)
			}
		}
	}
}

// validateWork rejects scenarios whose size would make a run endless.
func (s *Scenario) validateWork(c *checker) {
	span := (s.Duration + s.Drain).D().Seconds()
	if span <= 0 {
		return
	}
	events := s.Store.Arrivals.Rate.PerSecond() * s.Duration.D().Seconds()
	if events > MaxWork {
		c.add("store.arrivals.rate", "%v over %v means %.3g events; the most pushpull simulates in one run is %.0e", s.Store.Arrivals.Rate, s.Duration, events, float64(MaxWork))
		return
	}
	work := events * float64(len(s.Clients))
	for _, cl := range s.Clients {
		if cl.Poll != nil && cl.Poll.Interval > 0 {
			work += span / cl.Poll.Interval.D().Seconds()
		}
	}
	if work > MaxWork {
		c.add("clients", "these clients would make about %.3g requests and deliveries over %v; the most pushpull simulates in one run is %.0e: lengthen the poll intervals or shorten the run", work, s.Duration+s.Drain, float64(MaxWork))
	}
}

// enumOf returns the allowed values of the field named name of struct T, as
// its enum tag lists them.
func enumOf[T any](name string) []string {
	for _, f := range fieldsOf(reflect.TypeFor[T]()) {
		if f.name == name {
			return f.enum
		}
	}
	return nil
}
