package scenario

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ReadFile reads a file a scenario names, such as a replay CSV, by its path
// relative to the working directory.
type ReadFile func(name string) ([]byte, error)

// MaxReplayEvents bounds a replay file.
const MaxReplayEvents = 50_000_000

// Instants returns the creation instants a replay file gives, in order, and
// the resource of each (nil when the file gives none).
func (r *Replay) Instants() ([]Duration, []int) { return r.instants, r.resources }

// load reads the replay file next to the scenario file and checks every
// line, reporting problems at their line of the CSV.
func (r *Replay) load(c *checker, field, scenarioFile string, read ReadFile, resources int) {
	if r.File == "" {
		c.add(field+".file", "required; give the path of a CSV file of instants, such as instants.csv")
		return
	}
	if read == nil {
		c.add(field+".file", "replay files can only be read when the scenario is loaded from a file")
		return
	}
	name := r.File
	if !path.IsAbs(name) && scenarioFile != "" {
		name = path.Join(path.Dir(scenarioFile), name)
	}
	data, err := read(name)
	if err != nil {
		c.add(field+".file", "reading the replay file: %v", err)
		return
	}
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	rd.TrimLeadingSpace = true
	rd.Comment = '#'
	var first time.Time
	bad, rows := 0, 0
	report := func(line int, format string, args ...any) {
		if bad++; bad <= 10 {
			c.problems = append(c.problems, Problem{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
		}
	}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The reader knows no field's position after an error: take
			// the line from the error itself.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			report(line, "not CSV: %v", err)
			break
		}
		line, _ := rd.FieldPos(0)
		if len(rec) == 0 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rows++
		header := rows == 1 // a first row that is not an instant names the columns
		var at Duration
		if r.Times == "absolute" {
			ts, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(rec[0]))
			if err != nil {
				if header {
					continue
				}
				report(line, "%q is not an RFC 3339 timestamp such as 2024-11-29T09:00:00Z", rec[0])
				continue
			}
			if first.IsZero() {
				first = ts
			}
			at = Duration(ts.Sub(first))
		} else {
			d, err := relativeInstant(rec[0])
			if err != nil {
				// Only a first field that is no number at all names a
				// column: a number that is no instant is a mistake.
				if header && errors.Is(err, errNotAnInstant) {
					continue
				}
				report(line, "%q %v", rec[0], err)
				continue
			}
			at = d
		}
		if at < 0 {
			report(line, "instant %v is before the first", at)
			continue
		}
		if n := len(r.instants); n > 0 && at < r.instants[n-1] {
			report(line, "instant %v is earlier than the line before (%v): instants must not go back", at, r.instants[n-1])
			continue
		}
		r.instants = append(r.instants, at)
		if len(rec) > 1 && strings.TrimSpace(rec[1]) != "" {
			res, err := strconv.Atoi(strings.TrimSpace(rec[1]))
			if err != nil || res < 0 || res >= resources {
				report(line, "resource %q is not a whole number from 0 to %d (store.resources − 1)", rec[1], resources-1)
				continue
			}
			if r.resources == nil {
				r.resources = make([]int, len(r.instants)-1, len(r.instants))
			}
			r.resources = append(r.resources, res)
		} else if r.resources != nil {
			r.resources = append(r.resources, 0)
		}
		if len(r.instants) > MaxReplayEvents {
			report(line, "more than %d events; the most a replay may hold", MaxReplayEvents)
			break
		}
	}
	if bad > 10 {
		c.problems = append(c.problems, Problem{File: name, Msg: fmt.Sprintf("%d more lines have problems", bad-10)})
	}
	if bad == 0 && len(r.instants) == 0 {
		c.add(field+".file", "%s holds no instants", name)
	}
	r.instants = slices.Clip(r.instants)
}

// Why a field of a relative replay file is no instant; each follows the
// field, quoted, in a problem.
var (
	errNotAnInstant = errors.New("is neither a duration (90s) nor a number of seconds (90)")
	errNotFinite    = errors.New("is not a finite number of seconds")
	errOutOfRange   = fmt.Errorf("is not a number of seconds within the %v pushpull simulates", MaxDuration)
)

// relativeInstant reads a duration (90s) or a number of seconds (90.5). A
// negative one is returned as it is, for the caller to report. It returns
// errNotAnInstant only when s is neither a number nor a duration.
func relativeInstant(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	secs, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrSyntax):
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errNotAnInstant
		}
		return Duration(d), nil
	case err != nil || math.IsInf(secs, 0) || math.IsNaN(secs):
		return 0, errNotFinite // ParseFloat fails otherwise only out of range
	case math.Abs(secs) > MaxDuration.Seconds():
		return 0, errOutOfRange
	}
	return Duration(secs * float64(time.Second)), nil
}
