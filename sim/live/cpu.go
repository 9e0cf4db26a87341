package live

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/pushpull/pushpull/sim/metrics"
)

// The store's CPU time is told apart from the clients' by pprof labels: the
// store's server, its connections and its sender's goroutines carry
// side=store, and the client row they work for; a CPU profile of the run
// then sums the samples of each.
const (
	labelSide   = "side"
	labelClient = "client"
	sideStore   = "store"
	sideClient  = "client"
	sideRunner  = "runner"
)

// The labels of goroutines that work for no client in particular: the
// store's webhook dispatcher, and the runner's timers, which serve both
// sides.
var (
	storeLabels  = pprof.WithLabels(context.Background(), pprof.Labels(labelSide, sideStore))
	runnerLabels = pprof.WithLabels(context.Background(), pprof.Labels(labelSide, sideRunner))
)

// labelled runs f with the goroutine labels side=side, so that the
// goroutines f starts carry them.
func labelled(side string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(labelSide, side), func(context.Context) { f() })
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuProfile is a CPU profile of a run, taken to measure the store's share.
type cpuProfile struct{ buf bytes.Buffer }

// startCPUProfile starts profiling, or returns nil when a profile is
// already running in this process.
func startCPUProfile() *cpuProfile {
	p := &cpuProfile{}
	if err := pprof.StartCPUProfile(&p.buf); err != nil {
		return nil
	}
	return p
}

// finish ends the profile and sums its CPU time by labels.
func (p *cpuProfile) finish() (map[labelKey]time.Duration, error) {
	pprof.StopCPUProfile()
	return cpuByLabels(p.buf.Bytes())
}

// storeCPU fills in the store's CPU time of a run, in all and per client
// row (rows maps a client's name to its row), from a profile's sums.
func storeCPU(cpu *metrics.CPU, byLabel map[labelKey]time.Duration, n int, rows map[string]int) {
	var total time.Duration
	perRow := make([]time.Duration, n)
	for k, d := range byLabel {
		if k.side != sideStore {
			continue
		}
		total += d
		if r, ok := rows[k.client]; ok {
			perRow[r] += d
		}
	}
	cpu.Store, cpu.ByRow = &total, perRow
}

// labelKey is the side and client labels of a sample.
type labelKey struct{ side, client string }

// cpuByLabels sums the CPU time of a pprof CPU profile by the side and
// client labels of its samples. It reads only what it needs of the
// profile's protocol buffer: the sample types, the samples with their
// values and labels, and the string table.
func cpuByLabels(profile []byte) (map[labelKey]time.Duration, error) {
	zr, err := gzip.NewReader(bytes.NewReader(profile))
	if err != nil {
		return nil, fmt.Errorf("reading a CPU profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("reading a CPU profile: %w", err)
	}
	type sample struct {
		values []int64
		labels [][2]int64 // key, str
	}
	var (
		samples    []sample
		types      [][2]int64 // type, unit
		strs       []string
		fieldError error
	)
	err = protoFields(raw, func(field int, wire int, v uint64, b []byte) {
		switch {
		case field == 1 && wire == 2: // sample_type
			var t [2]int64
			fieldError = errors.Join(fieldError, protoFields(b, func(f, _ int, v uint64, _ []byte) {
				if f == 1 || f == 2 {
					t[f-1] = int64(v)
				}
			}))
			types = append(types, t)
		case field == 2 && wire == 2: // sample
			var s sample
			fieldError = errors.Join(fieldError, protoFields(b, func(f, wt int, v uint64, b []byte) {
				switch {
				case f == 2 && wt == 0:
					s.values = append(s.values, int64(v))
				case f == 2 && wt == 2:
					fieldError = errors.Join(fieldError, packed(b, func(v uint64) { s.values = append(s.values, int64(v)) }))
				case f == 3 && wt == 2:
					var l [2]int64
					fieldError = errors.Join(fieldError, protoFields(b, func(f, _ int, v uint64, _ []byte) {
						if f == 1 || f == 2 {
							l[f-1] = int64(v)
						}
					}))
					s.labels = append(s.labels, l)
				}
			}))
			samples = append(samples, s)
		case field == 6 && wire == 2: // string_table
			strs = append(strs, string(b))
		}
	})
	if err = errors.Join(err, fieldError); err != nil {
		return nil, fmt.Errorf("reading a CPU profile: %w", err)
	}
	str := func(i int64) string {
		if i < 0 || i >= int64(len(strs)) {
			return ""
		}
		return strs[i]
	}
	cpuIndex := -1
	for i, t := range types {
		if str(t[1]) == "nanoseconds" {
			cpuIndex = i
		}
	}
	if cpuIndex < 0 {
		return nil, errors.New("reading a CPU profile: no sample type in nanoseconds")
	}
	out := map[labelKey]time.Duration{}
	for _, s := range samples {
		if cpuIndex >= len(s.values) {
			continue
		}
		var k labelKey
		for _, l := range s.labels {
			switch str(l[0]) {
			case labelSide:
				k.side = str(l[1])
			case labelClient:
				k.client = str(l[1])
			}
		}
		out[k] += time.Duration(s.values[cpuIndex])
	}
	return out, nil
}

// protoFields calls f for every field of the protocol buffer message b:
// its number, its wire type, its value for a varint, or its bytes for a
// length-delimited field. Fixed-width fields are skipped.
func protoFields(b []byte, f func(field, wire int, v uint64, b []byte)) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		field, wire := int(key>>3), int(key&7)
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
			f(field, wire, v, nil)
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("bad length")
			}
			f(field, wire, 0, b[n:n+int(l)])
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
	}
	return nil
}

// packed calls f for every varint of a packed repeated field.
func packed(b []byte, f func(uint64)) error {
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad packed varint")
		}
		f(v)
		b = b[n:]
	}
	return nil
}
