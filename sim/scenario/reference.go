package scenario

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Reference returns the Markdown reference of every scenario field, one
// table per mapping of the file, followed by the retry presets. It is the
// generated part of docs/scenarios.md.
func Reference() string {
	var b strings.Builder
	b.WriteString("## Field reference\n\n")
	b.WriteString("One table per mapping of the file, by its path; `[]` marks a list, whose items each take the fields listed. ")
	b.WriteString("A field left out takes the value in the Default column; a dash means it has no fixed default, and its meaning says what leaving it out does.\n")
	for _, sec := range sections() {
		writeSection(&b, sec)
	}
	writePresets(&b)
	return b.String()
}

// section is one mapping of a scenario file: the fields of a structured type
// at a path.
type section struct {
	path string // such as store.api or clients[].poll; "" for the top level
	doc  string // documentation of the field that holds the mapping
	typ  reflect.Type
}

// sections lists every mapping of a scenario file, each before the mappings
// inside it, in the order the fields are declared.
func sections() []section {
	var out []section
	var walk func(path, doc string, t reflect.Type)
	walk = func(path, doc string, t reflect.Type) {
		out = append(out, section{path: path, doc: doc, typ: t})
		for _, f := range fieldsOf(t) {
			if p, elem := fieldPath(path, f); isStructured(elem) {
				walk(p, f.doc, elem)
			}
		}
	}
	walk("", "", reflect.TypeFor[Scenario]())
	return out
}

// fieldPath returns the path of field f of the mapping at path, with [] when
// f is a list, and the type of f or of its items.
func fieldPath(path string, f field) (string, reflect.Type) {
	p := joinPath(path, f.name)
	if f.typ.Kind() == reflect.Slice {
		return p + "[]", f.typ.Elem()
	}
	return p, f.typ
}

func writeSection(b *strings.Builder, sec section) {
	if sec.path == "" {
		b.WriteString("\n### Top level\n\nThe keys at the top of a scenario file.\n")
	} else {
		fmt.Fprintf(b, "\n### `%s`\n\n%s\n", sec.path, cell(sec.doc))
	}
	fields := fieldsOf(sec.typ)
	if len(fields) == 0 {
		fmt.Fprintf(b, "\nNo fields: write `%s: {}`.\n", sec.path[strings.LastIndex(sec.path, ".")+1:])
		return
	}
	b.WriteString("\n| Field | Type and unit | Default | Meaning |\n|---|---|---|---|\n")
	for _, f := range fields {
		deflt := "—"
		switch {
		case f.required:
			deflt = "required"
		case f.deflt != "":
			deflt = "`" + f.deflt + "`"
		}
		meaning := strings.TrimPrefix(f.doc, "Required. ")
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.name, typeText(sec.path, sec.typ, f), deflt, cell(meaning))
	}
}

// typeText says in words what kind of value field f of struct type t, the
// mapping at path, takes.
func typeText(path string, t reflect.Type, f field) string {
	p, elem := fieldPath(path, f)
	switch {
	case allowedValues(t, f) != nil:
		return "one of " + strings.Join(allowedValues(t, f), ", ")
	case f.typ.Kind() == reflect.Slice && isStructured(elem):
		return fmt.Sprintf("list of mappings, see `%s`", p)
	case f.typ.Kind() == reflect.Slice:
		_, many := words(elem)
		return "list of " + many
	case isStructured(f.typ):
		return fmt.Sprintf("mapping, see `%s`", p)
	}
	one, _ := words(f.typ)
	return one
}

// words names the values of type t: one of them, and the items of a list.
func words(t reflect.Type) (one, many string) {
	switch t {
	case reflect.TypeFor[Duration]():
		return "duration (Go syntax: 300ms, 10s, 168h)", "durations (Go syntax: 300ms, 10s, 168h)"
	case reflect.TypeFor[Rate]():
		return "rate with unit (50/h)", "rates with unit (50/h)"
	case reflect.TypeFor[Latency]():
		return "latency distribution", "latency distributions"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "whole number", "whole numbers"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number, 0 or more", "whole numbers, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "number", "numbers"
	case reflect.Bool:
		return "true/false", "true/false values"
	case reflect.String:
		return "text", "texts"
	}
	return t.String(), t.String() + " values"
}

// cell escapes text for a Markdown table cell or paragraph.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", `\<`).Replace(s)
}

func writePresets(b *strings.Builder) {
	b.WriteString("\n## Retry presets\n\n")
	b.WriteString("The named policies `store.webhooks.retry.preset` takes. The first attempt leaves when the event is created; ")
	b.WriteString("each delay counts from the moment the previous attempt is known to have failed. ")
	b.WriteString("A preset's timeout applies unless `store.webhooks.timeout` is given.\n\n")
	b.WriteString("| Preset | Attempts | Delays before each retry | Timeout | Jitter | Source |\n|---|---|---|---|---|---|\n")
	for _, name := range PresetNames() {
		p := Presets[name]
		delays := make([]string, len(p.Delays))
		for i, d := range p.Delays {
			delays[i] = Duration(d).Short()
		}
		jitter := "none"
		if p.Jitter > 0 {
			jitter = "±" + strconv.FormatFloat(p.Jitter*100, 'g', -1, 64) + " %"
		}
		fmt.Fprintf(b, "| `%s` | %d | %s | %s | %s | %s |\n",
			name, len(p.Delays)+1, strings.Join(delays, ", "), Duration(p.Timeout).Short(), jitter, cell(p.Source))
	}
}
