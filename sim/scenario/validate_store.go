package scenario

import (
	"fmt"
	"math"
	"strings"
)

func (s *Scenario) validateStore(c *checker) {
	st := s.Store
	s.validateArrivals(c)
	if st.Resources < 1 || st.Resources > 1_000_000 {
		c.add("store.resources", "must be between 1 and 1000000, got %d", st.Resources)
	}
	if st.PayloadBytes < 0 || st.PayloadBytes > 1<<30 {
		c.add("store.payload_bytes", "must be between 0 and 1 GiB, got %d", st.PayloadBytes)
	}
	c.latency("store.api.latency", st.API.Latency)
	if st.API.PageSize < 1 || st.API.PageSize > 1_000_000 {
		c.add("store.api.page_size", "must be between 1 and 1000000, got %d", st.API.PageSize)
	}
	c.positive("store.api.retention", st.API.Retention)
	if rl := st.API.RateLimit; rl != nil {
		c.rate("store.api.rate_limit.rate", rl.Rate)
		if rl.Burst < 1 {
			c.add("store.api.rate_limit.burst", "must be at least 1, got %d", rl.Burst)
		}
	}
	c.probability("store.api.errors", st.API.Errors)

	w := st.Webhooks
	c.nonNegative("store.webhooks.timeout", w.Timeout)
	s.validateRetry(c, "store.webhooks.retry", w.Retry)
	if w.Concurrency < 0 || w.Concurrency > 1_000_000 {
		c.add("store.webhooks.concurrency", "must be between 0 (no limit) and 1000000, got %d", w.Concurrency)
	}
	if w.Disable != nil {
		validateDisable(c, "store.webhooks.disable", *w.Disable)
	}
	c.probability("store.webhooks.silent_loss", w.SilentLoss)
	c.probability("store.webhooks.failures", w.Failures)
}

func (s *Scenario) validateArrivals(c *checker) {
	a, p := s.Store.Arrivals, "store.arrivals"
	c.oneOf(p+".process", a.Process, enumOf[Arrivals]("process"))
	if a.Process == "replay" {
		if a.Replay == nil {
			c.add(p+".replay", "required with process: replay; give {file: instants.csv}")
		} else {
			c.oneOf(p+".replay.times", a.Replay.Times, enumOf[Replay]("times"))
		}
		if !a.Rate.IsZero() || c.src.has(p+".rate") {
			c.add(p+".rate", "does not apply to replay: the file gives the instants")
		}
		c.only(p, "poisson and constant processes", "bursts", "diurnal", "batch")
		return
	}
	c.rate(p+".rate", a.Rate)
	if a.Replay != nil {
		c.add(p+".replay", "applies only to process: replay")
	}
	for i, b := range a.Bursts {
		bp := fmt.Sprintf("%s.bursts[%d]", p, i)
		// Events are created only before duration: a burst must start by then.
		c.nonNegative(bp+".at", b.At)
		if b.At >= 0 && s.Duration > 0 && b.At >= s.Duration {
			c.add(bp+".at", "%v is not before duration (%v): no events are created after it", b.At, s.Duration)
		}
		c.positive(bp+".for", b.For)
		if !(b.Factor > 0) || math.IsInf(b.Factor, 0) {
			c.add(bp+".factor", "must be above 0, got %v", b.Factor)
		}
		c.nonNegative(bp+".every", b.Every)
		if b.Every > 0 && b.Every <= b.For {
			c.add(bp+".every", "must be longer than for (%v), got %v", b.For, b.Every)
		} else if b.Every > 0 && s.Duration > b.At && (s.Duration-b.At)/b.Every >= MaxBurstWindows {
			c.add(bp+".every", "repeats the burst more than %d times before the end of duration; repeat it less often", MaxBurstWindows)
		}
		for j, prev := range a.Bursts[:i] {
			if burstsOverlap(b, prev, s.Duration) {
				c.add(bp, "overlaps %s.bursts[%d]; merge them into one burst", p, j)
			}
		}
	}
	if d := a.Diurnal; d != nil {
		if a.Process != "poisson" {
			c.add(p+".diurnal", "needs process: poisson")
		}
		if !(d.Amplitude >= 0 && d.Amplitude <= 1) {
			c.add(p+".diurnal.amplitude", "must be from 0 to 1, got %v", d.Amplitude)
		}
		c.positive(p+".diurnal.period", d.Period)
		c.nonNegative(p+".diurnal.peak", d.Peak)
	}
	if b := a.Batch; b != nil {
		validateBatch(c, p+".batch", *b)
	}
}

func validateBatch(c *checker, p string, b Batch) {
	var forms []string
	if b.Size != 0 || c.src.has(p+".size") {
		forms = append(forms, "size")
	}
	if b.Min != 0 || b.Max != 0 || c.src.has(p+".min") || c.src.has(p+".max") {
		forms = append(forms, "min and max")
	}
	if b.Mean != 0 || c.src.has(p+".mean") {
		forms = append(forms, "mean")
	}
	if len(forms) != 1 {
		c.add(p, "give exactly one of size, min and max, or mean")
		return
	}
	const most = 1_000_000
	switch forms[0] {
	case "size":
		if b.Size < 1 || b.Size > most {
			c.add(p+".size", "must be from 1 to %d, got %d", most, b.Size)
		}
	case "min and max":
		if b.Min < 1 || b.Max < b.Min || b.Max > most {
			c.add(p, "need 1 <= min <= max <= %d, got min %d, max %d", most, b.Min, b.Max)
		}
	case "mean":
		if !(b.Mean >= 1 && b.Mean <= most) {
			c.add(p+".mean", "must be from 1 to %d, got %v", most, b.Mean)
		}
	}
}

func (s *Scenario) validateRetry(c *checker, path string, r Retry) {
	var forms []string
	if r.Preset != "" || c.src.has(path+".preset") {
		forms = append(forms, "preset")
	}
	if r.Delays != nil || c.src.has(path+".delays") {
		forms = append(forms, "delays")
	}
	if r.Exponential != nil {
		forms = append(forms, "exponential")
	}
	switch {
	case len(forms) == 0:
		c.add(path, "give one of preset, delays or exponential")
		return
	case len(forms) > 1:
		c.add(path, "give only one of preset, delays or exponential, not %s", strings.Join(forms, " and "))
		return
	}
	if !(r.Jitter >= 0 && r.Jitter < 1) { // also rejects NaN
		c.add(path+".jitter", "must be at least 0 and less than 1, got %v", r.Jitter)
	}
	c.nonNegative(path+".floor", r.Floor)
	switch forms[0] {
	case "preset":
		if _, ok := Presets[r.Preset]; !ok {
			c.add(path+".preset", "unknown preset %q; valid presets: %s", r.Preset, strings.Join(PresetNames(), ", "))
		}
	case "delays":
		if len(r.Delays)+1 > MaxAttempts {
			c.add(path+".delays", "%d retries; the most is %d", len(r.Delays), MaxAttempts-1)
		}
		var total float64 // in seconds, so that a long list cannot overflow
		for i, d := range r.Delays {
			c.nonNegative(fmt.Sprintf("%s.delays[%d]", path, i), d)
			total += max(d.D(), 0).Seconds()
		}
		if total > MaxDuration.Seconds() {
			c.add(path+".delays", "the last attempt would come more than %v after the event; give shorter delays", MaxDuration)
		}
	case "exponential":
		e, ep := r.Exponential, path+".exponential"
		c.positive(ep+".initial", e.Initial)
		if e.Factor < 1 || math.IsInf(e.Factor, 0) || math.IsNaN(e.Factor) {
			c.add(ep+".factor", "must be at least 1, got %v", e.Factor)
		}
		c.nonNegative(ep+".cap", e.Cap)
		if e.Cap > 0 && e.Initial > 0 && e.Cap < e.Initial {
			c.add(ep+".cap", "must be at least initial (%v), got %v", e.Initial, e.Cap)
		}
		if e.Attempts < 1 || e.Attempts > MaxAttempts {
			c.add(ep+".attempts", "must be between 1 and %d, got %d", MaxAttempts, e.Attempts)
		} else if e.Initial > 0 && e.Factor >= 1 {
			plan := RetryPlan{Exponential: e}
			if last := plan.Offsets()[e.Attempts-1]; last > MaxDuration {
				c.add(ep, "the last attempt would come more than %v after the event; give a cap or fewer attempts", MaxDuration)
			}
		}
	}
}

func validateDisable(c *checker, p string, d Disable) {
	if d.AfterFailing == 0 && d.Consecutive == 0 && d.FailureRate == nil && !d.OnExhausted {
		c.add(p, "give at least one trigger: after_failing, consecutive, failure_rate or on_exhausted")
	}
	c.nonNegative(p+".after_failing", d.AfterFailing)
	if d.Consecutive < 0 {
		c.add(p+".consecutive", "must not be negative, got %d", d.Consecutive)
	}
	if fr := d.FailureRate; fr != nil {
		if !(fr.Above >= 0 && fr.Above < 1) {
			c.add(p+".failure_rate.above", "must be at least 0 and less than 1, got %v", fr.Above)
		}
		c.positive(p+".failure_rate.window", fr.Window)
		if fr.Min < 1 {
			c.add(p+".failure_rate.min", "must be at least 1, got %d", fr.Min)
		}
	}
	c.oneOf(p+".while_off", d.WhileOff, enumOf[Disable]("while_off"))
	c.nonNegative(p+".reenable", d.Reenable)
	if d.WhileOff == "hold" && d.Reenable == 0 {
		c.add(p+".while_off", "hold keeps events for when the endpoint is enabled again: give reenable too")
	}
}

// burstsOverlap reports whether two bursts, repeated or not, are ever in
// force at once before end.
func burstsOverlap(a, b Burst, end Duration) bool {
	if a.For <= 0 || b.For <= 0 {
		return false
	}
	wa, wb := a.Windows(end), b.Windows(end)
	for i, j := 0, 0; i < len(wa) && j < len(wb); {
		if wa[i][0] < wb[j][1] && wb[j][0] < wa[i][1] {
			return true
		}
		if wa[i][1] < wb[j][1] {
			i++
		} else {
			j++
		}
	}
	return false
}
