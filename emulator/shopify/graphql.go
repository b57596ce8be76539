package shopifyemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// maxQueryCost is Shopify's single-query cost limit.
const maxQueryCost = 1000

// mutationCost is what every mutation field costs.
const mutationCost = 10

// gqlRequest is a GraphQL POST body.
type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// serveGraphQL answers POST /admin/api/{version}/graphql.json.
func (e *Emulator) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	s, tok, ok := e.authenticate(w, r)
	if !ok || e.applyFault(w, r, s, tok, true) {
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var req gqlRequest
	if err == nil {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/graphql") {
			req.Query = string(raw)
		} else {
			err = json.Unmarshal(raw, &req)
		}
	}
	if err != nil || strings.TrimSpace(req.Query) == "" {
		writeRaw(w, http.StatusBadRequest, []byte(`{"errors":{"query":"Required parameter missing or invalid"}}`))
		return
	}
	status, body := e.execute(s, req)
	writeJSON(w, status, body)
}

// execute parses, checks, charges and runs one request for shop s.
func (e *Emulator) execute(s *shop, req gqlRequest) (int, map[string]any) {
	doc, perr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if perr != nil {
		g := gqlError{Message: perr.Error(), Extensions: map[string]any{"code": "parseError"}}
		var ge *gqlerror.Error
		if errors.As(perr, &ge) {
			g.Message = ge.Message
			for _, l := range ge.Locations {
				g.Locations = append(g.Locations, errLocation{Line: l.Line, Column: l.Column})
			}
		}
		return http.StatusOK, map[string]any{"errors": []gqlError{g}}
	}
	op, oerr := pickOperation(doc, req.OperationName)
	if oerr != nil {
		return http.StatusOK, map[string]any{"errors": []gqlError{{Message: oerr.Error()}}}
	}
	vars, verrs := variables(op, req.Variables)
	if verrs != nil {
		return http.StatusOK, map[string]any{"errors": verrs}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	x := &execCtx{e: e, s: s, doc: doc, vars: vars, now: e.now()}
	root, requested := "QueryRoot", 0
	if op.Operation == ast.Mutation {
		root = "Mutation"
		for _, f := range x.fields(op.SelectionSet, root, nil) {
			if f.Name != "__typename" {
				requested += mutationCost
			}
		}
		x.check(op.SelectionSet, root, nil)
	} else {
		requested = x.check(op.SelectionSet, root, nil)
	}
	if len(x.errs) > 0 {
		return http.StatusOK, map[string]any{"errors": x.errs}
	}
	cost := map[string]any{"requestedQueryCost": requested, "actualQueryCost": nil}
	ext := map[string]any{"cost": cost}
	if requested > maxQueryCost {
		cost["throttleStatus"] = s.graphql.status()
		return http.StatusOK, map[string]any{"errors": []gqlError{{Message: fmt.Sprintf(
			"Query cost is %d, which exceeds the single query max cost limit (%d).", requested, maxQueryCost),
			Extensions: map[string]any{"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": maxQueryCost,
				"documentation": "https://shopify.dev/api/usage/rate-limits"}}}, "extensions": ext}
	}
	if !s.graphql.take(float64(requested)) {
		cost["throttleStatus"] = s.graphql.status()
		return http.StatusOK, throttled(ext)
	}
	data := x.run(op.SelectionSet, root, nil, nil)
	actual := x.actual
	if op.Operation == ast.Mutation {
		actual = requested
	}
	s.graphql.refund(float64(requested - actual))
	cost["actualQueryCost"] = actual
	cost["throttleStatus"] = s.graphql.status()
	out := map[string]any{"data": data, "extensions": ext}
	if len(x.errs) > 0 {
		out["errors"] = x.errs
	}
	return http.StatusOK, out
}

// throttled is Shopify's THROTTLED answer.
func throttled(ext map[string]any) map[string]any {
	return map[string]any{"errors": []gqlError{{Message: "Throttled", Extensions: map[string]any{
		"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}}, "extensions": ext}
}

// pickOperation finds the operation to run.
func pickOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, error) {
	if name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op, nil
		}
		return nil, fmt.Errorf("No operation named \"%s\"", name)
	}
	switch len(doc.Operations) {
	case 0:
		return nil, fmt.Errorf("No operations in query document")
	case 1:
		return doc.Operations[0], nil
	}
	return nil, fmt.Errorf("An operation name is required")
}

// variables applies defaults and refuses missing required variables.
func variables(op *ast.OperationDefinition, in map[string]any) (map[string]any, []gqlError) {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	var errs []gqlError
	for _, d := range op.VariableDefinitions {
		if _, ok := out[d.Variable]; ok {
			continue
		}
		if d.DefaultValue != nil {
			v, err := d.DefaultValue.Value(nil)
			if err == nil {
				out[d.Variable] = v
				continue
			}
		}
		if d.Type.NonNull {
			errs = append(errs, errAt(d.Position, "INVALID_VARIABLE", fmt.Sprintf(
				"Variable $%s of type %s was provided invalid value", d.Variable, d.Type.String()), nil))
		}
	}
	return out, errs
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":"Internal Server Error"}`)
	}
	writeRaw(w, status, b)
}
