package metrics

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

// SweepPoint is one run of a sweep.
type SweepPoint struct {
	Values  []string    `json:"values"` // one per axis
	Model   ModelInputs `json:"model"`
	Results *Results    `json:"results"`
}

// ModelInputs are the scenario's figures that closed-form expectations
// need, so that a report can draw them without reading the scenario.
type ModelInputs struct {
	Arrivals      string              `json:"arrivals"` // poisson or constant
	EventRatePerS float64             `json:"event_rate_per_s"`
	Clients       []ClientModelInputs `json:"clients"` // in the order of the results' clients
}

// ClientModelInputs are one client's figures for closed forms.
type ClientModelInputs struct {
	Name string `json:"name"`
	// PollIntervalS is a fixed poller's interval; absent for other strategies.
	PollIntervalS *float64 `json:"poll_interval_s,omitempty"`
	// ResponseS is b: the mean time from the store's snapshot to the client
	// holding the response, the API's mean service time plus one mean
	// network delay.
	ResponseS float64 `json:"response_s"`
}

// Label is the point's values joined for a legend or a file name:
// "10s" for one axis, "10s × 100" for two.
func (p SweepPoint) Label() string {
	label := ""
	for i, v := range p.Values {
		if i > 0 {
			label += " × "
		}
		label += v
	}
	return label
}
