package scenario

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
)

var update = flag.Bool("update", false, "rewrite generated files")

const schemaFile = "../../scenarios/scenario.schema.json"

func TestSchemaIsCurrent(t *testing.T) {
	got, err := JSONSchema()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(schemaFile, got, 0o644))
		return
	}
	want, err := os.ReadFile(schemaFile)
	require.NoError(t, err, "regenerate it with: go test ./sim/scenario -run TestSchemaIsCurrent -update")
	if diff := firstDifference(string(want), string(got)); diff != "" {
		t.Errorf("%s is out of date (%s); regenerate it with: go test ./sim/scenario -run TestSchemaIsCurrent -update", schemaFile, diff)
	}
}

// firstDifference describes the first line where the text in a file
// differs from the text generated for it, or returns "" when they are equal.
func firstDifference(inFile, generated string) string {
	if inFile == generated {
		return ""
	}
	f, g := strings.Split(inFile, "\n"), strings.Split(generated, "\n")
	for i := range max(len(f), len(g)) {
		if i >= len(f) || i >= len(g) || f[i] != g[i] {
			fl, gl := "(none)", "(none)"
			if i < len(f) {
				fl = fmt.Sprintf("%q", f[i])
			}
			if i < len(g) {
				gl = fmt.Sprintf("%q", g[i])
			}
			return fmt.Sprintf("line %d reads %s; generated: %s", i+1, fl, gl)
		}
	}
	return "they differ"
}

func TestSchemaIsDeterministic(t *testing.T) {
	t.Parallel()
	first, err := JSONSchema()
	require.NoError(t, err)
	for range 5 {
		again, err := JSONSchema()
		require.NoError(t, err)
		require.Equal(t, string(first), string(again), "JSONSchema() differs between calls")
	}
	assert.True(t, json.Valid(first), "JSONSchema() is not valid JSON")
	assert.True(t, bytes.HasSuffix(first, []byte("}\n")), "JSONSchema() does not end in a newline")
	assert.NotContains(t, string(first), `"$id"`)
}

func TestSchemaUnescapeHTML(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"out/\u003cname\u003e/"`, `"out/<name>/"`},
		{`"a \u0026 b"`, `"a & b"`},
		{`"\\u003c"`, `"\\u003c"`}, // an escaped backslash, then text
		{`"\\\u003c"`, `"\\<"`},
		{`"\u2028 \n \""`, `"\u2028 \n \""`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(unescapeHTML([]byte(tt.in))), "unescapeHTML(%s)", tt.in)
	}
}

// compileSchema compiles JSONSchema's output with an independent validator,
// which also checks it against the draft 2020-12 meta-schema.
func compileSchema(t *testing.T) *validator.Schema {
	t.Helper()
	b, err := JSONSchema()
	require.NoError(t, err)
	doc, err := validator.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := validator.NewCompiler()
	require.NoError(t, c.AddResource("scenario.schema.json", doc))
	sch, err := c.Compile("scenario.schema.json")
	require.NoError(t, err)
	return sch
}

// yamlToJSON decodes a YAML document into the values a JSON decoder gives.
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Load(src, &v))
	b, err := json.Marshal(jsonCompatible(v))
	require.NoError(t, err)
	out, err := validator.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return out
}

// jsonCompatible turns mappings with non-string keys into ones with string
// keys, as JSON has them.
func jsonCompatible(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonCompatible(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonCompatible(e)
		}
		return out
	default:
		return v
	}
}

func TestShippedScenariosMatchSchema(t *testing.T) {
	t.Parallel()
	sch := compileSchema(t)
	files, err := filepath.Glob("../../scenarios/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			_, err = Parse(file, src)
			assert.NoError(t, err, "Parse(%s)", file)
			assert.NoError(t, sch.Validate(yamlToJSON(t, src)), "schema validation of %s", file)
		})
	}
}

// validScenario is a small scenario both Parse and the schema accept; the
// cases below break one thing in it.
const validScenario = `
duration: 1h
store:
  arrivals: {process: poisson, rate: 50/h}
  api: {latency: {median: 40ms, p99: 250ms}}
clients:
  - {name: poll, poll: {interval: 10s}, outages: [{at: 10m, for: 1m}]}
  - {name: hook, webhook: {}}
`

func TestSchemaRejectsBadScenarios(t *testing.T) {
	t.Parallel()
	sch := compileSchema(t)
	require.NoError(t, sch.Validate(yamlToJSON(t, []byte(validScenario))), "the valid scenario")
	_, err := Parse("valid.yaml", []byte(validScenario))
	require.NoError(t, err, "the valid scenario")

	tests := []struct {
		name     string
		old, new string // replaced in validScenario
	}{
		{"unknown top-level key", "duration: 1h", "duration: 1h\ndurration: 2h"},
		{"unknown nested key", "{interval: 10s}", "{interval: 10s, intervall: 5s}"},
		{"rate without unit", "rate: 50/h", "rate: 50"},
		{"rate with unknown unit", "rate: 50/h", "rate: 50/w"},
		{"duration without unit", "duration: 1h", "duration: 3600"},
		{"duration of zero without unit", "interval: 10s", "interval: 0"},
		{"latency with median alone", "{median: 40ms, p99: 250ms}", "{median: 40ms}"},
		{"latency mixing forms", "{median: 40ms, p99: 250ms}", "{median: 40ms, p99: 250ms, mean: 50ms}"},
		{"latency as a number", "{median: 40ms, p99: 250ms}", "40"},
		{"process not in enum", "process: poisson", "process: bursty"},
		{"outage mode not in enum", "for: 1m}", "for: 1m, mode: crash}"},
		{"unknown preset", "api: {", "webhooks: {retry: {preset: nobody}}\n  api: {"},
		{"missing required field", "duration: 1h\n", ""},
		{"missing required nested field", "{at: 10m, for: 1m}", "{at: 10m}"},
		{"no clients", "clients:\n  - {name: poll, poll: {interval: 10s}, outages: [{at: 10m, for: 1m}]}\n  - {name: hook, webhook: {}}\n", "clients: []\n"},
		{"negative seed", "duration: 1h", "duration: 1h\nseed: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, validScenario, tt.old)
			src := []byte(strings.Replace(validScenario, tt.old, tt.new, 1))
			assert.Error(t, sch.Validate(yamlToJSON(t, src)), "schema accepted:\n%s", src)
			_, err := Parse("bad.yaml", src)
			assert.Error(t, err, "Parse accepted:\n%s", src)
		})
	}
}

// TestSchemaPatterns checks the schema's patterns for durations and rates
// against the parsers the loader uses.
func TestSchemaPatterns(t *testing.T) {
	t.Parallel()
	duration := regexp.MustCompile(durationPattern)
	for _, s := range []string{
		"300ms", "10s", "1.5h", "168h", "2h30m", "1h2m3s4ms5us6ns", "1µs", "1μs", "-5s", "+5s", ".5s", "1.s",
		"0", "10", "1.5", "s", "", "1d", "1 h", "1h 2m", "5sec", "--5s", "1e3s", "h1",
	} {
		_, err := ParseDuration(s)
		assert.Equal(t, err == nil, duration.MatchString(s), "ParseDuration(%q) error %v; pattern match %v", s, err, duration.MatchString(s))
	}
	rate := regexp.MustCompile(ratePattern)
	for _, s := range []string{
		"50/h", "2/s", "30/m", "1000/d", "0.5/s", ".5/s", "1e3/d", "+2/s", "50 / h", "0/h",
		"50", "50/", "/h", "50/w", "50/hour", "-1/s", "x/s", "50/h/s", "",
	} {
		_, err := ParseRate(s)
		assert.Equal(t, err == nil, rate.MatchString(s), "ParseRate(%q) error %v; pattern match %v", s, err, rate.MatchString(s))
	}
}

// TestDefaultTagsDecode loads every default tag into a value of its field's
// type, as applyDefaults does, which would otherwise panic on a bad one.
func TestDefaultTagsDecode(t *testing.T) {
	t.Parallel()
	n := 0
	for _, typ := range typesByName {
		for _, f := range fieldsOf(typ) {
			if f.deflt == "" {
				continue
			}
			n++
			v := reflect.New(f.typ)
			assert.NoError(t, yaml.Load([]byte(f.deflt), v.Interface(), yaml.WithKnownFields()), "default of %s.%s", typ.Name(), f.name)
			if f.enum != nil {
				assert.Contains(t, f.enum, f.deflt, "default of %s.%s", typ.Name(), f.name)
			}
			assert.False(t, f.required, "%s.%s is required and has a default", typ.Name(), f.name)
		}
	}
	assert.Positive(t, n, "no default tags found")
}

// TestSchemaRequiredMatchesDoc keeps the required tag and the "Required."
// that starts the field's documentation in step.
func TestSchemaRequiredMatchesDoc(t *testing.T) {
	t.Parallel()
	for _, name := range slices.Sorted(maps.Keys(typesByName)) {
		for _, f := range fieldsOf(typesByName[name]) {
			assert.Equal(t, f.required, strings.HasPrefix(f.doc, "Required."),
				"%s.%s: required tag is %v but the doc reads %q", name, f.name, f.required, f.doc)
		}
	}
}
