package scenario

import (
	"fmt"
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

// probability checks that p is a probability, 0 to 1; it rejects NaN.
func (c *checker) probability(path string, p float64) {
	if !(p >= 0 && p <= 1) {
		c.add(path, "must be a probability from 0 to 1, got %v", p)
	}
}

// inRun checks that instant at falls in the run, which ends at end.
func (c *checker) inRun(path string, at, end Duration) {
	c.nonNegative(path, at)
	if at >= 0 && end > 0 && at >= end {
		c.add(path, "%v is outside the run, which ends at %v (duration + drain)", at, end)
	}
}

// only reports fields given although they apply only to another form, such
// as jitter on an adaptive poller.
func (c *checker) only(path, form string, fields ...string) {
	if c.src == nil {
		return
	}
	for _, f := range fields {
		if c.src.has(path + "." + f) {
			c.add(path+"."+f, "applies only to %s", form)
		}
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

// validateWork rejects scenarios whose size would make a run endless.
func (s *Scenario) validateWork(c *checker) {
	span := s.End().D().Seconds()
	if span <= 0 {
		return
	}
	a := s.Store.Arrivals
	events := a.Rate.PerSecond() * s.Duration.D().Seconds()
	for _, b := range a.Bursts {
		for _, w := range b.Windows(s.Duration) {
			inside := min(w[1], s.Duration) - max(w[0], 0)
			events += a.Rate.PerSecond() * max(b.Factor-1, 0) * max(inside.D().Seconds(), 0)
		}
	}
	if a.Replay != nil {
		events = float64(len(a.Replay.instants))
	}
	if events > MaxWork {
		c.add("store.arrivals.rate", "%v over %v means %.3g events; the most pushpull simulates in one run is %.0e", a.Rate, s.Duration, events, float64(MaxWork))
		return
	}
	var work float64
	for _, cl := range s.Clients {
		count := float64(max(cl.Count, 1))
		work += count * events // every subscriber gets every event, by one path or another
		if pl := cl.Poll; pl != nil {
			feeds := 1.0
			if pl.PerResource {
				feeds = float64(max(s.Store.Resources, 1))
			}
			var fastest Duration
			switch {
			case pl.Interval > 0:
				fastest = pl.Interval
			case pl.Adaptive != nil:
				fastest = pl.Adaptive.Min
			case pl.AIMD != nil:
				fastest = pl.AIMD.Min
			case pl.Long != nil:
				fastest = pl.Long.Hold
				work += count * events
			}
			if fastest > 0 {
				work += count * feeds * span / fastest.D().Seconds()
			}
		}
		for _, every := range []Duration{reconcileEvery(cl), syncEvery(cl)} {
			if every > 0 {
				work += count * span / every.D().Seconds()
			}
		}
	}
	if work > MaxWork {
		c.add("clients", "these clients would make about %.3g requests and deliveries over %v; the most pushpull simulates in one run is %.0e: lengthen the poll intervals, lower the counts or shorten the run", work, s.End(), float64(MaxWork))
	}
}

func reconcileEvery(cl Client) Duration {
	if cl.Reconcile == nil {
		return 0
	}
	return cl.Reconcile.Every
}

func syncEvery(cl Client) Duration {
	if cl.Sync == nil {
		return 0
	}
	return cl.Sync.Every
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
