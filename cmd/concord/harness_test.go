package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	stripeemu "github.com/concordhub/concord/emulator/stripe"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/vault"
)

// syncBuffer collects the server's log output safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is one concord server running on 127.0.0.1:0, as `concord serve` wires it, with
// a Stripe emulator beside it. Every API answer the tests read is validated against the
// server's own OpenAPI document.
type harness struct {
	t      *testing.T
	app    *app
	cfg    config
	token  string
	logs   *syncBuffer
	stripe *stripeemu.Emulator
	emuURL string
	router routers.Router
	seen   [][]byte // every response body, for the secret-leak scan
	mu     sync.Mutex
}

func setup(t *testing.T, b storetest.Backend) *harness { return setupWith(t, b, nil) }

// setupWith is setup with the config changed by adjust first (nil: as `concord serve`).
func setupWith(t *testing.T, b storetest.Backend, adjust func(*config)) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}, token: "cct_test_admin_" + randomString(20)}
	h.cfg = config{Addr: "127.0.0.1:0", DB: b.URL, MasterKeyFile: testKeyFile(t), LogRetention: 30 * 24 * time.Hour,
		LogLevel: "debug", AdminToken: h.token}
	if adjust != nil {
		adjust(&h.cfg)
	}
	h.app, _ = startApp(t, h.cfg, h.logs)
	h.stripe = stripeemu.New(stripeemu.Options{RateLimit: -1})
	srv := httptest.NewServer(h.stripe.Handler())
	t.Cleanup(func() { srv.Close(); h.stripe.Close() })
	h.emuURL = srv.URL

	var doc json.RawMessage
	if st := h.do("GET", "/v1/openapi.json", "", nil, &doc); st != 200 {
		t.Fatalf("openapi.json: %d", st)
	}
	spec, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatalf("load openapi: %v", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		t.Fatalf("openapi document is invalid: %v", err)
	}
	// The document's server is relative ("/"); the router needs this run's absolute address.
	spec.Servers = openapi3.Servers{{URL: h.app.URL}}
	if h.router, err = legacy.NewRouter(spec); err != nil {
		t.Fatal(err)
	}
	return h
}

// testKeyFile makes a master key file in a temporary folder.
func testKeyFile(t *testing.T) string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if _, err := vault.CreateKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	return keyFile
}

// startApp runs a server with cfg, as `concord serve` wires it, until the test ends or stop
// is called. stop shuts it down and says how it stopped; calling it again is harmless.
func startApp(t *testing.T, cfg config, logs io.Writer) (a *app, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, logs)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	return a, stop
}

// do calls the API with token ("" for none) and decodes the answer into out.
func (h *harness) do(method, path, token string, body any, out any, headers ...string) int {
	h.t.Helper()
	st, data := h.raw(method, path, token, body, headers...)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return st
}

func (h *harness) raw(method, path, token string, body any, headers ...string) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	var reqBody []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		reqBody = b
	case string:
		reqBody = []byte(b)
	default:
		var err error
		if reqBody, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	if reqBody != nil {
		rd = bytes.NewReader(reqBody)
	}
	req, err := http.NewRequest(method, h.app.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	h.mu.Lock()
	h.seen = append(h.seen, data)
	h.mu.Unlock()
	if h.router != nil && strings.HasPrefix(path, "/v1/") {
		h.validate(req, reqBody, resp, data)
	}
	return resp.StatusCode, data
}

// validate checks an answer against the OpenAPI document: the route must be documented
// and the body must match the documented schema for its status.
func (h *harness) validate(req *http.Request, reqBody []byte, resp *http.Response, data []byte) {
	h.t.Helper()
	vreq := req.Clone(context.Background())
	if reqBody != nil {
		vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	route, params, err := h.router.FindRoute(vreq)
	if err != nil {
		h.t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Body: io.NopCloser(bytes.NewReader(data)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		h.t.Errorf("%s %s answered %d not as documented: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, cut(string(data), 600))
	}
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// emulatorCreds reads the Stripe emulator's sandbox credentials over its control API.
func (h *harness) emulatorCreds(base string) map[string]string {
	h.t.Helper()
	resp, err := http.Get(base + "/_emulator/credentials")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var c map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) fault(base, kind string, count int) {
	h.t.Helper()
	b, _ := json.Marshal(map[string]any{"kind": kind, "count": count})
	resp, err := http.Post(base+"/_emulator/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		h.t.Fatalf("fault %s: %d", kind, resp.StatusCode)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
