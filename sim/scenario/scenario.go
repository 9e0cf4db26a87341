// Package scenario describes the world pushpull simulates: how a store emits
// events, what its API allows, how its webhook sender retries, which clients
// consume the events and what fails when.
//
// A scenario file is strict YAML. Load decodes it, rejects unknown fields,
// fills in defaults and validates it, reporting every problem at once with its
// file, line and field. Each field's documentation and default live in the
// struct tags below (doc and default); the loader, the JSON Schema and
// docs/scenarios.md are all generated from them.
package scenario

// Scenario is one simulated world and the clients that consume its events.
type Scenario struct {
	Name        string   `yaml:"name" doc:"Short name: names the output folder out/<name>/. Letters, digits, '.', '_' and '-'. Defaults to the file name without its extension."`
	Description string   `yaml:"description" doc:"One line on what the scenario asks; printed above the results."`
	Seed        uint64   `yaml:"seed" default:"1" doc:"Seed of every random stream. The same scenario and seed give byte-identical results; pushpull run -seed overrides it."`
	Duration    Duration `yaml:"duration" required:"true" doc:"Required. How long the store emits events; metrics cover the events emitted in [0, duration) and the requests sent in it."`
	Drain       Duration `yaml:"drain" default:"1h" doc:"How long clients keep running after duration so late deliveries still count. Emission stops at duration."`
	Network     Network  `yaml:"network" doc:"The network between the store and its clients."`
	Store       Store    `yaml:"store" required:"true" doc:"Required. The store: its events, its poll API and its webhook sender."`
	Clients     []Client `yaml:"clients" required:"true" doc:"Required. The client strategies run side by side against the same store and the same events."`

	Sweep      []Axis      `yaml:"sweep" doc:"Run the scenario once per value of one field, or per pair of values of two fields, and chart the results against them; pushpull run -set PATH=V1,V2,... does the same from the command line."`
	Thresholds []Threshold `yaml:"thresholds" doc:"Limits on the results, for CI: pushpull run lists every breach and exits 3."`

	source *source
}

// Network is the modelled network between the store and every client.
type Network struct {
	Latency     Latency `yaml:"latency" default:"0s" doc:"One-way delay of every message, each way, drawn independently."`
	HeaderBytes int     `yaml:"header_bytes" default:"300" doc:"Bytes of HTTP request line or status line and headers counted for every request and every response."`
}

// File is the path the scenario was read from, or "" for one built in code.
func (s *Scenario) File() string {
	if s.source == nil {
		return ""
	}
	return s.source.file
}

// SHA256 is the hex SHA-256 of the file the scenario was read from, or ""
// for one built in code.
func (s *Scenario) SHA256() string {
	if s.source == nil {
		return ""
	}
	return s.source.sha256
}

// End is the instant the run stops: duration plus drain.
func (s *Scenario) End() Duration { return s.Duration + s.Drain }
