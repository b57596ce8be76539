// Package shopifyschema loads Shopify's published Admin GraphQL schema (the introspection
// result vendored in ../shared/specs/shopify) so tests can validate every GraphQL document
// the Shopify connector sends and the emulator answers. It is for tests: the schema file
// lives beside the repository, not in it.
package shopifyschema

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Version is the Admin API version of the vendored schema; the connector speaks it.
const Version = "2025-01"

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type inputValue struct {
	Name string  `json:"name"`
	Type typeRef `json:"type"`
}

type field struct {
	Name string       `json:"name"`
	Args []inputValue `json:"args"`
	Type typeRef      `json:"type"`
}

type fullType struct {
	Kind          string                  `json:"kind"`
	Name          string                  `json:"name"`
	Fields        []field                 `json:"fields"`
	InputFields   []inputValue            `json:"inputFields"`
	Interfaces    []typeRef               `json:"interfaces"`
	EnumValues    []struct{ Name string } `json:"enumValues"`
	PossibleTypes []typeRef               `json:"possibleTypes"`
}

type introspection struct {
	Data struct {
		Schema struct {
			QueryType    struct{ Name string }  `json:"queryType"`
			MutationType *struct{ Name string } `json:"mutationType"`
			Types        []fullType             `json:"types"`
		} `json:"__schema"`
	} `json:"data"`
}

var (
	once   sync.Once
	schema *ast.Schema
	err    error
)

// Path is where the vendored schema lives, found from this source file.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "specs", "shopify", "admin_schema_"+Version+".json.gz")
}

// Load parses the vendored introspection result once.
func Load() (*ast.Schema, error) {
	once.Do(func() {
		f, e := os.Open(Path())
		if e != nil {
			err = e
			return
		}
		defer f.Close()
		zr, e := gzip.NewReader(f)
		if e != nil {
			err = e
			return
		}
		var in introspection
		if e := json.NewDecoder(zr).Decode(&in); e != nil {
			err = e
			return
		}
		sdl := toSDL(in)
		schema, err = gqlparser.LoadSchema(&ast.Source{Name: "shopify-admin-" + Version, Input: sdl})
	})
	return schema, err
}

// Validate parses query and checks it against the schema.
func Validate(query string) error {
	s, err := Load()
	if err != nil {
		return err
	}
	if _, errs := gqlparser.LoadQuery(s, query); len(errs) > 0 {
		return fmt.Errorf("invalid against Shopify Admin %s: %v", Version, errs)
	}
	return nil
}

func (t typeRef) String() string {
	switch t.Kind {
	case "NON_NULL":
		return t.OfType.String() + "!"
	case "LIST":
		return "[" + t.OfType.String() + "]"
	}
	return *t.Name
}

// toSDL writes the introspection result as SDL (no descriptions or directives: only what
// validation needs).
func toSDL(in introspection) string {
	var b strings.Builder
	sch := in.Data.Schema
	b.WriteString("schema { query: " + sch.QueryType.Name)
	if sch.MutationType != nil {
		b.WriteString(" mutation: " + sch.MutationType.Name)
	}
	b.WriteString(" }\n")
	types := sch.Types
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	for _, t := range types {
		if strings.HasPrefix(t.Name, "__") || builtin[t.Name] {
			continue
		}
		switch t.Kind {
		case "SCALAR":
			b.WriteString("scalar " + t.Name + "\n")
		case "ENUM":
			b.WriteString("enum " + t.Name + " {")
			for _, v := range t.EnumValues {
				b.WriteString(" " + v.Name)
			}
			b.WriteString(" }\n")
		case "UNION":
			var names []string
			for _, p := range t.PossibleTypes {
				names = append(names, *p.Name)
			}
			b.WriteString("union " + t.Name + " = " + strings.Join(names, " | ") + "\n")
		case "INPUT_OBJECT":
			b.WriteString("input " + t.Name + " {\n")
			for _, f := range t.InputFields {
				b.WriteString("  " + f.Name + ": " + f.Type.String() + "\n")
			}
			b.WriteString("}\n")
		case "OBJECT", "INTERFACE":
			kw := "type "
			if t.Kind == "INTERFACE" {
				kw = "interface "
			}
			b.WriteString(kw + t.Name)
			if len(t.Interfaces) > 0 {
				var names []string
				for _, i := range t.Interfaces {
					names = append(names, *i.Name)
				}
				b.WriteString(" implements " + strings.Join(names, " & "))
			}
			b.WriteString(" {\n")
			for _, f := range t.Fields {
				b.WriteString("  " + f.Name)
				if len(f.Args) > 0 {
					var args []string
					for _, a := range f.Args {
						args = append(args, a.Name+": "+a.Type.String())
					}
					b.WriteString("(" + strings.Join(args, ", ") + ")")
				}
				b.WriteString(": " + f.Type.String() + "\n")
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}
