package live

import (
	"context"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

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
	burn := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); {
		}
	}
	var wg sync.WaitGroup
	pprof.Do(context.Background(), pprof.Labels(labelSide, sideStore, labelClient, "a"), func(context.Context) {
		wg.Go(func() { burn(300 * time.Millisecond) })
	})
	wg.Wait()
	pprof.Do(context.Background(), pprof.Labels(labelSide, sideClient, labelClient, "a"), func(context.Context) {
		wg.Go(func() { burn(100 * time.Millisecond) })
	})
	wg.Wait()
	byLabel, err := prof.finish()
	require.NoError(t, err)
	store := byLabel[labelKey{side: sideStore, client: "a"}]
	client := byLabel[labelKey{side: sideClient, client: "a"}]
	assert.InDelta(t, 0.3, store.Seconds(), 0.15, "the store's goroutine burnt 300 ms")
	assert.InDelta(t, 0.1, client.Seconds(), 0.08, "the client's 100 ms")
	assert.Greater(t, store, client)

	_, err = cpuByLabels([]byte("not a profile"))
	assert.Error(t, err)
}
