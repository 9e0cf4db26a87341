package store

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Sender decides when the store's webhook sender retries a failed attempt,
// for one endpoint. Attempts are numbered from 1.
type Sender struct {
	plan     scenario.RetryPlan
	attempts int
	rng      *random.Source // jitter
}

// NewSender returns the sender of plan for one endpoint, drawing jitter
// from rng.
func NewSender(plan scenario.RetryPlan, rng *random.Source) *Sender {
	return &Sender{plan: plan, attempts: plan.Attempts(), rng: rng}
}

// Timeout is how long the sender waits for a 2xx before it counts an attempt
// as failed.
func (s *Sender) Timeout() time.Duration { return s.plan.Timeout }

// Attempts is how many attempts the sender makes per event, the first
// included.
func (s *Sender) Attempts() int { return s.attempts }

// Retry decides what follows the failure of attempt n, known to the sender
// at failedAt: the instant of attempt n + 1, or false when n was the last.
func (s *Sender) Retry(n int, failedAt time.Duration) (time.Duration, bool) {
	if n >= s.attempts {
		return 0, false
	}
	d := s.plan.Delay(n)
	if j := s.plan.Jitter; j > 0 {
		d = time.Duration(float64(d) * (1 + j*(2*s.rng.Float64()-1)))
	}
	return failedAt + d, true
}

// AttemptBytes is the size of a webhook POST carrying e.
func (s *Store) AttemptBytes(e Event) int { return s.headerBytes + int(e.Size) }
