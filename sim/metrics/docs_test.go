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

// docs/results.md names every field of results.json, and its example is
// valid results.json.
func TestResultsDocIsCurrent(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/results.md")
	require.NoError(t, err)
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			assert.True(t, strings.Contains(string(doc), "`"+name+"`"), "docs/results.md does not describe %s%s", path, name)
			walk(f.Type, path+name+".")
		}
	}
	walk(reflect.TypeFor[Results](), "")

	example := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(doc)
	require.NotNil(t, example, "docs/results.md has no JSON example")
	dec := json.NewDecoder(bytes.NewReader(example[1]))
	dec.DisallowUnknownFields()
	var res Results
	require.NoError(t, dec.Decode(&res), "the example in docs/results.md is not valid results.json")
	assert.Equal(t, Schema, res.Schema)
	assert.Equal(t, Version, res.Version)
}
