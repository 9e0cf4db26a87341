package main

import (
	"errors"
	"os"
	"strings"

	"github.com/pushpull/pushpull/sim/metrics"
	"github.com/pushpull/pushpull/sim/scenario"
)

// setFlags collects the -set flags of pushpull run.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, " ") }

func (s *setFlags) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// split reads the -set flags: those with one value set a field for the
// run, those with several are the axes of a sweep.
func (s setFlags) split() (overrides []scenario.Setting, axes []scenario.Axis, err error) {
	for _, arg := range s {
		path, values, err := scenario.ParseSet(arg)
		if err != nil {
			return nil, nil, usageErrorf("-set: %v", err)
		}
		if len(values) == 1 {
			overrides = append(overrides, scenario.Setting{Path: path, Value: values[0], From: "-set"})
			continue
		}
		axes = append(axes, scenario.Axis{Set: path, Values: values})
	}
	if len(axes) > 2 {
		return nil, nil, usageErrorf("-set: %d fields with several values; a sweep varies one field, or two for a grid", len(axes))
	}
	return overrides, axes, nil
}

// parseScenario parses the scenario file src with settings applied. A
// setting that names no field is a usage error naming the flag; a value the
// scenario rejects is a problem placed at the field's line in the file.
func parseScenario(file string, src []byte, settings []scenario.Setting) (*scenario.Scenario, error) {
	if len(settings) == 0 {
		return scenario.ParseFiles(file, src, os.ReadFile)
	}
	o, err := scenario.Apply(file, src, settings)
	if err != nil {
		var se *scenario.SettingError
		if errors.As(err, &se) {
			return nil, usageErrorf("%v", err)
		}
		return nil, err
	}
	sc, err := scenario.ParseFiles(file, o.Source(), os.ReadFile)
	if err != nil {
		return nil, o.Explain(err)
	}
	return sc, nil
}

// metricNames reads -metrics: comma-separated metric names, each known.
func metricNames(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var names []string
	for n := range strings.SplitSeq(list, ",") {
		n = strings.TrimSpace(n)
		if _, ok := metrics.LookupMetric(n); !ok {
			return nil, usageErrorf("-metrics: %s", metrics.UnknownMetric(n))
		}
		names = append(names, n)
	}
	return names, nil
}

// loadOne reads the scenario in file and applies the -set flags, each with
// one value: command works on one scenario, not a sweep.
func loadOne(command, file string, sets setFlags) (*scenario.Scenario, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErrorf("reading scenario: %v", err)
	}
	overrides, axes, err := sets.split()
	if err != nil {
		return nil, err
	}
	if len(axes) > 0 {
		return nil, usageErrorf("-set: %s takes one value per field: it works on one scenario, not a sweep", command)
	}
	return parseScenario(file, src, overrides)
}
