package shopifyemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// kind is what a field answers, which decides how its selection is walked.
type kind int

const (
	kScalar kind = iota // a scalar, enum or list of them
	kObject             // one object (or null)
	kList               // a list of objects
	kConn               // a connection of objects
)

// resolver answers one field of a parent value.
type resolver func(x *execCtx, parent any, args map[string]any) (any, error)

// fieldDef is one field of the schema table.
type fieldDef struct {
	kind    kind
	typ     string // the object (node) type; unused for scalars
	resolve resolver
}

// typeDef is an object type, or a union when possible is set.
type typeDef struct {
	fields   map[string]fieldDef
	possible []string
}

// typed carries a value of an abstract (union) field with its concrete type.
type typed struct {
	name string
	v    any
}

// schema is the table of every type the emulator serves; schema_*.go fill it.
var schema = map[string]*typeDef{}

// gqlError is one entry of a GraphQL answer's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Locations  []errLocation  `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type errLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func errAt(pos *ast.Position, code, msg string, path []any) gqlError {
	g := gqlError{Message: msg, Path: path}
	if pos != nil {
		g.Locations = []errLocation{{Line: pos.Line, Column: pos.Column}}
	}
	if code != "" {
		g.Extensions = map[string]any{"code": code}
	}
	return g
}

// execCtx is one GraphQL request being checked and executed; it runs with
// e.mu held.
type execCtx struct {
	e      *Emulator
	s      *shop
	doc    *ast.QueryDocument
	vars   map[string]any
	now    time.Time
	errs   []gqlError
	actual int // cost of the objects really returned
}

// ordered is a JSON object that keeps GraphQL's field order.
type ordered struct {
	keys []string
	vals []any
}

func (o *ordered) set(k string, v any) {
	for i, have := range o.keys {
		if have == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// MarshalJSON writes the fields in selection order.
func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// args evaluates a field's arguments with the request's variables.
func (x *execCtx) args(f *ast.Field) (map[string]any, error) {
	out := make(map[string]any, len(f.Arguments))
	for _, a := range f.Arguments {
		v, err := a.Value.Value(x.vars)
		if err != nil {
			return nil, err
		}
		out[a.Name] = v
	}
	return out, nil
}

// skipped applies @skip and @include.
func (x *execCtx) skipped(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(x.vars)["if"].(bool)
		if d.Name == "skip" && v || d.Name == "include" && !v {
			return true
		}
	}
	return false
}

// fields flattens a selection set for an object of type typ: fragments
// whose type condition typ satisfies are expanded in place. With typ ""
// (checking a union's selection) every fragment is kept apart, and the
// caller walks each with its own type.
func (x *execCtx) fields(set ast.SelectionSet, typ string, out []*ast.Field) []*ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !x.skipped(s.Directives) {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			if !x.skipped(s.Directives) && (s.TypeCondition == "" || s.TypeCondition == typ) {
				out = x.fields(s.SelectionSet, typ, out)
			}
		case *ast.FragmentSpread:
			def := x.doc.Fragments.ForName(s.Name)
			if def != nil && !x.skipped(s.Directives) && def.TypeCondition == typ {
				out = x.fields(def.SelectionSet, typ, out)
			}
		}
	}
	return out
}

// fragmentTypes lists the type conditions used in a selection set, for
// checking a union's members.
func (x *execCtx) fragmentTypes(set ast.SelectionSet) []string {
	var out []string
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.InlineFragment:
			out = append(out, s.TypeCondition)
		case *ast.FragmentSpread:
			if def := x.doc.Fragments.ForName(s.Name); def != nil {
				out = append(out, def.TypeCondition)
			}
		}
	}
	return out
}

func undefinedField(f *ast.Field, typ string, path []any) gqlError {
	g := errAt(f.Position, "undefinedField", fmt.Sprintf("Field '%s' doesn't exist on type '%s'", f.Name, typ), path)
	g.Extensions["typeName"], g.Extensions["fieldName"] = typ, f.Name
	return g
}

func key(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}
