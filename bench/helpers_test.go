package bench

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

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

// allocated runs f and returns the bytes it allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
