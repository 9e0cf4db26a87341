package client

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pushpull/pushpull/sim/metrics"
)

func TestLossesOfOnePathAreFinal(t *testing.T) {
	l := NewLosses(false)
	c, final := l.Push(1, metrics.RetriesExhausted)
	assert.True(t, final)
	assert.Equal(t, metrics.RetriesExhausted, c)
	assert.True(t, l.Second(2, metrics.RetentionExpired, false))
}

func TestLossesOfAHybridWaitForTheOtherPath(t *testing.T) {
	l := NewLosses(true)
	// Push alone: the second path may still bring it.
	_, final := l.Push(1, metrics.RetriesExhausted)
	assert.False(t, final)
	// The second path, with push done with the event: final.
	assert.True(t, l.Second(1, metrics.RetentionExpired, false))
	// The second path while push still has the event: deferred, then
	// final once push loses it too, for the second path's cause.
	assert.False(t, l.Second(2, metrics.RetentionExpired, true))
	c, final := l.Push(2, metrics.CrashLostQueue)
	assert.True(t, final)
	assert.Equal(t, metrics.RetentionExpired, c)
	// Recorded once: a second push loss of it is no loss of its own.
	_, final = l.Push(2, metrics.RetriesExhausted)
	assert.False(t, final)
}
