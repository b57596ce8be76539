package shopify

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/internal/shopifyschema"
)

// Credentials used by the fakes, shaped like real ones and long enough that a leak into
// a message would be obvious.
const (
	testToken  = "shpat_0123456789abcdef0123456789SECRET"
	testShop   = "demo.myshopify.com"
	graphqlURL = "/admin/api/2025-01/graphql.json"
)

// call is what the fake saw of one GraphQL request.
type call struct {
	Op    string
	Query string
	Vars  map[string]any
	Token string
}

// answer is what a handler replies: a status and a raw JSON body.
type answer struct {
	Status int
	Body   string
}

// fake is an httptest Shopify: it decodes every GraphQL request, validates its document
// against the vendored schema (failing the test otherwise) and routes it by operation name.
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls []call
	ops   map[string]func(vars map[string]any) answer
	// other answers non-GraphQL paths (the OAuth token endpoint).
	other http.HandlerFunc
}

var opName = regexp.MustCompile(`^\s*(?:query|mutation)\s+(\w+)`)

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{t: t, ops: map[string]func(map[string]any) answer{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != graphqlURL {
		if f.other != nil {
			f.other(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(raw, &req); err != nil || r.Method != http.MethodPost {
		f.t.Errorf("fake: bad GraphQL request %s: %v", r.Method, err)
		w.WriteHeader(400)
		return
	}
	if err := shopifyschema.Validate(req.Query); err != nil {
		f.t.Errorf("fake: the connector sent a document the schema refuses: %v\n%s", err, req.Query)
	}
	m := opName.FindStringSubmatch(req.Query)
	if m == nil {
		f.t.Errorf("fake: document without an operation name:\n%s", req.Query)
		w.WriteHeader(400)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{Op: m[1], Query: req.Query, Vars: req.Variables, Token: r.Header.Get("X-Shopify-Access-Token")})
	h := f.ops[m[1]]
	f.mu.Unlock()
	if h == nil {
		f.t.Errorf("fake: no handler for operation %s", m[1])
		w.WriteHeader(500)
		return
	}
	a := h(req.Variables)
	w.Header().Set("Content-Type", "application/json")
	if a.Status != 0 {
		w.WriteHeader(a.Status)
	}
	io.WriteString(w, a.Body)
}

// on sets the handler of one operation.
func (f *fake) on(op string, h func(vars map[string]any) answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops[op] = h
}

// always answers op with data every time.
func (f *fake) always(op, data string) { f.on(op, func(map[string]any) answer { return ok(data) }) }

func (f *fake) seen() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// session is a connection pointing at the fake.
func (f *fake) session() *connector.Session {
	return &connector.Session{
		ConnectionID: "conn_" + f.t.Name(),
		Credentials:  map[string]string{FieldAccessToken: testToken},
		Config:       map[string]string{FieldShop: testShop},
		APIBase:      f.srv.URL,
		HTTP:         f.srv.Client(),
	}
}

// costExt is an extensions.cost member with a given bucket.
func costExt(requested, available, restore float64) string {
	return fmt.Sprintf(`{"cost":{"requestedQueryCost":%g,"actualQueryCost":%g,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":%g,"restoreRate":%g}}}`,
		requested, requested, available, restore)
}

// ok is a successful answer with a full bucket.
func ok(data string) answer {
	return answer{Body: `{"data":` + data + `,"extensions":` + costExt(10, 1990, 100) + `}`}
}
