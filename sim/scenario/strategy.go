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
	var b strings.Builder
	switch {
	case cl.Poll != nil:
		fmt.Fprintf(&b, "poll every %s", cl.Poll.Interval.Short())
		if cl.Poll.Jitter > 0 {
			fmt.Fprintf(&b, " ±%s", cl.Poll.Jitter.Short())
		}
		if !cl.Poll.Paging {
			b.WriteString(", one page per poll")
		}
	case cl.Webhook != nil:
		plan := s.Store.Webhooks.Plan()
		policy := cmp.Or(s.Store.Webhooks.Retry.Preset, "custom")
		fmt.Fprintf(&b, "webhook, %s retries (%d attempts, %s timeout)", policy, plan.Attempts(), Duration(plan.Timeout).Short())
	}
	if n := len(cl.Outages); n == 1 {
		b.WriteString(", 1 outage")
	} else if n > 1 {
		fmt.Fprintf(&b, ", %d outages", n)
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
