package shopifyemu

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// run executes a checked selection set over v, an object of type typ.
func (x *execCtx) run(set ast.SelectionSet, typ string, v any, path []any) *ordered {
	if t, ok := v.(typed); ok {
		typ, v = t.name, t.v
	}
	td := schema[typ]
	out := &ordered{}
	for _, f := range x.fields(set, typ, nil) {
		k := key(f)
		p := append(slices.Clip(path), k)
		if f.Name == "__typename" {
			out.set(k, typ)
			continue
		}
		fd := td.fields[f.Name]
		a, _ := x.args(f)
		res, err := fd.resolve(x, v, a)
		if err != nil {
			x.errs = append(x.errs, errAt(f.Position, "", err.Error(), p))
			out.set(k, nil)
			continue
		}
		out.set(k, x.value(f, fd, res, p))
	}
	return out
}

// value renders a resolved field by its kind.
func (x *execCtx) value(f *ast.Field, fd fieldDef, res any, p []any) any {
	if res == nil {
		return nil
	}
	switch fd.kind {
	case kObject:
		x.actual++
		return x.run(f.SelectionSet, fd.typ, res, p)
	case kList:
		items := res.([]any)
		out := make([]any, len(items))
		for i, it := range items {
			x.actual++
			out[i] = x.run(f.SelectionSet, fd.typ, it, append(slices.Clip(p), i))
		}
		return out
	case kConn:
		x.actual += 2
		return x.runConn(f, fd.typ, res.(*page), p)
	}
	return res
}

// runConn renders a connection page: pageInfo, nodes and edges.
func (x *execCtx) runConn(f *ast.Field, node string, pg *page, path []any) *ordered {
	connType, edgeType := node+"Connection", node+"Edge"
	out := &ordered{}
	nodes := func(g *ast.Field, p []any) []any {
		list := make([]any, len(pg.nodes))
		for i, n := range pg.nodes {
			x.actual++
			list[i] = x.run(g.SelectionSet, node, n, append(slices.Clip(p), i))
		}
		return list
	}
	for _, g := range x.fields(f.SelectionSet, connType, nil) {
		k := key(g)
		p := append(slices.Clip(path), k)
		switch g.Name {
		case "__typename":
			out.set(k, connType)
		case "pageInfo":
			out.set(k, x.pageInfo(g, pg))
		case "nodes":
			out.set(k, nodes(g, p))
		case "edges":
			edges := make([]any, len(pg.nodes))
			for i, n := range pg.nodes {
				e := &ordered{}
				for _, h := range x.fields(g.SelectionSet, edgeType, nil) {
					switch h.Name {
					case "__typename":
						e.set(key(h), edgeType)
					case "cursor":
						e.set(key(h), pg.cursors[i])
					case "node":
						x.actual++
						e.set(key(h), x.run(h.SelectionSet, node, n, append(slices.Clip(p), i, key(h))))
					}
				}
				edges[i] = e
			}
			out.set(k, edges)
		}
	}
	return out
}

func (x *execCtx) pageInfo(g *ast.Field, pg *page) *ordered {
	out := &ordered{}
	var start, end any
	if n := len(pg.cursors); n > 0 {
		start, end = pg.cursors[0], pg.cursors[n-1]
	}
	for _, h := range x.fields(g.SelectionSet, "PageInfo", nil) {
		switch h.Name {
		case "__typename":
			out.set(key(h), "PageInfo")
		case "hasNextPage":
			out.set(key(h), pg.hasNext)
		case "hasPreviousPage":
			out.set(key(h), pg.hasPrev)
		case "startCursor":
			out.set(key(h), start)
		case "endCursor":
			out.set(key(h), end)
		}
	}
	return out
}
