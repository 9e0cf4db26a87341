package scenario

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// Strategy describes client i's strategy in a few words, such as
// "poll every 10s" or "webhook, svix retries (8 attempts, 15s timeout)".
func (s *Scenario) Strategy(i int) string {
	cl := s.Clients[i]
	var parts []string
	switch {
	case cl.Poll != nil:
		parts = append(parts, pollStrategy(*cl.Poll))
	case cl.Webhook != nil:
		plan := s.Store.Webhooks.Plan()
		policy := cmp.Or(s.Store.Webhooks.Retry.Preset, "custom")
		attempts := fmt.Sprintf("%d attempts", plan.Attempts())
		if plan.Attempts() == 1 {
			attempts = "1 attempt"
		}
		parts = append(parts, fmt.Sprintf("webhook, %s retries (%s, %s timeout)", policy, attempts, Duration(plan.Timeout).Short()))
		w := cl.Webhook
		if w.Thin {
			parts = append(parts, "thin + fetch")
		}
		if p := w.Processing; p != nil {
			if p.Mode == "sync" {
				parts = append(parts, "ack after processing")
			} else {
				q := "volatile queue"
				if p.Durable {
					q = "durable queue"
				}
				parts = append(parts, fmt.Sprintf("ack, then %d workers, %s", p.Workers, q))
			}
		}
		if w.Dedupe != nil {
			parts = append(parts, "dedupe "+w.Dedupe.TTL.Short())
		}
	}
	if cl.Reconcile != nil {
		parts = append(parts, "reconcile every "+cl.Reconcile.Every.Short())
	}
	if cl.Sync != nil {
		parts = append(parts, "state sync every "+cl.Sync.Every.Short())
	}
	if cl.Count > 1 {
		parts = append(parts, fmt.Sprintf("×%d", cl.Count))
	}
	if n := len(cl.Outages); n == 1 {
		parts = append(parts, "1 outage")
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d outages", n))
	}
	return strings.Join(parts, ", ")
}

func pollStrategy(p Poll) string {
	var b strings.Builder
	switch {
	case p.Adaptive != nil:
		fmt.Fprintf(&b, "adaptive poll %s to %s", p.Adaptive.Min.Short(), p.Adaptive.Max.Short())
	case p.AIMD != nil:
		fmt.Fprintf(&b, "AIMD poll %s to %s", p.AIMD.Min.Short(), p.AIMD.Max.Short())
	case p.Long != nil:
		fmt.Fprintf(&b, "long poll, hold %s", p.Long.Hold.Short())
	default:
		fmt.Fprintf(&b, "poll every %s", p.Interval.Short())
		if p.Jitter > 0 {
			fmt.Fprintf(&b, " ±%s", p.Jitter.Short())
		}
		if p.Loop == "delay" {
			b.WriteString(" after each response")
		}
	}
	if p.PerResource {
		b.WriteString(" per resource")
	}
	if p.Conditional {
		b.WriteString(", conditional")
	}
	if !p.Paging {
		b.WriteString(", one page per poll")
	}
	return b.String()
}

// Short writes d as Go does but without zero units: 1m rather than 1m0s,
// 2h30m rather than 2h30m0s.
func (d Duration) Short() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
