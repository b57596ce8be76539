package shopifyemu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/concordhub/concord/internal/shopifyschema"
)

// bundle is one emulator behind an httptest server.
type bundle struct {
	e     *Emulator
	srv   *httptest.Server
	creds Credentials
}

func setup(t *testing.T, opts Options) *bundle {
	t.Helper()
	e := New(opts)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		e.Close()
		srv.Close()
	})
	return &bundle{e: e, srv: srv, creds: e.Credentials()}
}

// gqlAnswer is a decoded GraphQL answer.
type gqlAnswer struct {
	Data       map[string]any `json:"data"`
	Errors     []gqlError     `json:"errors"`
	Extensions struct {
		Cost struct {
			Requested      float64 `json:"requestedQueryCost"`
			Actual         float64 `json:"actualQueryCost"`
			ThrottleStatus struct {
				Max       float64 `json:"maximumAvailable"`
				Available float64 `json:"currentlyAvailable"`
				Rate      float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

// post sends a raw request with the bundle's token.
func (b *bundle) post(t *testing.T, path, token string, body any) (*http.Response, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// gql validates query against Shopify's schema, runs it and fails the test
// on any GraphQL error.
func (b *bundle) gql(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	a := b.gqlRaw(t, query, vars)
	if len(a.Errors) > 0 {
		t.Fatalf("graphql errors: %+v", a.Errors)
	}
	return a.Data
}

func (b *bundle) gqlRaw(t *testing.T, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	if err := shopifyschema.Validate(query); err != nil {
		t.Fatalf("document does not validate against Shopify's schema: %v\n%s", err, query)
	}
	return b.gqlUnchecked(t, b.creds.AccessToken, query, vars)
}

func (b *bundle) gqlUnchecked(t *testing.T, token, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	resp, body := b.post(t, "/admin/api/2025-01/graphql.json", token, map[string]any{"query": query, "variables": vars})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("graphql status %d: %s", resp.StatusCode, body)
	}
	var a gqlAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return a
}

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
