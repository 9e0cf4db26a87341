package scenario

import (
	"fmt"
	"math"
	"strings"
)

// MaxCount is the most subscribers one client row may stand for.
const MaxCount = 100_000

func (s *Scenario) validateClients(c *checker) {
	if len(s.Clients) == 0 {
		c.add("clients", "no clients: give at least one, such as {name: poll-10s, poll: {interval: 10s}}")
		return
	}
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
		if cl.Count < 1 || cl.Count > MaxCount {
			c.add(p+".count", "must be from 1 to %d, got %d", MaxCount, cl.Count)
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
			s.needsAPI(c, p+".poll", "polling")
			s.validatePoll(c, p+".poll", *cl.Poll)
			if cl.Reconcile != nil {
				c.add(p+".reconcile", "applies to webhook clients: a poller reads the feed already")
			}
			if cl.Sync != nil {
				c.add(p+".sync", "applies to webhook clients")
			}
		case cl.Webhook != nil:
			s.validateWebhook(c, p+".webhook", *cl.Webhook)
		}
		if cl.Reconcile != nil {
			s.needsAPI(c, p+".reconcile", "reconciliation")
			c.positive(p+".reconcile.every", cl.Reconcile.Every)
		}
		if cl.Sync != nil {
			s.needsAPI(c, p+".sync", "a state sync")
			c.positive(p+".sync.every", cl.Sync.Every)
			if ret := s.Store.API.Retention; cl.Sync.Every >= ret {
				c.add(p+".sync.every", "must be shorter than the store's retention (%v): events would age out between syncs", ret)
			}
		}
		validateOutages(c, p+".outages", cl.Outages, s.End())
	}
}

// needsAPI reports a strategy that reads the poll API when the store has
// none.
func (s *Scenario) needsAPI(c *checker, path, what string) {
	if !s.Store.API.Enabled {
		c.add(path, "%s needs the poll API, and the store has none (store.api.enabled: false)", what)
	}
}

func (s *Scenario) validatePoll(c *checker, path string, pl Poll) {
	var forms []string
	if pl.Interval != 0 || c.src.has(path+".interval") {
		forms = append(forms, "interval")
	}
	if pl.Adaptive != nil {
		forms = append(forms, "adaptive")
	}
	if pl.AIMD != nil {
		forms = append(forms, "aimd")
	}
	if pl.Long != nil {
		forms = append(forms, "long")
	}
	switch len(forms) {
	case 0:
		c.add(path, "give the poller a schedule: interval, adaptive, aimd or long, such as interval: 10s")
		return
	case 1:
	default:
		c.add(path, "give only one of interval, adaptive, aimd and long, not %s", strings.Join(forms, " and "))
		return
	}
	first := pl.Interval // the longest a phase may be
	switch forms[0] {
	case "interval":
		c.positive(path+".interval", pl.Interval)
		c.oneOf(path+".loop", pl.Loop, enumOf[Poll]("loop"))
		c.nonNegative(path+".jitter", pl.Jitter)
		if pl.Interval > 0 && pl.Jitter >= pl.Interval {
			c.add(path+".jitter", "must be less than interval (%v), got %v", pl.Interval, pl.Jitter)
		}
	case "adaptive":
		a, ap := pl.Adaptive, path+".adaptive"
		c.positive(ap+".min", a.Min)
		c.positive(ap+".max", a.Max)
		if a.Min > 0 && a.Max < a.Min {
			c.add(ap+".max", "must be at least min (%v), got %v", a.Min, a.Max)
		}
		if !(a.Factor > 1) || math.IsInf(a.Factor, 0) {
			c.add(ap+".factor", "must be above 1, got %v", a.Factor)
		}
		first = a.Min
	case "aimd":
		a, ap := pl.AIMD, path+".aimd"
		c.positive(ap+".min", a.Min)
		c.positive(ap+".max", a.Max)
		if a.Min > 0 && a.Max < a.Min {
			c.add(ap+".max", "must be at least min (%v), got %v", a.Min, a.Max)
		}
		c.positive(ap+".step", a.Step)
		if !(a.Factor > 0 && a.Factor < 1) {
			c.add(ap+".factor", "must be above 0 and below 1, got %v", a.Factor)
		}
		first = a.Min
	case "long":
		c.positive(path+".long.hold", pl.Long.Hold)
		if end := s.End(); pl.Long.Hold > end {
			c.add(path+".long.hold", "%v is longer than the run (%v, duration + drain)", pl.Long.Hold, end)
		}
		first = pl.Long.Hold
	}
	if forms[0] != "interval" {
		c.only(path, "a fixed interval", "loop", "jitter")
	}
	if pl.Phase != nil {
		c.nonNegative(path+".phase", *pl.Phase)
		if first > 0 && *pl.Phase >= first {
			c.add(path+".phase", "must be less than the first interval (%v), got %v", first, *pl.Phase)
		}
	}
	if b := pl.Backoff; b != nil {
		c.positive(path+".backoff.initial", b.Initial)
		c.positive(path+".backoff.max", b.Max)
		if b.Initial > 0 && b.Max < b.Initial {
			c.add(path+".backoff.max", "must be at least initial (%v), got %v", b.Initial, b.Max)
		}
	}
}

func (s *Scenario) validateWebhook(c *checker, path string, w Webhook) {
	if pr := w.Processing; pr != nil {
		pp := path + ".processing"
		c.oneOf(pp+".mode", pr.Mode, enumOf[Processing]("mode"))
		c.latency(pp+".time", pr.Time)
		if pr.Mode == "async" {
			if pr.Workers < 1 || pr.Workers > 100_000 {
				c.add(pp+".workers", "an async receiver needs from 1 to 100000 workers, got %d", pr.Workers)
			}
			if pr.Queue < 1 || pr.Queue > 100_000_000 {
				c.add(pp+".queue", "must be from 1 to 100000000, got %d", pr.Queue)
			}
			c.oneOf(pp+".overflow", pr.Overflow, enumOf[Processing]("overflow"))
		} else {
			c.only(pp, "mode: async", "workers", "queue", "durable", "overflow")
		}
	}
	if d := w.Dedupe; d != nil {
		c.positive(path+".dedupe.ttl", d.TTL)
	}
	c.probability(path+".errors", w.Errors)
	if w.Thin {
		s.needsAPI(c, path+".thin", "fetching thin deliveries")
		if w.Processing != nil {
			c.add(path+".processing", "a thin delivery is fetched, then processed at once: processing does not apply")
		}
	}
	for i, cr := range w.Crashes {
		cp := fmt.Sprintf("%s.crashes[%d]", path, i)
		c.inRun(cp+".at", cr.At, s.End())
		c.nonNegative(cp+".restart", cr.Restart)
	}
}

func validateOutages(c *checker, path string, outages []Outage, end Duration) {
	modes := enumOf[Outage]("mode")
	for i, o := range outages {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.inRun(p+".at", o.At, end)
		c.positive(p+".for", o.For)
		c.oneOf(p+".mode", o.Mode, modes)
		for j, prev := range outages[:i] {
			if o.At < prev.At+prev.For && prev.At < o.At+o.For {
				c.add(p, "overlaps %s[%d]; merge them into one outage", path, j)
			}
		}
	}
}
