package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
)

func TestSeqSetAgreesWithAMap(t *testing.T) {
	t.Parallel()
	rng := random.New(1, "seqset")
	s := newSeqSet()
	want := map[int64]bool{}
	next := int64(1)
	for range 200_000 {
		// Mostly in order, with stragglers resolved far behind, like webhook
		// retries.
		var seq int64
		if rng.Float64() < 0.9 {
			seq = next
			next++
		} else {
			seq = max(1, next-int64(rng.Uint64()%5000))
		}
		assert.Equal(t, !want[seq], s.add(seq), "add(%d)", seq)
		want[seq] = true
	}
	for seq := int64(1); seq < next+100; seq++ {
		require.Equal(t, want[seq], s.has(seq), "has(%d)", seq)
	}
}

func TestSeqSetWindowFollowsWhatIsOpen(t *testing.T) {
	t.Parallel()
	s := newSeqSet()
	s.add(2) // 1 stays open: the window cannot move
	for seq := int64(3); seq <= 100_000; seq++ {
		s.add(seq)
	}
	assert.Equal(t, int64(1), s.base)
	assert.Greater(t, len(s.words), 1000)
	s.add(1) // now everything is resolved
	assert.Equal(t, int64(1+64*(100_000/64)), s.base, "base moved past every full word")
	assert.LessOrEqual(t, len(s.words)-s.head, 1, "the window shrinks to what is open")
	assert.True(t, s.has(50_000))
	assert.False(t, s.has(100_001))
}
