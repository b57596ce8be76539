package shopifyemu

import (
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxPage is the largest first a connection accepts.
const maxPage = 250

// check validates a selection set against the schema table and returns its
// requested cost (see the package doc); problems go to x.errs.
func (x *execCtx) check(set ast.SelectionSet, typ string, path []any) int {
	td := schema[typ]
	if td.possible != nil {
		return x.checkUnion(set, typ, td, path)
	}
	cost := 0
	for _, f := range x.fields(set, typ, nil) {
		p := append(slices.Clip(path), key(f))
		if f.Name == "__typename" {
			continue
		}
		fd, ok := td.fields[f.Name]
		if !ok {
			x.errs = append(x.errs, undefinedField(f, typ, p))
			continue
		}
		a, err := x.args(f)
		if err != nil {
			x.errs = append(x.errs, errAt(f.Position, "argumentLiteralsIncompatible", err.Error(), p))
			continue
		}
		if fd.kind == kScalar {
			if len(f.SelectionSet) > 0 {
				x.errs = append(x.errs, errAt(f.Position, "selectionMismatch", fmt.Sprintf(
					"Selections can't be made on scalars (field '%s' on type '%s')", f.Name, typ), p))
			}
			continue
		}
		if len(f.SelectionSet) == 0 {
			x.errs = append(x.errs, errAt(f.Position, "selectionMismatch", fmt.Sprintf(
				"Field must have selections (field '%s' returns %s but has no selections. Did you mean '%s { ... }'?)",
				f.Name, fd.typ, f.Name), p))
			continue
		}
		switch fd.kind {
		case kObject:
			cost += 1 + x.check(f.SelectionSet, fd.typ, p)
		case kList:
			n := int64(1)
			if first, ok := toInt(a["first"]); ok && first > 0 {
				n = first
			}
			cost += int(n) * (1 + x.check(f.SelectionSet, fd.typ, p))
		case kConn:
			first, ok := x.checkFirst(f, a, p)
			node := x.checkConn(f, fd.typ, p)
			if ok {
				cost += 2 + first*(1+node)
			}
		}
	}
	return cost
}

// checkFirst validates a connection's first (required, 1..250).
func (x *execCtx) checkFirst(f *ast.Field, a map[string]any, p []any) (int, bool) {
	v, present := a["first"]
	if !present || v == nil {
		x.errs = append(x.errs, errAt(f.Position, "firstOrLastRequired", "you must provide one of first or last", p))
		return 0, false
	}
	n, ok := toInt(v)
	if !ok || n < 1 || n > maxPage {
		x.errs = append(x.errs, errAt(f.Position, "argumentOutOfRange", fmt.Sprintf(
			"Argument 'first' on Field '%s' must be between 1 and %d (was %v)", f.Name, maxPage, v), p))
		return 0, false
	}
	return int(n), true
}

// checkConn validates a connection's own fields and returns the cost of one
// node's selection.
func (x *execCtx) checkConn(f *ast.Field, node string, path []any) int {
	connType, edgeType := node+"Connection", node+"Edge"
	cost := 0
	for _, g := range x.fields(f.SelectionSet, connType, nil) {
		p := append(slices.Clip(path), key(g))
		switch g.Name {
		case "__typename":
		case "pageInfo":
			for _, h := range x.fields(g.SelectionSet, "PageInfo", nil) {
				switch h.Name {
				case "__typename", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor":
				default:
					x.errs = append(x.errs, undefinedField(h, "PageInfo", append(slices.Clip(p), key(h))))
				}
			}
		case "nodes":
			cost = max(cost, x.check(g.SelectionSet, node, p))
		case "edges":
			for _, h := range x.fields(g.SelectionSet, edgeType, nil) {
				switch h.Name {
				case "__typename", "cursor":
				case "node":
					cost = max(cost, x.check(h.SelectionSet, node, append(slices.Clip(p), "node")))
				default:
					x.errs = append(x.errs, undefinedField(h, edgeType, append(slices.Clip(p), key(h))))
				}
			}
		default:
			x.errs = append(x.errs, undefinedField(g, connType, p))
		}
	}
	return cost
}

// checkUnion allows __typename and fragments on the union's members.
func (x *execCtx) checkUnion(set ast.SelectionSet, typ string, td *typeDef, path []any) int {
	for _, f := range x.fields(set, "", nil) {
		if f.Name != "__typename" {
			x.errs = append(x.errs, undefinedField(f, typ, path))
		}
	}
	cost := 0
	for _, member := range x.fragmentTypes(set) {
		if member == "" || member == typ {
			continue
		}
		if !slices.Contains(td.possible, member) {
			x.errs = append(x.errs, errAt(nil, "fragmentSpreadImpossible", fmt.Sprintf(
				"Fragment on %s can't be spread inside %s", member, typ), path))
			continue
		}
		cost = max(cost, x.check(set, member, path))
	}
	return cost
}
