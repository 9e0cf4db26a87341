package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWasteClassification(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		kind   Kind
		o      Outcome
		reason Waste
		wasted bool
	}{
		{"poll with a new event", Poll, Outcome{Status: OK, Returned: 3, New: 1}, 0, false},
		{"empty poll", Poll, Outcome{Status: OK}, Empty, true},
		{"empty page", Page, Outcome{Status: OK}, Empty, true},
		{"poll of seen events", Poll, Outcome{Status: OK, Returned: 2}, SeenOnly, true},
		{"429", Poll, Outcome{Status: RateLimited}, WasteLimited, true},
		{"304", Poll, Outcome{Status: NotModified}, WasteUnchanged, true},
		{"refused attempt", WebhookAttempt, Outcome{Status: Failed}, WasteFailed, true},
		{"hung attempt", WebhookAttempt, Outcome{Status: TimedOut}, WasteTimedOut, true},
		{"accepted duplicate", WebhookAttempt, Outcome{Status: OK, Returned: 1}, Duplicate, true},
		{"timed out but delivered", WebhookAttempt, Outcome{Status: TimedOut, Returned: 1, New: 1}, 0, false},
		{"timed out, already held", WebhookAttempt, Outcome{Status: TimedOut, Returned: 1}, WasteTimedOut, true},
	}
	for _, tc := range cases {
		reason, wasted := waste(tc.kind, tc.o)
		assert.Equal(t, tc.wasted, wasted, "%s: wasted", tc.name)
		if tc.wasted {
			assert.Equal(t, tc.reason, reason, "%s: waste(%v, %+v) = %v; want %v", tc.name, tc.kind, tc.o, reason, tc.reason)
		}
	}
}

func TestNamesAreDistinct(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, names := range [][]string{kindNames[:], statusNames[:], wasteNames[:], causeNames[:]} {
		clear(seen)
		for _, n := range names {
			assert.NotEmpty(t, n)
			assert.False(t, seen[n], "%q twice", n)
			seen[n] = true
		}
	}
}
