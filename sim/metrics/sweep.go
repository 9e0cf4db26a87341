package metrics

import "strings"

// SweepSchema names the sweep.json format and SweepVersion is its version,
// under the same rules as Schema and Version. docs/results.md describes
// every field.
const (
	SweepSchema  = "pushpull/sweep"
	SweepVersion = 1
)

// Sweep is a scenario run once per combination of the values of one or two
// swept parameters: the content of sweep.json. Each point carries the full
// Results of its run.
type Sweep struct {
	Schema      string       `json:"schema"`
	Version     int          `json:"version"`
	Scenario    ScenarioInfo `json:"scenario"`    // the scenario before any value was set
	Axes        []SweepAxis  `json:"axes"`        // one or two
	Points      []SweepPoint `json:"points"`      // every combination, the last axis varying fastest
	Interrupted bool         `json:"interrupted"` // the sweep was stopped: points that had not run are missing
}

// SweepAxis is one swept parameter and the values it took.
type SweepAxis struct {
	Set    string   `json:"set"`    // the field path, as given: clients.poll-10s.poll.interval
	Values []string `json:"values"` // as written
	// Numbers are the values as numbers in Unit, when every value is one:
	// durations in seconds, rates per second, plain numbers as they are.
	Numbers []float64 `json:"numbers,omitempty"`
	Unit    string    `json:"unit,omitempty"` // "s", "/s" or "" for a plain number
}

// SweepPoint is one run of a sweep. What the models expected of each
// client is in its results (ClientResults.Model).
type SweepPoint struct {
	Values  []string `json:"values"` // one per axis
	Results *Results `json:"results"`
}

// Label is the point's values joined for a legend or a file name:
// "10s" for one axis, "10s × 100" for two.
func (p SweepPoint) Label() string { return strings.Join(p.Values, " × ") }
