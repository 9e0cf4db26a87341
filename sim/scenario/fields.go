package scenario

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/pushpull/pushpull/sim/metrics"
)

// field is one field of a scenario type as its tags describe it. The tags
// are the single source of each field's name, documentation, default,
// allowed values and whether it is required: the loader, the JSON Schema and
// docs/scenarios.md read them.
type field struct {
	name     string   // yaml key
	doc      string   // doc tag
	deflt    string   // default tag: a YAML value
	enum     []string // enum tag: the allowed values
	required bool     // required tag: a file must give the field
	index    int      // position in the struct
	typ      reflect.Type
	pointer  bool // the field is a pointer: absent means unset
}

// fieldsOf lists the YAML fields of struct type t in declaration order.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		ft := f.Type
		pointer := ft.Kind() == reflect.Pointer
		if pointer {
			ft = ft.Elem()
		}
		var enum []string
		if e := f.Tag.Get("enum"); e != "" {
			enum = strings.Split(e, ",")
		}
		out = append(out, field{
			name: name, doc: f.Tag.Get("doc"), deflt: f.Tag.Get("default"), enum: enum,
			required: f.Tag.Get("required") == "true", index: i, typ: ft, pointer: pointer,
		})
	}
	return out
}

var (
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// isStructured reports whether t is a mapping of further fields, as opposed
// to a value written as a whole (a number, a duration, a rate, a latency).
func isStructured(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	p := reflect.PointerTo(t)
	return !p.Implements(yamlUnmarshaler) && !p.Implements(textUnmarshaler)
}

// typesByName maps the Go name of every structured scenario type, as the
// YAML decoder prints it, to the type.
var typesByName = func() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if !isStructured(t) || out[t.String()] != nil {
			return
		}
		out[t.String()] = t
		for _, f := range fieldsOf(t) {
			walk(f.typ)
		}
	}
	walk(reflect.TypeFor[Scenario]())
	return out
}()

// unknownFieldMessage explains an unknown key found in a mapping of Go type
// typeName, listing the keys that mapping accepts.
func unknownFieldMessage(key, typeName string) string {
	t, ok := typesByName[strings.TrimPrefix(typeName, "*")]
	if !ok {
		return fmt.Sprintf("unknown field %q", key)
	}
	var names []string
	for _, f := range fieldsOf(t) {
		names = append(names, f.name)
	}
	msg := fmt.Sprintf("unknown field %q; valid fields here: %s", key, strings.Join(names, ", "))
	if near := closest(key, names); near != "" {
		msg = fmt.Sprintf("unknown field %q (did you mean %q?); valid fields here: %s", key, near, strings.Join(names, ", "))
	}
	return msg
}

// closest returns the name within edit distance 2 of key, if one is.
func closest(key string, names []string) string { return metrics.Closest(key, names, 2) }

// applyDefaults sets every field left out of the file to its default tag.
// For a scenario built in code (no source), a field counts as left out when
// it holds its zero value.
func applyDefaults(s *Scenario, src *source) {
	setDefaults(reflect.ValueOf(s).Elem(), "", src)
}

func setDefaults(v reflect.Value, path string, src *source) {
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		p := joinPath(path, f.name)
		given := src.has(p)
		if src == nil {
			given = !fv.IsZero()
		}
		if f.deflt != "" && !given {
			// Defaults are constants of this package, checked by its tests.
			if err := yaml.Load([]byte(f.deflt), fv.Addr().Interface()); err != nil {
				panic(fmt.Sprintf("scenario: default of %s: %v", p, err))
			}
		}
		switch {
		case f.pointer && !fv.IsNil() && isStructured(f.typ):
			setDefaults(fv.Elem(), p, src)
		case fv.Kind() == reflect.Slice && isStructured(f.typ.Elem()):
			for i := range fv.Len() {
				setDefaults(fv.Index(i), fmt.Sprintf("%s[%d]", p, i), src)
			}
		case !f.pointer && isStructured(f.typ):
			setDefaults(fv, p, src)
		}
	}
}
