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

// series is one client's counts per bucket.
type series struct {
	requests   []int64
	deliveries []int64
	drops      []int64
}

func newSeries(n int) series {
	return series{requests: make([]int64, n), deliveries: make([]int64, n), drops: make([]int64, n)}
}

func inc(counts []int64, b int) {
	if b >= 0 {
		counts[b]++
	}
}
