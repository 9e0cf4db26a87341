package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// files is an in-memory file system for ParseFiles: it records the names
// asked for.
type files struct {
	byName map[string]string
	asked  []string
}

func (f *files) read(name string) ([]byte, error) {
	f.asked = append(f.asked, name)
	data, ok := f.byName[name]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	return []byte(data), nil
}

// replaySrc is a scenario replaying events.csv with the given times form
// and 3 resources.
func replaySrc(times string) string {
	return fmt.Sprintf(`duration: 1h
store:
  arrivals:
    process: replay
    replay: {file: events.csv, times: %s}
  resources: 3
clients:
  - {name: poll, poll: {interval: 10s}}
`, times)
}

func TestReplayLoadsInstants(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name      string
		times     string
		csv       string
		instants  []Duration
		resources []int
	}{
		{
			name: "durations and seconds", times: "relative",
			csv:      "0\n90s\n120\n150.5\n1h\n",
			instants: []Duration{0, Duration(90 * s), Duration(120 * s), Duration(150500 * time.Millisecond), Duration(time.Hour)},
		},
		{
			name: "a header line", times: "relative",
			csv:      "instant\n1s\n2s\n",
			instants: []Duration{Duration(s), Duration(2 * s)},
		},
		{
			name: "a header, resources, spaces, comments and blank lines", times: "relative",
			csv:       "at, resource\n# a comment\n1s, 2\n\n1s,0\n  3.5 ,1\n",
			instants:  []Duration{Duration(s), Duration(s), Duration(3500 * time.Millisecond)},
			resources: []int{2, 0, 1},
		},
		{
			name: "resources on some lines only", times: "relative",
			csv:       "1s\n2s,2\n3s\n",
			instants:  []Duration{Duration(s), Duration(2 * s), Duration(3 * s)},
			resources: []int{0, 2, 0},
		},
		{
			name: "absolute times shifted to the first", times: "absolute",
			csv:      "2024-11-29T09:00:00Z\n2024-11-29T09:00:01.5Z\n2024-11-29T10:00:05+01:00\n2024-11-29T10:30:00Z\n",
			instants: []Duration{0, Duration(1500 * time.Millisecond), Duration(5 * s), Duration(90 * time.Minute)},
		},
		{
			name: "absolute times with a header", times: "absolute",
			csv:       "created_at,resource\n2024-11-29T09:00:00Z,1\n2024-11-29T09:00:10Z,2\n",
			instants:  []Duration{0, Duration(10 * s)},
			resources: []int{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := &files{byName: map[string]string{"events.csv": tt.csv}}
			sc, err := ParseFiles("replay.yaml", []byte(replaySrc(tt.times)), fsys.read)
			require.NoError(t, err, "ParseFiles with %q", tt.csv)
			instants, resources := sc.Store.Arrivals.Replay.Instants()
			assert.Equal(t, tt.instants, instants, "Instants() of %q", tt.csv)
			assert.Equal(t, tt.resources, resources, "resources of %q", tt.csv)
			assert.Equal(t, []string{"events.csv"}, fsys.asked, "files read")
		})
	}
}

// TestReplayFileIsReadNextToTheScenario checks that a relative path is
// taken from the scenario file's folder and an absolute one as it is.
func TestReplayFileIsReadNextToTheScenario(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ scenario, file, want string }{
		{"scenarios/flash.yaml", "data/events.csv", "scenarios/data/events.csv"},
		{"flash.yaml", "events.csv", "events.csv"},
		{"scenarios/flash.yaml", "/srv/events.csv", "/srv/events.csv"},
	} {
		fsys := &files{byName: map[string]string{tt.want: "1s\n"}}
		src := fmt.Sprintf("duration: 1h\nstore:\n  arrivals: {process: replay, replay: {file: %s}}\nclients: [{name: poll, poll: {interval: 10s}}]\n", tt.file)
		_, err := ParseFiles(tt.scenario, []byte(src), fsys.read)
		assert.NoError(t, err, "ParseFiles(%s) replaying %s", tt.scenario, tt.file)
		assert.Equal(t, []string{tt.want}, fsys.asked, "ParseFiles(%s) replaying %s read", tt.scenario, tt.file)
	}
}

// TestReplayProblems checks that what is wrong in a replay file is reported
// at the CSV's own line, or at the field naming the file.
func TestReplayProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		times string
		csv   *string // nil: the file is missing
		file  string  // the problem's file
		line  int
		field string
		msg   string
	}{
		{
			name: "out of order", times: "relative", csv: text("1s\n5s\n# comment\n\n3s\n"),
			file: "events.csv", line: 5, msg: "instant 3s is earlier than the line before (5s): instants must not go back",
		},
		{
			name: "a bad line", times: "relative", csv: text("at\n1s\n2s\nsoon\n4s\n"),
			file: "events.csv", line: 4, msg: `"soon" is neither a duration (90s) nor a number of seconds (90)`,
		},
		{
			name: "a first line that is not an instant is a header, a second is not", times: "relative", csv: text("at\nresource\n1s\n"),
			file: "events.csv", line: 2, msg: `"resource" is neither a duration`,
		},
		{
			name: "a negative instant", times: "relative", csv: text("1s\n-5s\n"),
			file: "events.csv", line: 2, msg: "instant -5s is before the first",
		},
		{
			name: "negative seconds on the first line are no header", times: "relative", csv: text("-5\n1s\n"),
			file: "events.csv", line: 1, msg: "instant -5s is before the first",
		},
		{
			name: "seconds beyond what pushpull simulates on the first line", times: "relative", csv: text("1e12\n1s\n"),
			file: "events.csv", line: 1, msg: `"1e12" is not a number of seconds within the 87600h0m0s pushpull simulates`,
		},
		{
			name: "negative seconds beyond what pushpull simulates", times: "relative", csv: text("1s\n-1e12\n"),
			file: "events.csv", line: 2, msg: `"-1e12" is not a number of seconds within the 87600h0m0s`,
		},
		{
			name: "infinite seconds on the first line", times: "relative", csv: text("Inf\n1s\n"),
			file: "events.csv", line: 1, msg: `"Inf" is not a finite number of seconds`,
		},
		{
			name: "seconds too large for a float on the first line", times: "relative", csv: text("1e400,0\n1s,0\n"),
			file: "events.csv", line: 1, msg: `"1e400" is not a finite number of seconds`,
		},
		{
			name: "NaN seconds on the first line", times: "relative", csv: text("NaN\n1s\n"),
			file: "events.csv", line: 1, msg: `"NaN" is not a finite number of seconds`,
		},
		{
			name: "NaN seconds after the first line", times: "relative", csv: text("1s\n  nan\n"),
			file: "events.csv", line: 2, msg: `"nan" is not a finite number of seconds`,
		},
		{
			name: "an absolute time before the first", times: "absolute", csv: text("2024-11-29T09:00:00Z\n2024-11-29T08:59:00Z\n"),
			file: "events.csv", line: 2, msg: "instant -1m0s is before the first",
		},
		{
			name: "an absolute time that is not RFC 3339", times: "absolute", csv: text("2024-11-29T09:00:00Z\n29/11/2024 09:00\n"),
			file: "events.csv", line: 2, msg: `"29/11/2024 09:00" is not an RFC 3339 timestamp`,
		},
		{
			name: "a relative instant among absolute ones", times: "absolute", csv: text("2024-11-29T09:00:00Z\n90s\n"),
			file: "events.csv", line: 2, msg: `"90s" is not an RFC 3339 timestamp`,
		},
		{
			name: "a resource out of range", times: "relative", csv: text("1s,0\n2s,3\n"),
			file: "events.csv", line: 2, msg: `resource "3" is not a whole number from 0 to 2 (store.resources − 1)`,
		},
		{
			name: "a resource that is not a number", times: "relative", csv: text("1s,0\n\n2s,orders\n"),
			file: "events.csv", line: 3, msg: `resource "orders" is not a whole number from 0 to 2`,
		},
		{
			name: "a bare quote", times: "relative", csv: text("1s\n2s\n3\"s\n"),
			file: "events.csv", line: 3, msg: "not CSV",
		},
		{
			name: "an unterminated quote", times: "relative", csv: text("1s\n\"2s\n3s\n"),
			file: "events.csv", line: 2, msg: "not CSV",
		},
		{
			name: "a missing file", times: "relative", csv: nil,
			file: "replay.yaml", line: 5, field: "store.arrivals.replay.file", msg: "reading the replay file: open events.csv: file does not exist",
		},
		{
			name: "an empty file", times: "relative", csv: text(""),
			file: "replay.yaml", line: 5, field: "store.arrivals.replay.file", msg: "events.csv holds no instants",
		},
		{
			name: "only a header", times: "relative", csv: text("instant,resource\n"),
			file: "replay.yaml", line: 5, field: "store.arrivals.replay.file", msg: "events.csv holds no instants",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := &files{byName: map[string]string{}}
			if tt.csv != nil {
				fsys.byName["events.csv"] = *tt.csv
			}
			var sc *Scenario
			var err error
			require.NotPanics(t, func() { sc, err = ParseFiles("replay.yaml", []byte(replaySrc(tt.times)), fsys.read) })
			assert.Nil(t, sc)
			var ps Problems
			require.True(t, errors.As(err, &ps), "ParseFiles = %v; want Problems", err)
			require.Len(t, ps, 1, "ParseFiles = %v; want one problem", err)
			p := ps[0]
			assert.Equal(t, tt.file, p.File, "%v: File", p)
			assert.Equal(t, tt.line, p.Line, "%v: Line = %d; want %d", p, p.Line, tt.line)
			assert.Equal(t, tt.field, p.Field, "%v: Field", p)
			assert.Contains(t, p.Msg, tt.msg, "%v: Msg", p)
		})
	}
}

func text(s string) *string { return &s }

// TestReplayReportsTenBadLinesAndCountsTheRest checks that a file full of
// mistakes is reported in ten lines and a count.
func TestReplayReportsTenBadLinesAndCountsTheRest(t *testing.T) {
	t.Parallel()
	csv := "1s\n"
	for range 25 {
		csv += "never\n"
	}
	fsys := &files{byName: map[string]string{"events.csv": csv}}
	_, err := ParseFiles("replay.yaml", []byte(replaySrc("relative")), fsys.read)
	var ps Problems
	require.True(t, errors.As(err, &ps), "ParseFiles = %v; want Problems", err)
	require.Len(t, ps, 11, "ParseFiles = %v", err)
	assert.Equal(t, "15 more lines have problems", ps[0].Msg, "the count has no line and comes first: %v", ps)
	for i, p := range ps[1:] {
		assert.Equal(t, i+2, p.Line, "problem %d: %v", i, p)
	}
}

// TestReplayScenarioProblems lists replay scenarios with one mistake each,
// loaded with a file system, so that only that mistake is reported.
func TestReplayScenarioProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		line  int
		field string
		msg   string
	}{
		{
			name: "replay without replay.file",
			src: `duration: 1h
store:
  arrivals:
    process: replay
    replay: {times: relative}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
			line: 5, field: "store.arrivals.replay.file", msg: "required; give the path of a CSV file of instants",
		},
		{
			name: "a rate with replay",
			src: `duration: 1h
store:
  arrivals:
    process: replay
    rate: 50/h
    replay: {file: events.csv}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
			line: 5, field: "store.arrivals.rate", msg: "does not apply to replay: the file gives the instants",
		},
		{
			name: "bursts with replay",
			src: `duration: 1h
store:
  arrivals:
    process: replay
    replay: {file: events.csv}
    bursts: [{at: 1m, for: 1m, factor: 2}]
clients:
  - {name: poll, poll: {interval: 10s}}
`,
			line: 6, field: "store.arrivals.bursts", msg: "applies only to poisson and constant processes",
		},
		{
			name: "a replay file with another process",
			src: `duration: 1h
store:
  arrivals:
    process: poisson
    rate: 50/h
    replay: {file: events.csv}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
			line: 6, field: "store.arrivals.replay", msg: "applies only to process: replay",
		},
		{
			name: "an unknown times form",
			src: `duration: 1h
store:
  arrivals:
    process: replay
    replay: {file: events.csv, times: epoch}
clients:
  - {name: poll, poll: {interval: 10s}}
`,
			line: 5, field: "store.arrivals.replay.times", msg: `"epoch" is not one of relative, absolute`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := &files{byName: map[string]string{"events.csv": "1s\n2s\n"}}
			_, err := ParseFiles("bad.yaml", []byte(tt.src), fsys.read)
			var ps Problems
			require.True(t, errors.As(err, &ps), "ParseFiles(%q) = %v; want Problems", tt.src, err)
			require.Len(t, ps, 1, "ParseFiles(%q) = %v; want one problem", tt.src, err)
			p := ps[0]
			assert.Equal(t, "bad.yaml", p.File)
			assert.Equal(t, tt.line, p.Line, "ParseFiles(%q).Line = %d; want %d (%v)", tt.src, p.Line, tt.line, p)
			assert.Equal(t, tt.field, p.Field, "ParseFiles(%q).Field = %q; want %q (%v)", tt.src, p.Field, tt.field, p)
			assert.Contains(t, p.Msg, tt.msg, "ParseFiles(%q).Msg = %q; want it to contain %q", tt.src, p.Msg, tt.msg)
		})
	}
}

// TestReplayNeedsAFileSystem checks that Parse, which reads no files,
// says so rather than failing on the file.
func TestReplayNeedsAFileSystem(t *testing.T) {
	t.Parallel()
	_, err := Parse("replay.yaml", []byte(replaySrc("relative")))
	var ps Problems
	require.True(t, errors.As(err, &ps), "Parse = %v; want Problems", err)
	require.Len(t, ps, 1, "Parse = %v", err)
	assert.Equal(t, "store.arrivals.replay.file", ps[0].Field)
	assert.Contains(t, ps[0].Msg, "replay files can only be read when the scenario is loaded from a file")
}
