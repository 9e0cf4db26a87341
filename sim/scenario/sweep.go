package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// MaxSweepPoints is the most runs one sweep may ask for.
const MaxSweepPoints = 400

// Axis is one field a sweep varies and the values it takes. A sweep of one
// axis runs the scenario once per value; of two, once per pair of values.
type Axis struct {
	Set    string   `yaml:"set" required:"true" doc:"Required. The field to vary, named as pushpull run -set names it: keys joined by dots, a client by its name or a list item by its index, such as clients.poll-10s.poll.interval or store.arrivals.rate."`
	Values []string `yaml:"values" required:"true" doc:"Required. The values the field takes, each written as it would be in the file: [1s, 5s, 10s, 30s, 1m, 5m], [10/h, 50/h, 500/h]."`
}

// Point is one run of a sweep: a value for each axis.
type Point struct {
	Values []string // one per axis
}

// Points lists every combination of the axes' values, the last axis
// varying fastest.
func Points(axes []Axis) []Point {
	points := []Point{{}}
	for _, a := range axes {
		var next []Point
		for _, p := range points {
			for _, v := range a.Values {
				next = append(next, Point{Values: append(append([]string(nil), p.Values...), v)})
			}
		}
		points = next
	}
	if len(axes) == 0 {
		return nil
	}
	return points
}

// Settings are the settings that make point p of axes, each from the named
// source (such as "sweep" or "-set").
func (p Point) Settings(axes []Axis, from []string) []Setting {
	out := make([]Setting, len(axes))
	for i, a := range axes {
		out[i] = Setting{Path: a.Set, Value: p.Values[i], From: from[i]}
	}
	return out
}

// validateSweep checks the sweep: one or two axes, each naming a field of
// this scenario with values of the field's type. Rules between values, such
// as a jitter below the interval, are checked when each point is parsed.
func (s *Scenario) validateSweep(c *checker) {
	if len(s.Sweep) == 0 {
		return
	}
	if len(s.Sweep) > 2 {
		c.add("sweep", "%d axes; a sweep varies one field, or two for a grid", len(s.Sweep))
	}
	points := 1
	seen := map[string]int{}
	for i, a := range s.Sweep {
		p := fmt.Sprintf("sweep[%d]", i)
		if strings.TrimSpace(a.Set) == "" {
			c.add(p+".set", "required; name a field such as clients.poll-10s.poll.interval")
			continue
		}
		canonical, typ, err := s.resolve(a.Set)
		if err != nil {
			c.add(p+".set", "%v", err)
			continue
		}
		if j, dup := seen[canonical]; dup {
			c.add(p+".set", "sweep[%d] varies %s already", j, canonical)
		}
		seen[canonical] = i
		if len(a.Values) == 0 {
			c.add(p+".values", "give at least one value")
			continue
		}
		points *= len(a.Values)
		for k, v := range a.Values {
			if err := checkValue(typ, v); err != nil {
				c.add(fmt.Sprintf("%s.values[%d]", p, k), "%v", err)
			}
		}
	}
	if points > MaxSweepPoints {
		c.add("sweep", "%d runs; the most one sweep makes is %d", points, MaxSweepPoints)
	}
}

// resolve follows path, as a Setting names it, through the scenario's types
// and its clients, and returns the field's canonical path and type.
func (s *Scenario) resolve(path string) (string, reflect.Type, error) {
	steps, err := splitPath(path)
	if err != nil {
		return "", nil, err
	}
	v := reflect.ValueOf(s).Elem()
	canonical := ""
	for i := 0; i < len(steps); i++ {
		step := steps[i]
		t := v.Type()
		switch {
		case t.Kind() == reflect.Slice:
			idx, used, err := sliceItem(v, steps[i:], canonical)
			if err != nil {
				return "", nil, err
			}
			i += used - 1
			canonical = fmt.Sprintf("%s[%d]", canonical, idx)
			v = v.Index(idx)
		case isStructured(t):
			f, ok := fieldNamed(t, step)
			if !ok {
				return "", nil, fmt.Errorf("%s: %s", orTop(canonical), unknownFieldMessage(step, t.String()))
			}
			canonical = joinPath(canonical, step)
			v = v.Field(f.index)
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v = reflect.New(v.Type().Elem())
				}
				v = v.Elem()
			}
		default:
			return "", nil, fmt.Errorf("%s is one value, such as a duration or a latency: set it whole", canonical)
		}
	}
	return canonical, v.Type(), nil
}

// sliceItem finds the item of slice v that steps start with: an index, or
// the name of a named item, which may hold dots.
func sliceItem(v reflect.Value, steps []string, path string) (idx, used int, err error) {
	if n, ok := strings.CutPrefix(steps[0], "["); ok {
		i, err := strconv.Atoi(strings.TrimSuffix(n, "]"))
		if err != nil || !strings.HasSuffix(n, "]") {
			return 0, 0, fmt.Errorf("%q is not a list index such as [0]", steps[0])
		}
		if i < 0 || i >= v.Len() {
			return 0, 0, fmt.Errorf("%s has %d items: [%d] is not one of them", path, v.Len(), i)
		}
		return i, 1, nil
	}
	elem := v.Type().Elem()
	var f field
	named := false
	if elem.Kind() == reflect.Struct {
		f, named = fieldNamed(elem, "name")
	}
	if _, err := strconv.Atoi(steps[0]); err == nil && !named {
		return sliceItem(v, append([]string{"[" + steps[0] + "]"}, steps[1:]...), path)
	}
	if !named {
		return 0, 0, fmt.Errorf("%s has no named items: give an index, such as %s[0]", path, path)
	}
	var names []string
	for i := range v.Len() {
		names = append(names, v.Index(i).Field(f.index).String())
	}
	for n := len(steps); n >= 1; n-- {
		name := strings.Join(steps[:n], ".")
		for i, have := range names {
			if have == name {
				return i, n, nil
			}
		}
	}
	if _, err := strconv.Atoi(steps[0]); err == nil {
		return sliceItem(v, append([]string{"[" + steps[0] + "]"}, steps[1:]...), path)
	}
	return 0, 0, fmt.Errorf("%s has no item named %q; the names are %s", path, steps[0], strings.Join(names, ", "))
}

// checkValue reports whether text, as YAML, decodes into a value of type t.
func checkValue(t reflect.Type, text string) error {
	node, err := valueNode(text)
	if err != nil {
		return err
	}
	v := reflect.New(t)
	if err := node.Load(v.Interface(), yaml.WithKnownFields()); err != nil {
		msg := err.Error()
		var le *yaml.LoadErrors
		if errors.As(err, &le) && len(le.Errors) > 0 {
			msg = le.Errors[0].Message
			if m := constructRE.FindStringSubmatch(msg); m != nil {
				msg = constructMessage(m[1], m[2], m[3])
			}
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}
