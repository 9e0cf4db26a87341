package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Setting gives one field of a scenario file a value before the file is
// decoded, as pushpull run -set does and as each point of a sweep does.
// Because the value goes into the file's YAML, it is decoded, defaulted and
// checked exactly as if it had been written there.
type Setting struct {
	// Path names the field: keys joined by dots, a client by its name or a
	// list item by its index: clients.poll-10s.poll.interval,
	// store.webhooks.retry.delays[0], clients[1].outages[0].for.
	Path string
	// Value is YAML: 1s, 100, true, 50/h, {median: 40ms, p99: 250ms}.
	Value string
	// From says where the setting came from, for messages: "-set" or
	// "sweep[0]".
	From string
}

func (s Setting) String() string { return s.From + " " + s.Path + "=" + s.Value }

// SettingError is a setting that cannot be applied: its path names no field
// of the scenario, or its value is not YAML.
type SettingError struct {
	Setting Setting
	Msg     string
}

func (e *SettingError) Error() string { return e.Setting.String() + ": " + e.Msg }

// ParseSet reads the argument of -set, PATH=VALUE or PATH=V1,V2,..., into
// the path and its values. Commas inside braces, brackets or quotes do not
// separate values, so a value may be a YAML flow mapping or list.
func ParseSet(arg string) (path string, values []string, err error) {
	path, list, ok := strings.Cut(arg, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return "", nil, fmt.Errorf("%q is not PATH=VALUE, such as clients.poll-10s.poll.interval=30s or PATH=V1,V2,... for a sweep", arg)
	}
	depth, quote, start := 0, rune(0), 0
	split := func(end int) error {
		v := strings.TrimSpace(list[start:end])
		if v == "" {
			return fmt.Errorf("%q has an empty value; give PATH=VALUE or PATH=V1,V2,...", arg)
		}
		values = append(values, v)
		return nil
	}
	for i, r := range list {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '{' || r == '[':
			depth++
		case r == '}' || r == ']':
			depth--
		case r == ',' && depth == 0:
			if err := split(i); err != nil {
				return "", nil, err
			}
			start = i + 1
		}
	}
	if err := split(len(list)); err != nil {
		return "", nil, err
	}
	return path, values, nil
}

// Overlay is a scenario file with settings applied: its YAML to parse, and
// what is needed to place the problems found in it back in the file.
type Overlay struct {
	src   []byte
	file  string
	marks map[mark]mark // position in src -> position in the file
	set   []placed      // where each setting went
}

// placed is a setting and the field it reached, as a canonical path such as
// clients[0].poll.interval.
type placed struct {
	setting Setting
	path    string
}

// Apply gives each field named by settings its value in the YAML of src,
// read from file, and returns the result to parse. A setting that names no
// field, or whose value is not YAML, is a *SettingError. Apply does not
// decode or check the values: parse Source, then pass the error to Explain.
func Apply(file string, src []byte, settings []Setting) (*Overlay, error) {
	doc, err := loadDocument(file, src)
	if err != nil {
		return nil, err
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, Problems{{File: file, Line: max(root.Line, 1), Msg: "the scenario is not a mapping: it must be a mapping with at least duration, store and clients"}}
	}
	o := &Overlay{file: file, marks: map[mark]mark{}}
	for _, st := range settings {
		path, err := apply(root, st)
		if err != nil {
			return nil, &SettingError{Setting: st, Msg: err.Error()}
		}
		o.set = append(o.set, placed{setting: st, path: path})
	}
	out, err := yaml.Dump(doc)
	if err != nil {
		return nil, fmt.Errorf("applying %s: %w", settings[0], err)
	}
	var again yaml.Node
	if err := yaml.Load(out, &again); err != nil {
		return nil, fmt.Errorf("applying settings to %s: %w", file, err)
	}
	o.src = out
	o.index(&again, doc)
	return o, nil
}

// Source is the scenario's YAML with the settings applied.
func (o *Overlay) Source() []byte { return o.src }

// index maps the position of every node of the rewritten tree to the
// position of the same node in the file.
func (o *Overlay) index(now, was *yaml.Node) {
	o.marks[mark{now.Line, now.Column}] = mark{was.Line, was.Column}
	if now.Kind == yaml.AliasNode || len(now.Content) != len(was.Content) {
		return
	}
	for i := range now.Content {
		o.index(now.Content[i], was.Content[i])
	}
}

// Explain places the problems in err, found in Source, at their positions
// in the file, and says which setting gave a value its problem. Any other
// error is returned as it is.
func (o *Overlay) Explain(err error) error {
	var ps Problems
	if !errors.As(err, &ps) {
		return err
	}
	out := make(Problems, len(ps))
	for i, p := range ps {
		if at, ok := o.marks[mark{p.Line, p.Column}]; ok && p.Line > 0 {
			p.Line, p.Column = at.line, at.col
		} else if p.Line > 0 {
			p.Line, p.Column = 0, 0 // a place in the rewritten text means nothing in the file
		}
		for _, s := range o.set {
			if p.Field == s.path || strings.HasPrefix(p.Field, s.path+".") || strings.HasPrefix(p.Field, s.path+"[") {
				p.Msg += " (given by " + s.setting.String() + ")"
				break
			}
		}
		out[i] = p
	}
	return out.sorted()
}

// apply sets the field st names in the mapping root, and returns its
// canonical path.
func apply(root *yaml.Node, st Setting) (string, error) {
	value, err := valueNode(st.Value)
	if err != nil {
		return "", err
	}
	steps, err := splitPath(st.Path)
	if err != nil {
		return "", err
	}
	node, typ, canonical := root, reflect.TypeFor[Scenario](), ""
	for i := 0; i < len(steps); i++ {
		step := steps[i]
		last := func() bool { return i == len(steps)-1 }
		switch {
		case typ.Kind() == reflect.Slice:
			if node.Kind != yaml.SequenceNode {
				return "", fmt.Errorf("%s is not a list in the file", orTop(canonical))
			}
			idx, used, err := item(node, steps[i:], canonical)
			if err != nil {
				return "", err
			}
			i += used - 1
			canonical = fmt.Sprintf("%s[%d]", canonical, idx)
			typ = derefType(typ.Elem())
			if last() {
				node.Content[idx] = placedAt(value, node.Content[idx])
				return canonical, nil
			}
			node = unalias(node, idx)
		case isStructured(typ):
			f, ok := fieldNamed(typ, step)
			if !ok {
				return "", fmt.Errorf("%s: %s", orTop(canonical), unknownFieldMessage(step, typ.String()))
			}
			canonical = joinPath(canonical, step)
			typ = f.typ
			if node.Kind == yaml.ScalarNode && node.ShortTag() == "!!null" {
				node.Kind, node.Tag, node.Value = yaml.MappingNode, "", ""
			}
			if node.Kind != yaml.MappingNode {
				return "", fmt.Errorf("%s is not a mapping in the file", orTop(parentPath(canonical)))
			}
			k := keyIndex(node, step)
			if last() {
				if k < 0 {
					node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: step, Line: node.Line, Column: node.Column}, placedAt(value, node))
				} else {
					node.Content[k+1] = placedAt(value, node.Content[k+1])
				}
				return canonical, nil
			}
			if k < 0 {
				child := &yaml.Node{Kind: yaml.MappingNode, Line: node.Line, Column: node.Column}
				if typ.Kind() == reflect.Slice {
					return "", fmt.Errorf("%s is not in the file: add it there before setting its items", canonical)
				}
				node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: step, Line: node.Line, Column: node.Column}, child)
				node = child
			} else {
				node = unalias(node, k+1)
			}
		default:
			return "", fmt.Errorf("%s is one value, such as a duration or a latency: set it whole, as %s=VALUE", canonical, canonical)
		}
	}
	return canonical, nil
}

// item finds the list item that steps start with in the sequence seq: an
// index, or for a list of named mappings (the clients) a name, which may
// itself hold dots. It returns the item's index and the steps it used.
func item(seq *yaml.Node, steps []string, path string) (idx, used int, err error) {
	if n, ok := strings.CutPrefix(steps[0], "["); ok {
		i, err := strconv.Atoi(strings.TrimSuffix(n, "]"))
		if err != nil || !strings.HasSuffix(n, "]") {
			return 0, 0, fmt.Errorf("%q is not a list index such as [0]", steps[0])
		}
		if i < 0 || i >= len(seq.Content) {
			return 0, 0, fmt.Errorf("%s has %d items: [%d] is not one of them", path, len(seq.Content), i)
		}
		return i, 1, nil
	}
	var names []string
	for _, it := range seq.Content {
		if it.Kind == yaml.MappingNode {
			if k := keyIndex(it, "name"); k >= 0 {
				names = append(names, it.Content[k+1].Value)
			}
		}
	}
	for n := len(steps); n >= 1; n-- {
		name := strings.Join(steps[:n], ".")
		for i, it := range seq.Content {
			if it.Kind == yaml.MappingNode {
				if k := keyIndex(it, "name"); k >= 0 && it.Content[k+1].Value == name {
					return i, n, nil
				}
			}
		}
	}
	if _, err := strconv.Atoi(steps[0]); err == nil {
		return item(seq, append([]string{"[" + steps[0] + "]"}, steps[1:]...), path)
	}
	if len(names) == 0 {
		return 0, 0, fmt.Errorf("%s has no item named %q; name an item by its index, such as %s[0]", path, steps[0], path)
	}
	return 0, 0, fmt.Errorf("%s has no item named %q; the names are %s", path, steps[0], strings.Join(names, ", "))
}

// splitPath splits a setting's path into keys and [index] steps.
func splitPath(path string) ([]string, error) {
	var steps []string
	for part := range strings.SplitSeq(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			steps = append(steps, key)
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, fmt.Errorf("%q has an unclosed [", path)
			}
			steps = append(steps, "["+idx+"]")
			rest = strings.TrimPrefix(after, "[")
		}
		if key == "" && !strings.Contains(part, "[") {
			return nil, fmt.Errorf("%q has an empty key: write keys joined by single dots", path)
		}
	}
	return steps, nil
}

// valueNode parses a setting's value as YAML.
func valueNode(text string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Load([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("the value %q is not YAML: %v", text, err)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}, nil
}

// placedAt gives value, and everything in it, the position of the node it
// replaces, so that a problem with it is reported there.
func placedAt(value, old *yaml.Node) *yaml.Node {
	v := *value
	v.Line, v.Column = old.Line, old.Column
	v.HeadComment, v.LineComment, v.FootComment = "", "", ""
	v.Content = make([]*yaml.Node, len(value.Content))
	for i, c := range value.Content {
		v.Content[i] = placedAt(c, old)
	}
	return &v
}

// unalias returns the i-th child of n, first replacing an alias there with
// a copy of what it names, so that a setting changes this place only.
func unalias(n *yaml.Node, i int) *yaml.Node {
	c := n.Content[i]
	if c.Kind == yaml.AliasNode && c.Alias != nil {
		cp := placedAt(c.Alias, c)
		cp.Anchor = ""
		n.Content[i] = cp
		return cp
	}
	return c
}

// keyIndex is the index of key in mapping n's content, or -1.
func keyIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && !isMergeKey(k) && k.Value == key {
			return i
		}
	}
	return -1
}

// fieldNamed is the field of struct type t whose YAML key is name.
func fieldNamed(t reflect.Type, name string) (field, bool) {
	fields := fieldsOf(t)
	i := slices.IndexFunc(fields, func(f field) bool { return f.name == name })
	if i < 0 {
		return field{}, false
	}
	return fields[i], true
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func orTop(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
