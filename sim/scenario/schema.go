package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v4"
)

// Patterns of the values written as text, as the JSON Schema checks them.
const (
	// durationPattern is Go's duration syntax: one or more numbers, each
	// with its unit. A bare number, even 0, is not a scenario duration.
	durationPattern = `^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	// ratePattern is a non-negative number, a slash and a unit.
	ratePattern = `^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)? */ *[smhd]$`
)

// latencyFormDocs describes each mapping form of a latency, by the keys that
// select it.
var latencyFormDocs = map[string]string{
	formLogNormal:   "Log-normal with this median and 99th percentile; p99 must exceed median.",
	formUniform:     "Uniform between min and max.",
	formExponential: "Exponential with this mean.",
}

// valueSchemas returns the schemas of the types written as a whole rather
// than as a mapping of fields; each becomes a definition named after its type.
func valueSchemas() map[reflect.Type]*jsonschema.Schema {
	duration := &jsonschema.Schema{
		Type:        "string",
		Pattern:     durationPattern,
		Description: "A Go duration: a number and a unit (ns, us, ms, s, m, h), possibly several in a row, such as 300ms, 10s, 1.5h, 2h30m or 168h (a day is 24h). A bare number has no unit and is an error.",
	}
	rate := &jsonschema.Schema{
		Type:        "string",
		Pattern:     ratePattern,
		Description: "A rate with its unit: a number, a slash and s, m, h or d, such as 50/h, 2/s, 30/m or 1000/d.",
	}
	latency := &jsonschema.Schema{
		Description: "A distribution of durations: a single duration (always that value), {median, p99} (log-normal), {min, max} (uniform) or {mean} (exponential).",
		OneOf:       []*jsonschema.Schema{{Ref: defRef("Duration"), Description: "Always this value."}},
	}
	for _, keys := range latencyForms {
		form := &jsonschema.Schema{
			Type:                 "object",
			Description:          latencyFormDocs[strings.Join(keys, ", ")],
			Properties:           jsonschema.NewProperties(),
			Required:             keys,
			AdditionalProperties: jsonschema.FalseSchema,
		}
		for _, k := range keys {
			form.Properties.Set(k, &jsonschema.Schema{Ref: defRef("Duration")})
		}
		latency.OneOf = append(latency.OneOf, form)
	}
	return map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[Duration](): duration,
		reflect.TypeFor[Rate]():     rate,
		reflect.TypeFor[Latency]():  latency,
	}
}

func defRef(name string) string { return "#/$defs/" + name }

// JSONSchema returns the JSON Schema of scenario files, for editors and for
// checking files outside pushpull.
func JSONSchema() ([]byte, error) {
	values := valueSchemas()
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		Anonymous:                  true, // no $id: the file is used where it lies
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true, // required comes from the required tag
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if _, ok := values[t]; ok {
				return &jsonschema.Schema{Ref: defRef(t.Name())}
			}
			return nil
		},
	}
	root := r.ReflectFromType(reflect.TypeFor[Scenario]())
	root.Title = "pushpull scenario"
	root.Description = "A pushpull scenario file: a store that emits events, its poll API and webhook sender, and the client strategies that consume the events. See docs/scenarios.md."
	for _, t := range typesByName {
		s := root
		if t != reflect.TypeFor[Scenario]() {
			s = root.Definitions[t.Name()]
		}
		if s == nil {
			return nil, fmt.Errorf("building the JSON Schema: no definition of %s", t)
		}
		if err := annotate(s, t); err != nil {
			return nil, fmt.Errorf("building the JSON Schema: %w", err)
		}
	}
	for t, s := range values {
		root.Definitions[t.Name()] = s
	}
	b, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("encoding the JSON Schema: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, unescapeHTML(b), "", "  "); err != nil {
		return nil, fmt.Errorf("indenting the JSON Schema: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// allowedValues lists the values field f of struct type t takes, or nil
// when it takes any value of its type: its enum tag, or for the retry preset
// the names of the presets.
func allowedValues(t reflect.Type, f field) []string {
	if t == reflect.TypeFor[Retry]() && f.name == "preset" {
		return PresetNames()
	}
	return f.enum
}

// annotate adds to s, the schema of struct type t, what the tags of t's
// fields say: descriptions, defaults, allowed values and required fields.
func annotate(s *jsonschema.Schema, t reflect.Type) error {
	for _, f := range fieldsOf(t) {
		p, ok := s.Properties.Get(f.name)
		if !ok {
			return fmt.Errorf("%s has no property %q", t, f.name)
		}
		p.Description = f.doc
		if t == reflect.TypeFor[Axis]() && f.name == "values" {
			// A value is written as it would be in the file: a duration or a
			// rate is text, a count or a factor a number, a switch a boolean.
			p.Items = &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}}
		}
		if f.deflt != "" {
			var v any
			if err := yaml.Load([]byte(f.deflt), &v); err != nil {
				return fmt.Errorf("default of %s.%s: %w", t.Name(), f.name, err)
			}
			p.Default = v
		}
		for _, v := range allowedValues(t, f) {
			p.Enum = append(p.Enum, v)
		}
		switch f.typ.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			p.Minimum = "0"
		}
		if f.required {
			s.Required = append(s.Required, f.name)
			if f.typ.Kind() == reflect.Slice {
				one := uint64(1)
				p.MinItems = &one // a required list needs an item
			}
		}
	}
	return nil
}

var htmlEscapes = map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}

// unescapeHTML undoes encoding/json's escaping of <, > and &, which the
// schema's library applies and which only makes the descriptions harder to
// read.
func unescapeHTML(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if i+6 <= len(b) {
			if c, ok := htmlEscapes[string(b[i:i+6])]; ok {
				out = append(out, c)
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1]) // any other escape, kept whole
		i++
	}
	return out
}
