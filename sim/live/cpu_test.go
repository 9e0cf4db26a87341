package live

import (
	"context"
	"crypto/sha256"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The store's CPU time is read off a CPU profile by the labels of the
// goroutines that spent it.
func TestCPUByLabels(t *testing.T) {
	prof := startCPUProfile()
	if prof == nil {
		t.Skip("another CPU profile is running")
	}
	// Work, not wall-clock time: other processes may take the CPU meanwhile.
	burn := func(units int) {
		sum := sha256.Sum256(nil)
		for range units * 2_000_000 {
			sum = sha256.Sum256(sum[:])
		}
		sink.Store(uint32(sum[0]))
	}
	var wg sync.WaitGroup
	pprof.Do(context.Background(), pprof.Labels(labelSide, sideStore, labelClient, "a"), func(context.Context) {
		wg.Go(func() { burn(3) })
	})
	wg.Wait()
	pprof.Do(context.Background(), pprof.Labels(labelSide, sideClient, labelClient, "a"), func(context.Context) {
		wg.Go(func() { burn(1) })
	})
	wg.Wait()
	byLabel, err := prof.finish()
	require.NoError(t, err)
	store := byLabel[labelKey{side: sideStore, client: "a"}]
	client := byLabel[labelKey{side: sideClient, client: "a"}]
	require.Positive(t, client, "the profile sampled the client's goroutine")
	ratio := float64(store) / float64(client)
	assert.True(t, ratio > 1.5 && ratio < 6, "three times the work, some three times the CPU: store %v, client %v", store, client)
	_, err = cpuByLabels([]byte("not a profile"))
	assert.Error(t, err)
}

var sink atomic.Uint32
