package live

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// A second of the ramp keeps within the limits unless its p99 latency, its
// errors or its shortfall against the ramp break one.
func TestRampWindow(t *testing.T) {
	t.Parallel()
	opts := DefaultCapacity
	window := func(n int, latency time.Duration, failed int) *rampWindow {
		rw := newRampWindow()
		for i := range n {
			code := uint16(http.StatusOK)
			if i < failed {
				code = 0
			}
			rw.add(&vegeta.Result{Code: code, Latency: latency})
		}
		return rw
	}
	for _, tc := range []struct {
		name   string
		rw     *rampWindow
		target float64
		broken string
	}{
		{"within", window(1000, time.Millisecond, 0), 1000, ""},
		{"slow", window(1000, 30*time.Millisecond, 0), 1000, "p99 latency"},
		{"failing", window(1000, time.Millisecond, 20), 1000, "errors"},
		{"short of the ramp", window(800, time.Millisecond, 0), 1000, "sent of the"},
	} {
		cw := tc.rw.close(3, tc.target, opts)
		assert.Equal(t, tc.broken == "", cw.Within, tc.name)
		assert.Contains(t, cw.Broken, tc.broken, tc.name)
		assert.Equal(t, 3.0, cw.AtS)
	}
}
