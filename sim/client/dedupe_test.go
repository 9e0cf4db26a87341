package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDedupeSet(t *testing.T) {
	t.Parallel()
	m := time.Minute
	d := newDedupeSet(10 * m)
	assert.False(t, d.seen(1, 0), "seen(1) before any insert")
	d.insert(1, 0)
	d.insert(2, 5*m)
	tests := []struct {
		seq  int64
		at   time.Duration
		want bool
	}{
		{1, 0, true},
		{1, 10*m - 1, true},
		{2, 10 * m, true},
		{1, 10 * m, false}, // inserted at 0, TTL 10 min: gone at 10 min
		{2, 15*m - 1, true},
		{2, 15 * m, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, d.seen(tt.seq, tt.at), "seen(%d, %v)", tt.seq, tt.at)
	}
}

// TestDedupeSetReinsertOutlivesTheFirstExpiry checks that an ID inserted
// again is kept for a TTL from the second insert, though its first entry
// expires on the way.
func TestDedupeSetReinsertOutlivesTheFirstExpiry(t *testing.T) {
	t.Parallel()
	m := time.Minute
	d := newDedupeSet(10 * m)
	d.insert(1, 0)
	d.insert(1, 8*m)
	assert.True(t, d.seen(1, 12*m), "seen at 12 min: inserted again at 8 min")
	assert.True(t, d.seen(1, 18*m-1))
	assert.False(t, d.seen(1, 18*m))
}

func TestDedupeSetForget(t *testing.T) {
	t.Parallel()
	d := newDedupeSet(time.Hour)
	d.insert(1, 0)
	d.insert(2, 0)
	d.forget(1)
	assert.False(t, d.seen(1, time.Minute), "forgotten")
	assert.True(t, d.seen(2, time.Minute), "the other is kept")
	d.insert(1, 2*time.Minute)
	assert.True(t, d.seen(1, 3*time.Minute), "inserted again after forget")
}

// TestDedupeSetMemoryFollowsTheTTL checks that expired IDs are dropped, so
// memory follows what arrives within one TTL, not the run's length.
func TestDedupeSetMemoryFollowsTheTTL(t *testing.T) {
	t.Parallel()
	d := newDedupeSet(time.Minute)
	for i := range int64(100_000) {
		now := time.Duration(i) * time.Second
		d.seen(i, now)
		d.insert(i, now)
	}
	assert.LessOrEqual(t, len(d.expires), 61, "IDs remembered with a 1 min TTL, one a second")
	assert.LessOrEqual(t, len(d.order)-d.head, 61, "entries waiting to expire")
	assert.Less(t, cap(d.order), 10_000, "the order log is compacted")
}
