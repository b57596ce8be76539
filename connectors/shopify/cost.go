package shopify

import (
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// mutationCost is what a mutation costs in Shopify's (and the emulator's) calculation.
const mutationCost = 10

// estimateCost is the requested cost of doc before Shopify has told us, with the rule the
// wire subset documents: an object field costs 1, scalars 0, a connection (a field taking
// `first`) 2 + first × the cost of one node, a mutation 10. It only seeds the pacer: once
// an operation has been answered, the pacer uses the requestedQueryCost Shopify reported.
func estimateCost(doc string, vars map[string]any) float64 {
	qd, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil || len(qd.Operations) == 0 {
		return 1
	}
	op := qd.Operations[0]
	if op.Operation == ast.Mutation {
		return mutationCost
	}
	return selectionCost(op.SelectionSet, vars)
}

func selectionCost(set ast.SelectionSet, vars map[string]any) float64 {
	var total float64
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total += fieldCost(s, vars)
		case *ast.InlineFragment:
			total += selectionCost(s.SelectionSet, vars)
		}
	}
	return total
}

func fieldCost(f *ast.Field, vars map[string]any) float64 {
	if len(f.SelectionSet) == 0 {
		return 0 // a scalar
	}
	arg := f.Arguments.ForName("first")
	if arg == nil {
		return 1 + selectionCost(f.SelectionSet, vars)
	}
	// A connection: one node is what sits under nodes/edges.node (or the list itself).
	node := 1.0
	for _, sel := range f.SelectionSet {
		child, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		switch child.Name {
		case "nodes", "edges":
			node = 1 + selectionCost(child.SelectionSet, vars)
		case "pageInfo":
		default:
			node += fieldCost(child, vars)
		}
	}
	return 2 + argInt(arg.Value, vars)*node
}

// argInt reads an Int argument given literally or as a variable; 1 when unknown.
func argInt(v *ast.Value, vars map[string]any) float64 {
	if v == nil {
		return 1
	}
	if v.Kind == ast.Variable {
		switch n := vars[v.Raw].(type) {
		case int:
			return float64(n)
		case float64:
			return n
		}
		return 1
	}
	if n, err := strconv.Atoi(v.Raw); err == nil {
		return float64(n)
	}
	return 1
}
