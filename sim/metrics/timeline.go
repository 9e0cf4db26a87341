package metrics

import "time"

// maxBuckets bounds the timeline: its memory and its share of results.json
// do not grow with the length of a run.
const maxBuckets = 120

// bucketWidths are the widths a timeline's buckets may take: round values,
// so that a chart's ticks fall on them.
var bucketWidths = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// bucketWidth is the narrowest round width that covers span in at most
// maxBuckets buckets.
func bucketWidth(span time.Duration) time.Duration {
	for _, w := range bucketWidths {
		if time.Duration(maxBuckets)*w >= span {
			return w
		}
	}
	days := (span + time.Duration(maxBuckets)*24*time.Hour - 1) / (time.Duration(maxBuckets) * 24 * time.Hour)
	return days * 24 * time.Hour
}

// timeline counts what happens in each bucket of the run.
type timeline struct {
	width   time.Duration
	buckets int
}

func newTimeline(span time.Duration) timeline {
	w := bucketWidth(max(span, time.Second))
	return timeline{width: w, buckets: int((span + w - 1) / w)}
}

// bucket is the index of the bucket holding instant t, or −1 outside the run.
func (tl timeline) bucket(t time.Duration) int {
	if t < 0 {
		return -1
	}
	b := int(t / tl.width)
	if b >= tl.buckets {
		return -1
	}
	return b
}

// series holds every row's counts per bucket, bucket by bucket: the rows'
// counts for one bucket sit side by side, so that while a run is in that
// bucket the counters its requests touch stay together in cache.
type series struct {
	rows       int
	requests   []int64
	deliveries []int64
	drops      []int64
}

func newSeries(rows, buckets int) series {
	n := rows * buckets
	return series{rows: rows, requests: make([]int64, n), deliveries: make([]int64, n), drops: make([]int64, n)}
}

// inc counts one in row's bucket b of counts; b is −1 outside the run.
func (s *series) inc(counts []int64, row int32, b int) {
	if b >= 0 {
		counts[b*s.rows+int(row)]++
	}
}

// row returns row's counts per bucket.
func (s *series) row(counts []int64, row int) []int64 {
	out := make([]int64, len(counts)/max(s.rows, 1))
	for b := range out {
		out[b] = counts[b*s.rows+row]
	}
	return out
}

func inc(counts []int64, b int) {
	if b >= 0 {
		counts[b]++
	}
}
