package live

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pushpull/pushpull/sim/metrics"
)

// Tolerance is how far a webhook's timestamp may be from the receiver's
// clock, either way, as Standard Webhooks recommends: further, and the
// delivery is rejected as a replay.
const Tolerance = 5 * time.Minute

// NewSecret returns a fresh Standard Webhooks signing secret: whsec_ and
// the base64 of 32 random bytes.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// rejection is why a receiver refuses a delivery before its model sees it.
type rejection struct {
	reason string // one of the metrics.Reject… reasons
	status int
	err    error
}

func (r *rejection) Error() string { return r.reason + ": " + r.err.Error() }
func (r *rejection) Unwrap() error { return r.err }

// verify checks a delivery's Standard Webhooks signature with the library,
// in constant time, and its timestamp against now, the receiver's clock.
// The library's own timestamp check reads the wall clock, which is not the
// scenario's clock of a sped-up run, or a test's: so the signature is
// checked with VerifyIgnoringTimestamp and the timestamp here, with the
// same tolerance.
func verify(hook *standardwebhooks.Webhook, body []byte, h http.Header, now time.Time) error {
	if err := hook.VerifyIgnoringTimestamp(body, h); err != nil {
		if errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			return &rejection{reason: metrics.RejectForged, status: http.StatusUnauthorized, err: err}
		}
		return &rejection{reason: metrics.RejectMalformed, status: http.StatusBadRequest, err: err}
	}
	secs, err := strconv.ParseInt(h.Get(standardwebhooks.HeaderWebhookTimestamp), 10, 64)
	if err != nil {
		return &rejection{reason: metrics.RejectMalformed, status: http.StatusBadRequest, err: err}
	}
	if off := now.Sub(time.Unix(secs, 0)); off > Tolerance || off < -Tolerance {
		return &rejection{reason: metrics.RejectStale, status: http.StatusUnauthorized,
			err: fmt.Errorf("timestamp %d is %v from the receiver's clock, beyond %v", secs, off.Round(time.Second), Tolerance)}
	}
	return nil
}
