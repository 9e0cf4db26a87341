package metrics

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/results.md names every field of sweep.json, and its sweep example is
// a valid sweep.json.
func TestSweepDocIsCurrent(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/results.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(doc), "## sweep.json")
	require.True(t, ok, "docs/results.md has no sweep.json section")
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[Results]() || typ == reflect.TypeFor[ScenarioInfo]() {
			return // described above the section
		}
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			assert.Contains(t, section, "`"+name+"`", "the sweep.json section does not describe %s%s", path, name)
			walk(typ.Field(i).Type, path+name+".")
		}
	}
	walk(reflect.TypeFor[Sweep](), "")

	example := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(section)
	require.NotNil(t, example, "the sweep.json section has no example")
	dec := json.NewDecoder(bytes.NewReader([]byte(example[1])))
	dec.DisallowUnknownFields()
	var sw Sweep
	require.NoError(t, dec.Decode(&sw), "the example is not valid sweep.json")
	assert.Equal(t, SweepSchema, sw.Schema)
	assert.Equal(t, SweepVersion, sw.Version)
	require.Len(t, sw.Points, 1)
	assert.Equal(t, "1s", sw.Points[0].Label())
}

func TestPointLabel(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "10s × 100", SweepPoint{Values: []string{"10s", "100"}}.Label())
	assert.Equal(t, "", SweepPoint{}.Label())
}
