package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pushpull/pushpull/sim/random"
	"github.com/pushpull/pushpull/sim/scenario"
	"github.com/pushpull/pushpull/sim/store"
)

func TestReceiverRepliesAsItsOutagesSay(t *testing.T) {
	t.Parallel()
	r := NewReceiver(scenario.Webhook{}, NewOutages([]scenario.Outage{
		{At: scenario.Duration(time.Hour), For: scenario.Duration(time.Hour), Mode: "hang"},
		{At: scenario.Duration(10 * time.Minute), For: scenario.Duration(time.Minute), Mode: "refuse"},
	}), random.New(1, "r"))
	cases := map[time.Duration]Reply{
		0:                             Accept,
		10*time.Minute - 1:            Accept,
		10 * time.Minute:              Refuse,
		11*time.Minute - 1:            Refuse,
		11 * time.Minute:              Accept,
		time.Hour:                     Hang,
		2*time.Hour - time.Nanosecond: Hang,
		2 * time.Hour:                 Accept,
		100 * time.Hour:               Accept,
	}
	for at, want := range cases {
		assert.Equal(t, want, r.Arrive(at, store.Event{Seq: 1}).Reply, "Arrive(%v)", at)
	}
}

func processing(mode string, work time.Duration, workers, queue int, durable bool, overflow string) *scenario.Processing {
	return &scenario.Processing{Mode: mode, Time: scenario.FixedLatency(work), Workers: workers, Queue: queue, Durable: durable, Overflow: overflow}
}

func receiver(cfg scenario.Webhook, outages ...scenario.Outage) *Receiver {
	return NewReceiver(cfg, NewOutages(outages), random.New(1, "receiver"))
}

func ev(seq int64) store.Event { return store.Event{Seq: seq} }

func workSeqs(ws []Work) []int64 {
	var out []int64
	for _, w := range ws {
		out = append(out, w.Event.Seq)
	}
	return out
}

func eventSeqs(es []store.Event) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func TestReceiverWithoutProcessingHoldsAtOnce(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{})
	a := r.Arrive(5*time.Second, ev(1))
	assert.Equal(t, Arrival{Reply: Accept, AckAt: 5 * time.Second, Holds: true}, a, "Arrive(5s)")
	assert.False(t, r.Processes())
	assert.Nil(t, r.Done(6*time.Second), "Done without a queue")
}

func TestSyncReceiverAcksAfterProcessing(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("sync", 2*time.Second, 0, 0, false, "")})
	assert.True(t, r.Processes())
	for _, at := range []time.Duration{10 * time.Second, 11 * time.Second} { // overlapping requests are each processed
		a := r.Arrive(at, ev(1+int64(at/time.Second)))
		assert.Equal(t, Accept, a.Reply)
		assert.Equal(t, at+2*time.Second, a.AckAt, "Arrive(%v).AckAt = %v; want arrival + processing", at, a.AckAt)
		assert.True(t, a.Holds, "a sync receiver holds the event at once")
		require.Len(t, a.Work, 1)
		assert.Equal(t, Work{Event: ev(1 + int64(at/time.Second)), AcceptedAt: at, Start: at, End: at + 2*time.Second}, a.Work[0])
	}
}

// TestAsyncReceiverQueues checks an async receiver with 2 workers and room
// for 3 waiting: it acks at once, starts at most 2 works, answers overflow
// once 3 wait, and Done starts the next.
func TestAsyncReceiverQueues(t *testing.T) {
	t.Parallel()
	for _, overflow := range []string{"503", "429"} {
		r := receiver(scenario.Webhook{Processing: processing("async", 10*time.Second, 2, 3, false, overflow)})
		var started []int64
		for seq := int64(1); seq <= 5; seq++ {
			a := r.Arrive(time.Second, ev(seq))
			require.Equal(t, Accept, a.Reply, "Arrive(%d)", seq)
			assert.Equal(t, time.Second, a.AckAt, "an async receiver acks at once")
			assert.False(t, a.Holds, "a volatile queue does not hold on acceptance")
			for _, w := range a.Work {
				assert.Equal(t, time.Second, w.Start)
				assert.Equal(t, 11*time.Second, w.End)
				assert.True(t, w.Holds, "a volatile queue holds once processed")
			}
			started = append(started, workSeqs(a.Work)...)
		}
		assert.Equal(t, []int64{1, 2}, started, "two workers")
		assert.Equal(t, []int64{3, 4, 5}, eventSeqs(r.Queued()))

		full := r.Arrive(2*time.Second, ev(6))
		wantStatus := map[string]int{"503": 503, "429": 429}[overflow]
		assert.Equal(t, Arrival{Reply: Overflow, Status: wantStatus}, full, "Arrive with the queue full (overflow %s)", overflow)

		next := r.Done(11 * time.Second)
		assert.Equal(t, []int64{3}, workSeqs(next), "Done starts the next waiting")
		assert.Equal(t, Work{Event: ev(3), AcceptedAt: time.Second, Start: 11 * time.Second, End: 21 * time.Second, Holds: true}, next[0])
		a := r.Arrive(12*time.Second, ev(7))
		assert.Equal(t, Accept, a.Reply, "room again after Done")
		assert.Empty(t, a.Work, "both workers busy")
		assert.Equal(t, []int64{4, 5, 7}, eventSeqs(r.Queued()))
		assert.Equal(t, []int64{4}, workSeqs(r.Done(11*time.Second)))
		assert.Equal(t, []int64{5}, workSeqs(r.Done(21*time.Second)))
		assert.Equal(t, []int64{7}, workSeqs(r.Done(21*time.Second)))
		assert.Empty(t, r.Done(31*time.Second), "nothing waits")
		a = r.Arrive(32*time.Second, ev(8))
		assert.Equal(t, []int64{8}, workSeqs(a.Work), "an idle worker takes it at once")
	}
}

func TestDurableQueueHoldsOnAcceptance(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("async", time.Second, 1, 10, true, "503")})
	assert.True(t, r.Durable())
	a := r.Arrive(0, ev(1))
	assert.True(t, a.Holds, "a durable queue holds once it has the event")
	require.Len(t, a.Work, 1)
	assert.False(t, a.Work[0].Holds, "already held: the work adds nothing")
	a = r.Arrive(0, ev(2))
	assert.True(t, a.Holds)
	assert.Empty(t, a.Work)
}

// TestCrashLosesAVolatileQueue checks that a crash loses what waits and what
// is in progress, forgets having seen it, and refuses until the restart.
func TestCrashLosesAVolatileQueue(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("async", 10*time.Second, 2, 10, false, "503"),
		Dedupe: &scenario.Dedupe{TTL: scenario.Duration(time.Hour)}})
	var inProgress []Work
	for seq := int64(1); seq <= 5; seq++ {
		inProgress = append(inProgress, r.Arrive(0, ev(seq)).Work...)
	}
	require.Equal(t, []int64{1, 2}, workSeqs(inProgress))

	lost := r.Crash(5*time.Second, time.Minute, inProgress)
	assert.ElementsMatch(t, []int64{1, 2, 3, 4, 5}, eventSeqs(lost), "Crash loses in progress and waiting")
	assert.Empty(t, r.Queued())
	for _, at := range []time.Duration{5 * time.Second, 30 * time.Second, 65*time.Second - 1} {
		assert.Equal(t, Refuse, r.Arrive(at, ev(9)).Reply, "Arrive(%v) while restarting", at)
	}
	assert.Empty(t, r.Restart(65*time.Second), "nothing to resume")
	a := r.Arrive(65*time.Second, ev(1))
	assert.Equal(t, Accept, a.Reply, "up again")
	assert.False(t, a.Suppressed, "a lost event is forgotten: its redelivery is processed")
	assert.Equal(t, []int64{1}, workSeqs(a.Work), "the workers are free again")
}

// TestCrashReturnsWorkToADurableQueue checks that work in progress goes back
// to the head of a durable queue and resumes on restart.
func TestCrashReturnsWorkToADurableQueue(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("async", 10*time.Second, 2, 10, true, "503")})
	var inProgress []Work
	for seq := int64(1); seq <= 4; seq++ {
		inProgress = append(inProgress, r.Arrive(0, ev(seq)).Work...)
	}
	lost := r.Crash(5*time.Second, time.Minute, inProgress)
	assert.Empty(t, lost, "a durable queue loses nothing")
	assert.Equal(t, []int64{1, 2, 3, 4}, eventSeqs(r.Queued()), "work in progress back at the head")
	assert.Equal(t, Refuse, r.Arrive(time.Minute, ev(5)).Reply)
	resumed := r.Restart(65 * time.Second)
	assert.Equal(t, []int64{1, 2}, workSeqs(resumed), "Restart resumes the queue")
	for _, w := range resumed {
		assert.Equal(t, time.Duration(0), w.AcceptedAt, "accepted when it first came")
		assert.Equal(t, 65*time.Second, w.Start)
	}
}

// TestDoneOfLostWorkFreesNoWorker checks a receiver told Done for work a
// crash lost, against its contract: with 2 workers, never more than 2
// works run at once afterwards, and the workers are all free once the
// work started since the crash is done.
func TestDoneOfLostWorkFreesNoWorker(t *testing.T) {
	t.Parallel()
	s := time.Second
	r := receiver(scenario.Webhook{Processing: processing("async", 10*s, 2, 10, false, "503")})
	var lostWork, started []Work
	for seq := int64(1); seq <= 3; seq++ {
		lostWork = append(lostWork, r.Arrive(0, ev(seq)).Work...)
	}
	require.Equal(t, []int64{1, 2}, workSeqs(lostWork), "in progress at the crash, until 10 s")
	require.Len(t, r.Crash(5*s, s, lostWork), 3, "Crash loses in progress and waiting")
	require.Empty(t, r.Restart(6*s))
	for seq := int64(4); seq <= 7; seq++ {
		started = append(started, r.Arrive(7*s, ev(seq)).Work...)
	}
	require.Equal(t, []int64{4, 5}, workSeqs(started), "two workers, until 17 s")

	for range lostWork {
		next := r.Done(10 * s)
		assert.Empty(t, next, "Done(10 s) for work the crash lost")
		started = append(started, next...)
	}
	for _, at := range []time.Duration{17 * s, 17 * s, 27 * s, 27 * s, 27 * s, 40 * s} {
		started = append(started, r.Done(at)...)
	}
	assert.Equal(t, []int64{4, 5, 6, 7}, workSeqs(started), "each waiting event started once")
	assert.LessOrEqual(t, mostAtOnce(started), 2, "works running at once with 2 workers")

	// Every worker is free: two more start at once, a third waits.
	var more []Work
	for seq := int64(8); seq <= 10; seq++ {
		more = append(more, r.Arrive(50*s, ev(seq)).Work...)
	}
	assert.Equal(t, []int64{8, 9}, workSeqs(more), "works started at 50 s")
	assert.Equal(t, []int64{10}, eventSeqs(r.Queued()))
}

// mostAtOnce is the largest number of works running at one instant.
func mostAtOnce(works []Work) int {
	most := 0
	for _, w := range works {
		n := 0
		for _, o := range works {
			if o.Start <= w.Start && w.Start < o.End {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// TestDoneFreesTheWorkerWhoseWorkEnded checks random processing times
// against a plain count: every Done at the end of a work frees exactly one
// worker, and works never overlap more than the workers.
func TestDoneFreesTheWorkerWhoseWorkEnded(t *testing.T) {
	t.Parallel()
	const workers = 5
	r := NewReceiver(scenario.Webhook{Processing: &scenario.Processing{Mode: "async", Time: scenario.FixedLatency(time.Second),
		Workers: workers, Queue: 1000}}, NewOutages(nil), random.New(1, "receiver"))
	r.workTime = random.LogNormalFromMedianP99(time.Second, 10*time.Second)
	var all, running []Work
	start := func(ws []Work) {
		all = append(all, ws...)
		running = append(running, ws...)
	}
	now := time.Duration(0)
	for seq := int64(1); seq <= 2000; seq++ {
		now += 300 * time.Millisecond
		// Finish, in end order, what ended by now, as a runner would.
		for {
			i := -1
			for j, w := range running {
				if w.End <= now && (i < 0 || w.End < running[i].End) {
					i = j
				}
			}
			if i < 0 {
				break
			}
			end := running[i].End
			running = append(running[:i], running[i+1:]...)
			start(r.Done(end))
		}
		start(r.Arrive(now, ev(seq)).Work)
		require.LessOrEqual(t, len(running), workers, "works running at %v", now)
		require.Equal(t, len(running), len(r.ends), "works the receiver counts at %v", now)
	}
	assert.LessOrEqual(t, mostAtOnce(all), workers)
	assert.Greater(t, len(r.Queued()), 0, "the workers were saturated")
}

func TestCrashOfASyncReceiver(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("sync", time.Second, 0, 0, false, ""),
		Crashes: []scenario.Crash{{At: scenario.Duration(time.Hour), Restart: scenario.Duration(time.Minute)}}})
	assert.Nil(t, r.Crash(time.Hour, time.Minute, nil), "a sync receiver keeps no queue")
	assert.Equal(t, Refuse, r.Arrive(time.Hour+30*time.Second, ev(1)).Reply)
	assert.Equal(t, Accept, r.Arrive(time.Hour+time.Minute, ev(1)).Reply)
}

func TestCrashBetween(t *testing.T) {
	t.Parallel()
	h := time.Hour
	r := receiver(scenario.Webhook{Crashes: []scenario.Crash{
		{At: scenario.Duration(3 * h)}, {At: scenario.Duration(h)},
	}})
	assert.Equal(t, []scenario.Duration{scenario.Duration(h), scenario.Duration(3 * h)},
		[]scenario.Duration{r.Crashes()[0].At, r.Crashes()[1].At}, "Crashes() in time order")
	tests := []struct {
		from, to time.Duration
		want     bool
	}{
		{0, h, false},
		{0, h + 1, true},
		{h, h + 1, true},
		{h + 1, 3 * h, false},
		{2 * h, 4 * h, true},
		{3*h + 1, 10 * h, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.CrashBetween(tt.from, tt.to), "CrashBetween(%v, %v)", tt.from, tt.to)
	}
}

func TestDedupeSuppressesWithinTTL(t *testing.T) {
	t.Parallel()
	m := time.Minute
	for _, proc := range []*scenario.Processing{nil, processing("sync", time.Second, 0, 0, false, ""), processing("async", time.Second, 1, 10, false, "503")} {
		r := receiver(scenario.Webhook{Processing: proc, Dedupe: &scenario.Dedupe{TTL: scenario.Duration(time.Hour)}})
		tests := []struct {
			at         time.Duration
			seq        int64
			suppressed bool
		}{
			{0, 1, false},
			{30 * m, 1, true},
			{30 * m, 2, false},
			{60*m - 1, 1, true},
			{60 * m, 1, false}, // the TTL has passed
			{61 * m, 1, true},  // remembered again from 60 min
			{90 * m, 2, false},
		}
		for _, tt := range tests {
			a := r.Arrive(tt.at, ev(tt.seq))
			assert.Equal(t, Accept, a.Reply)
			assert.Equal(t, tt.suppressed, a.Suppressed, "processing %+v: Arrive(%v, %d).Suppressed = %v; want %v", proc, tt.at, tt.seq, a.Suppressed, tt.suppressed)
			if tt.suppressed {
				assert.Equal(t, tt.at, a.AckAt, "a duplicate is acknowledged at once")
				assert.Empty(t, a.Work, "a duplicate is not processed")
			}
		}
	}
}

func TestSeen(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{})
	assert.False(t, r.Seen(0, 1), "without dedupe nothing is seen")
	assert.False(t, r.Seen(0, 1))

	r = receiver(scenario.Webhook{Dedupe: &scenario.Dedupe{TTL: scenario.Duration(time.Hour)}})
	assert.False(t, r.Seen(0, 1), "Seen(0, 1) the first time")
	assert.True(t, r.Seen(time.Minute, 1), "Seen(1m, 1) again")
	assert.True(t, r.Arrive(2*time.Minute, ev(1)).Suppressed, "a webhook of an event a reconciliation brought")
	assert.False(t, r.Arrive(2*time.Minute, ev(2)).Suppressed)
	assert.True(t, r.Seen(3*time.Minute, 2), "an event a webhook brought")
	assert.False(t, r.Seen(2*time.Hour, 1), "after the TTL")
}

func TestReceiverErrors(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Errors: 1, Dedupe: &scenario.Dedupe{TTL: scenario.Duration(time.Hour)}})
	for i := range int64(100) {
		assert.Equal(t, Arrival{Reply: Error}, r.Arrive(time.Duration(i)*time.Second, ev(i%3)), "Arrive with errors = 1")
	}

	r = receiver(scenario.Webhook{Errors: 0.3})
	const n = 20_000
	errs := 0
	for i := range int64(n) {
		if r.Arrive(time.Duration(i)*time.Millisecond, ev(i)).Reply == Error {
			errs++
		}
	}
	// Binomial(n, 0.3): sd = √(n·0.3·0.7) ≈ 64.8.
	assert.InDelta(t, 0.3*n, errs, 4*64.8, "errors among %d deliveries = %d; want %d", n, errs, 6000)
}

// TestDownReceiverDecidesNothingElse checks that while down the receiver
// neither queues, nor remembers, nor draws an error.
func TestDownReceiverDecidesNothingElse(t *testing.T) {
	t.Parallel()
	r := receiver(scenario.Webhook{Processing: processing("async", time.Second, 1, 1, false, "503"), Dedupe: &scenario.Dedupe{TTL: scenario.Duration(time.Hour)}},
		scenario.Outage{At: scenario.Duration(time.Minute), For: scenario.Duration(time.Minute), Mode: "hang"})
	assert.Equal(t, Arrival{Reply: Hang}, r.Arrive(time.Minute, ev(1)))
	assert.Empty(t, r.Queued())
	a := r.Arrive(2*time.Minute, ev(1))
	assert.False(t, a.Suppressed, "a delivery refused while down is not remembered")
	assert.Equal(t, []int64{1}, workSeqs(a.Work))
}

func TestReplyString(t *testing.T) {
	t.Parallel()
	for reply, want := range map[Reply]string{Accept: "accept", Refuse: "refuse", Hang: "hang", Error: "error", Overflow: "overflow"} {
		assert.Equal(t, want, reply.String(), "Reply(%d).String()", reply)
	}
}

func TestRefetchAfter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status store.Status
		after  time.Duration
		want   time.Duration
		again  bool
	}{
		{store.StatusOK, 0, 0, false},
		{store.StatusNotFound, 0, 0, false},
		{store.StatusRateLimited, 7 * time.Second, 7 * time.Second, true},
		{store.StatusUnavailable, 0, time.Second, true},
	} {
		got, again := RefetchAfter(c.status, c.after)
		assert.Equal(t, c.again, again, "%d", c.status)
		assert.Equal(t, c.want, got, "%d", c.status)
	}
}
