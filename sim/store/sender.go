package store

import (
	"time"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
)

// Failure is how an attempt failed, as the sender sees it.
type Failure uint8

// The ways an attempt fails.
const (
	Refused     Failure = iota // the connection failed or was refused
	TimedOut                   // no answer within the timeout
	Throttled                  // 429
	ServerError                // another 4xx or 5xx
)

// Sender is the store's webhook sender for one endpoint. It decides when a
// failed attempt is retried, how many attempts may be in flight at once,
// and when the endpoint is disabled and enabled again. Attempts are
// numbered from 1.
type Sender struct {
	plan     scenario.RetryPlan
	attempts int
	rng      *random.Source // jitter

	limit    int     // most attempts in flight; 0 for no limit
	inFlight int     // attempts in flight
	waiting  []int32 // tickets waiting for a slot, oldest first
	head     int

	disable      *scenario.Disable
	disabled     bool
	disabledAt   time.Duration
	failingSince time.Duration // start of the current run of failures, or −1
	consecutive  int
	recent       []outcome // attempts within the failure-rate window, oldest first
	recentHead   int
	recentFailed int // failures among them
}

type outcome struct {
	at     time.Duration
	failed bool
}

// NewSender returns the sender of plan for one endpoint, with at most
// limit attempts in flight (0: no limit), drawing jitter from rng.
func NewSender(plan scenario.RetryPlan, limit int, rng *random.Source) *Sender {
	return &Sender{plan: plan, attempts: plan.Attempts(), rng: rng, limit: limit, disable: plan.Disable, failingSince: -1}
}

// Timeout is how long the sender waits for a 2xx before it counts an attempt
// as failed.
func (s *Sender) Timeout() time.Duration { return s.plan.Timeout }

// Attempts is how many attempts the sender makes per event, the first
// included.
func (s *Sender) Attempts() int { return s.attempts }

// Retry decides what follows failure f of attempt n, known to the sender at
// failedAt: the instant of attempt n + 1, or false when there is none.
func (s *Sender) Retry(n int, f Failure, failedAt time.Duration) (time.Duration, bool) {
	if n >= s.attempts || (s.plan.ConnectionOnly && f != Refused) {
		return 0, false
	}
	d := s.plan.Delay(n)
	if j := s.plan.Jitter; j > 0 {
		d = time.Duration(float64(d) * (1 + j*(2*s.rng.Float64()-1)))
	}
	if f == TimedOut || f == Throttled {
		d = max(d, s.plan.Floor)
	}
	return failedAt + d, true
}

// Acquire asks for a slot to send the attempt with the given ticket at
// once. When every slot is taken it returns false and keeps the ticket,
// which Release hands out later, oldest first.
func (s *Sender) Acquire(ticket int32) bool {
	if s.limit == 0 || s.inFlight < s.limit {
		s.inFlight++
		return true
	}
	s.waiting = append(s.waiting, ticket)
	return false
}

// Release frees the slot of an attempt that ended. It returns the ticket of
// the waiting attempt that takes the slot, if any.
func (s *Sender) Release() (int32, bool) {
	if s.head < len(s.waiting) {
		t := s.waiting[s.head]
		s.head++
		// Forget the tickets served, so that a queue that never empties
		// under saturation keeps only what waits now.
		if s.head == len(s.waiting) {
			s.waiting, s.head = s.waiting[:0], 0
		} else if s.head > 64 && s.head*2 > len(s.waiting) {
			n := copy(s.waiting, s.waiting[s.head:])
			s.waiting, s.head = s.waiting[:n], 0
		}
		return t, true // the slot passes on: inFlight is unchanged
	}
	s.inFlight--
	return 0, false
}

// Waiting is how many attempts wait for a slot.
func (s *Sender) Waiting() int { return len(s.waiting) - s.head }

// Enabled reports whether the endpoint takes deliveries at t. A disabled
// endpoint with a re-enable delay comes back once it has passed, with its
// failure counts reset.
func (s *Sender) Enabled(t time.Duration) bool {
	if !s.disabled {
		return true
	}
	if s.disable.Reenable > 0 && t >= s.disabledAt+s.disable.Reenable.D() {
		s.disabled = false
		s.failingSince, s.consecutive = -1, 0
		s.recent, s.recentHead, s.recentFailed = s.recent[:0], 0, 0
		return true
	}
	return false
}

// HoldsWhileOff reports whether deliveries wait while the endpoint is
// disabled, rather than being lost.
func (s *Sender) HoldsWhileOff() bool { return s.disable != nil && s.disable.WhileOff == "hold" }

// EnabledAgainAt is when a disabled endpoint comes back, or false for never.
func (s *Sender) EnabledAgainAt() (time.Duration, bool) {
	if !s.disabled || s.disable.Reenable == 0 {
		return 0, false
	}
	return s.disabledAt + s.disable.Reenable.D(), true
}

// Record notes how an attempt ended at t and reports whether that disabled
// the endpoint.
func (s *Sender) Record(t time.Duration, ok bool) bool {
	d := s.disable
	if d == nil || s.disabled {
		return false
	}
	if ok {
		s.failingSince, s.consecutive = -1, 0
	} else {
		if s.failingSince < 0 {
			s.failingSince = t
		}
		s.consecutive++
	}
	switch {
	case !ok && d.AfterFailing > 0 && t-s.failingSince >= d.AfterFailing.D():
		return s.turnOff(t)
	case !ok && d.Consecutive > 0 && s.consecutive >= d.Consecutive:
		return s.turnOff(t)
	case d.FailureRate != nil && s.rateTooHigh(t, !ok):
		return s.turnOff(t)
	}
	return false
}

// Exhausted notes that an event exhausted its retries at t and reports
// whether that disabled the endpoint.
func (s *Sender) Exhausted(t time.Duration) bool {
	if s.disable == nil || s.disabled || !s.disable.OnExhausted {
		return false
	}
	return s.turnOff(t)
}

func (s *Sender) turnOff(t time.Duration) bool {
	s.disabled, s.disabledAt = true, t
	return true
}

// rateTooHigh adds an outcome to the sliding window and reports whether
// the share of failures in it is above the threshold.
func (s *Sender) rateTooHigh(t time.Duration, failed bool) bool {
	fr := s.disable.FailureRate
	s.recent = append(s.recent, outcome{at: t, failed: failed})
	if failed {
		s.recentFailed++
	}
	for s.recentHead < len(s.recent) && s.recent[s.recentHead].at <= t-fr.Window.D() {
		if s.recent[s.recentHead].failed {
			s.recentFailed--
		}
		s.recentHead++
	}
	if s.recentHead > 256 && s.recentHead*2 > len(s.recent) {
		n := copy(s.recent, s.recent[s.recentHead:])
		s.recent, s.recentHead = s.recent[:n], 0
	}
	n := len(s.recent) - s.recentHead
	return n >= fr.Min && float64(s.recentFailed) > fr.Above*float64(n)
}

// AttemptBytes is the size of a webhook POST carrying e; a thin delivery
// carries only the event's ID.
func (s *Store) AttemptBytes(e Event, thin bool) int {
	if thin {
		return s.headerBytes + thinBodyBytes
	}
	return s.headerBytes + int(e.Size)
}

// thinBodyBytes is the body of a thin delivery: the event's ID and type.
const thinBodyBytes = 64
