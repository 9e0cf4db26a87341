package scenario

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Parse decodes the scenario in src, read from the file named file, fills in
// the defaults of every field left out, and validates the result. When
// anything is wrong the error is Problems, listing every problem found, each
// with its file, line and field. A scenario that names other files (a replay
// CSV) needs ParseFiles.
func Parse(file string, src []byte) (*Scenario, error) { return ParseFiles(file, src, nil) }

// ParseFiles is Parse for a scenario that may name other files, such as a
// replay CSV: read reads them, by their path relative to the scenario file.
func ParseFiles(file string, src []byte, read ReadFile) (*Scenario, error) {
	s, err := decode(file, src)
	if err != nil {
		return nil, err
	}
	if r := s.Store.Arrivals.Replay; r != nil && s.Store.Arrivals.Process == "replay" {
		c := &checker{src: s.source}
		r.load(c, "store.arrivals.replay", file, read, max(s.Store.Resources, 1))
		s.source.problems = append(s.source.problems, c.problems...)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// decode parses and decodes src and applies defaults. Problems the decoder
// finds are kept in the source so that Validate reports them with its own.
func decode(file string, src []byte) (*Scenario, error) {
	doc, err := loadDocument(file, src)
	if err != nil {
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		what := "empty"
		if doc.Kind != 0 {
			what = "not a mapping"
		}
		return nil, Problems{{File: file, Line: max(doc.Line, 1), Msg: "the scenario is " + what + ": it must be a mapping with at least duration, store and clients"}}
	}
	s := &Scenario{source: newSource(file, doc)}
	s.source.sha256 = fmt.Sprintf("%x", sha256.Sum256(src))
	if err := doc.Load(s, yaml.WithKnownFields(), yaml.WithUniqueKeys()); err != nil {
		var le *yaml.LoadErrors
		if !errors.As(err, &le) {
			return nil, Problems{syntaxProblem(file, err)}
		}
		for _, e := range le.Errors {
			s.source.decodeProblem(e)
		}
	}
	if s.Name == "" && !s.source.has("name") {
		s.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	applyDefaults(s, s.source)
	return s, nil
}

// loadDocument parses the one YAML document of src. A file with no
// document, such as an empty one, gives an empty node.
func loadDocument(file string, src []byte) (*yaml.Node, error) {
	l, err := yaml.NewLoader(bytes.NewReader(src))
	if err != nil {
		return nil, Problems{{File: file, Msg: err.Error()}}
	}
	var root, next yaml.Node
	if err := l.Load(&root); err != nil && err != io.EOF {
		return nil, Problems{syntaxProblem(file, err)}
	}
	switch err := l.Load(&next); {
	case err == nil:
		return nil, Problems{{File: file, Line: max(next.Line, 1), Msg: "a second YAML document starts here; a scenario file holds one"}}
	case err != io.EOF:
		return nil, Problems{syntaxProblem(file, err)}
	}
	return &root, nil
}

func syntaxProblem(file string, err error) Problem {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return Problem{File: file, Line: le.Mark.Line, Column: le.Mark.Column, Msg: "YAML syntax: " + le.Message}
	}
	return Problem{File: file, Msg: "YAML syntax: " + err.Error()}
}

// mark is a position in a scenario file.
type mark struct{ line, col int }

// source remembers where each field of a decoded scenario was written.
type source struct {
	file     string
	sha256   string              // of the file's bytes
	fields   map[string]mark     // field path -> position of its value
	paths    map[mark]string     // position of a key or a value -> field path
	broken   map[string]bool     // field paths the decoder could not read
	problems Problems            // what the decoder found wrong
	open     map[*yaml.Node]bool // nodes being indexed, so that a recursive alias ends
}

func newSource(file string, doc *yaml.Node) *source {
	s := &source{file: file, fields: map[string]mark{}, paths: map[mark]string{}, broken: map[string]bool{}, open: map[*yaml.Node]bool{}}
	s.index(doc, "")
	return s
}

func (s *source) index(n *yaml.Node, path string) {
	if s.open[n] {
		return // a recursive alias: the decoder reports it
	}
	s.open[n] = true
	defer delete(s.open, n)
	at := mark{n.Line, n.Column}
	s.fields[path] = at
	s.paths[at] = path
	switch n.Kind {
	case yaml.MappingNode:
		s.indexMapping(n, path, map[string]bool{})
	case yaml.SequenceNode:
		for i, item := range n.Content {
			s.index(item, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// indexMerged indexes the fields that a merge key (<<: *defaults) brings
// into the mapping at path, those the mapping does not give itself, so that
// they count as written and no default replaces them.
func (s *source) indexMerged(v *yaml.Node, path string, given map[string]bool) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if s.open[v] {
		return
	}
	s.open[v] = true
	defer delete(s.open, v)
	switch v.Kind {
	case yaml.SequenceNode: // <<: [*a, *b]: the first to give a key wins
		for _, item := range v.Content {
			s.indexMerged(item, path, given)
		}
	case yaml.MappingNode:
		s.indexMapping(v, path, given)
	}
}

// indexMapping indexes the fields of mapping m at path that given does not
// hold yet, then those its merge keys bring; it adds each to given. A field
// the mapping writes itself wins over a merged one, and among merges the
// first wins.
func (s *source) indexMapping(m *yaml.Node, path string, given map[string]bool) {
	s.dropRepeatedKeys(m, path)
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, value := m.Content[i], m.Content[i+1]
		if isMergeKey(key) {
			merges = append(merges, value)
			continue
		}
		if given[key.Value] {
			continue
		}
		given[key.Value] = true
		p := joinPath(path, key.Value)
		s.paths[mark{key.Line, key.Column}] = p
		s.index(value, p)
	}
	for _, merged := range merges {
		s.indexMerged(merged, path, given)
	}
}

// dropRepeatedKeys reports every key that mapping n gives again and drops
// the repeat, keeping the first: the decoder would otherwise skip the whole
// mapping and every field in it would look missing.
func (s *source) dropRepeatedKeys(n *yaml.Node, path string) {
	firstLine := map[string]int{}
	kept := make([]*yaml.Node, 0, len(n.Content))
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.Kind == yaml.ScalarNode && !isMergeKey(key) {
			if line, dup := firstLine[key.Value]; dup {
				s.problems = append(s.problems, Problem{File: s.file, Line: key.Line, Column: key.Column, Field: joinPath(path, key.Value),
					Msg: fmt.Sprintf("%q is given twice; the first is at line %d", key.Value, line)})
				continue
			}
			firstLine[key.Value] = key.Line
		}
		kept = append(kept, key, value)
	}
	n.Content = kept
}

func isMergeKey(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge"
}

// has reports whether the field at path was written in the file.
func (s *source) has(path string) bool {
	if s == nil {
		return false
	}
	_, ok := s.fields[path]
	return ok
}

// locate returns the position of path, or of its nearest written ancestor.
func (s *source) locate(path string) mark {
	for p := path; ; p = parentPath(p) {
		if at, ok := s.fields[p]; ok {
			return at
		}
		if p == "" {
			return mark{}
		}
	}
}

// misspelt reports whether the mapping at path has an unknown key that is a
// near miss of one of names, such as webhok for webhook.
func (s *source) misspelt(path string, names ...string) bool {
	if s == nil {
		return false
	}
	for p := range s.broken {
		if key, ok := strings.CutPrefix(p, path+"."); ok && !strings.ContainsAny(key, ".[") && closest(key, names) != "" {
			return true
		}
	}
	return false
}

// isBroken reports whether the decoder failed on path or on one of its
// ancestors, so that validation does not report the same field again.
func (s *source) isBroken(path string) bool {
	for p := path; ; p = parentPath(p) {
		if s.broken[p] {
			return true
		}
		if p == "" {
			return false
		}
	}
}

var (
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	duplicateKeyRE = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	constructRE    = regexp.MustCompile("^cannot construct !!(\\w+)(?: `(.*)`)? into (.+)$")
)

// decodeProblem records one decoder error in the words of a scenario author.
func (s *source) decodeProblem(e *yaml.LoadError) {
	at := mark{e.Mark.Line, e.Mark.Column}
	path := s.paths[at]
	msg := e.Message
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		msg = unknownFieldMessage(m[1], m[2])
	} else if m := duplicateKeyRE.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("%q is given twice; the first is at line %s", m[1], m[2])
	} else if m := constructRE.FindStringSubmatch(msg); m != nil {
		msg = constructMessage(m[1], m[2], m[3])
	}
	s.broken[path] = true
	s.problems = append(s.problems, Problem{File: s.file, Line: at.line, Column: at.col, Field: path, Msg: msg})
}

func constructMessage(yamlKind, value, goType string) string {
	goType, _, _ = strings.Cut(goType, " ") // drop a note such as (TextUnmarshaler)
	want := map[string]string{
		"bool": "true or false", "string": "text", "float64": "a number",
		"int": "a whole number", "uint64": "a whole number, 0 or more",
		"scenario.Duration": "a duration such as 10s", "*scenario.Duration": "a duration such as 10s",
		"scenario.Rate": "a rate such as 50/h",
	}[goType]
	if want == "" {
		switch {
		case strings.HasPrefix(goType, "[]"):
			want = "a list"
		case strings.HasPrefix(goType, "scenario.") || strings.HasPrefix(goType, "*scenario."):
			want = "a mapping"
		default:
			want = goType
		}
	}
	got := map[string]string{"seq": "a list", "map": "a mapping", "str": "text", "null": "nothing"}[yamlKind]
	if value != "" {
		got = fmt.Sprintf("%q", value)
	} else if got == "" {
		got = yamlKind
	}
	return fmt.Sprintf("expected %s, got %s", want, got)
}

func joinPath(parent, field string) string {
	if parent == "" {
		return field
	}
	return parent + "." + field
}

// parentPath strips the last field or index from path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
