// Package bench holds pushpull's benchmarks: one per shipped scenario and
// client strategy, reporting what users care about, and the throughput and
// memory of the virtual-time runner against the floor of its own event
// heap. Run them with make bench, or go test -bench=. ./bench/...
package bench
