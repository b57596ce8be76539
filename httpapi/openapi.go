package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

var (
	openapiOnce sync.Once
	openapiDoc  []byte
)

// getOpenAPI serves the OpenAPI 3 document of the whole API, generated from the route table.
func (s *Server) getOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	openapiOnce.Do(func() { openapiDoc, _ = json.MarshalIndent(s.OpenAPI(), "", "  ") })
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiDoc)
	return nil
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI builds the document from the route table and the schemas below.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes() {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
			"responses":   responses(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			sch := map[string]any{"type": "string"}
			if q == "limit" {
				sch = map[string]any{"type": "integer", "minimum": 1, "maximum": 500}
			}
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": sch})
		}
		if isWrite(rt.Method) && !rt.Public {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "Replaying a key returns the first response; the same key with another body is 422.",
				"schema":      map[string]any{"type": "string", "maxLength": 255}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Request != "" {
			op["requestBody"] = map[string]any{"required": !rt.OptionalBody, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(rt.Request)}}}
		}
		if rt.Public {
			op["security"] = []any{}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "concord API", "version": "1",
			"description": "The integrations hub's JSON API. Credentials are write-only: no response carries a secret."},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         schemas(),
		},
	}
}

func operationID(rt route) string {
	p := pathParam.ReplaceAllString(rt.Path, "by_$1")
	p = strings.NewReplacer("/v1/", "", "/", "_", "-", "_", ".", "_").Replace(p)
	return strings.ToLower(rt.Method) + "_" + p
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func responses(rt route) map[string]any {
	ok := map[string]any{"description": rt.Summary}
	switch {
	case rt.Response == "" && rt.Path == "/v1/openapi.json":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	case rt.List:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"data", "next_cursor"},
			"properties": map[string]any{"data": map[string]any{"type": "array", "items": ref(rt.Response)},
				"next_cursor": map[string]any{"type": "string"}}}}}
	default:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Response)}}
	}
	out := map[string]any{strconv.Itoa(rt.Status): ok}
	if rt.Method == "POST" && rt.Path == "/v1/connections/{id}/writes" {
		out["200"] = map[string]any{"description": "the write already queued with this Idempotency-Key",
			"content": map[string]any{"application/json": map[string]any{"schema": ref(rt.Response)}}}
	}
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	out["default"] = errResp
	return out
}
