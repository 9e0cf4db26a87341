package bench

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pushpull/pushpull/sim/des"
	pmetrics "github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

func load(b *testing.B, path string) *scenario.Scenario {
	b.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	sc, err := scenario.Parse(path, src)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

func run(b *testing.B, sc *scenario.Scenario) *pmetrics.Results {
	b.Helper()
	res, err := des.Run(context.Background(), sc, des.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// peakRSS is the process's peak resident set in bytes (Linux), or 0.
func peakRSS() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// peakLiveHeap runs f and returns the most heap memory live objects held at
// any garbage collection during it, sampled every few milliseconds, after a
// collection before it starts.
func peakLiveHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	runtime.GC() // the last collection sees what f left live at its end
	close(done)
	wg.Wait()
	return peak
}
