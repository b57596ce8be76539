package connector

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/prometheus/client_golang/prometheus"
)

// memSink collects log entries for assertions.
type memSink struct {
	mu      sync.Mutex
	entries []concord.LogEntry
}

func (s *memSink) RecordCall(_ context.Context, e concord.LogEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
}

func (s *memSink) all() []concord.LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]concord.LogEntry(nil), s.entries...)
}

// testBundle is what most tests need: an Outbound with a sink and a registry.
type testBundle struct {
	out  *Outbound
	sink *memSink
	reg  *prometheus.Registry
}

func setup(t *testing.T, opts ...func(*OutboundOptions)) *testBundle {
	t.Helper()
	b := &testBundle{sink: &memSink{}, reg: prometheus.NewRegistry()}
	o := OutboundOptions{Sink: b.sink, Registerer: b.reg}
	for _, f := range opts {
		f(&o)
	}
	b.out = NewOutbound(o)
	b.out.backoffBase = 5 * time.Millisecond // keep retry tests fast
	b.out.backoffCap = 20 * time.Millisecond
	return b
}

// sandbox binds a client that may reach the httptest server on 127.0.0.1.
func (b *testBundle) sandbox(secrets ...string) *http.Client {
	return b.out.Client(Binding{ConnectionID: "conn_1", Connector: "stripe", Sandbox: true, Secrets: secrets})
}

// server answers with the handlers in turn (the last one repeats) and counts hits.
func server(t *testing.T, hs ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		hs[min(i, len(hs)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, string(b), nil
}

func TestUserAgentOperationAndCorrelation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ua atomic.Value
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) { ua.Store(r.UserAgent()) })
	ctx := WithCorrelationID(WithOperation(context.Background(), "get balance"), "job_42")
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/balance", nil)
	resp, err := b.sandbox().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := ua.Load().(string); !strings.HasPrefix(got, "concord/") {
		t.Errorf("User-Agent = %q", got)
	}
	e := b.sink.all()
	if len(e) != 1 || e[0].Operation != "get balance" || e[0].CorrelationID != "job_42" ||
		e[0].Outcome != "ok" || e[0].Status != 200 || e[0].Direction != "outbound" || e[0].Kind != "api_call" {
		t.Fatalf("entries = %+v", e)
	}

	// A caller's own User-Agent (stripe-go sets one) is kept, and the default name is the route.
	req, _ = http.NewRequest("GET", srv.URL+"/v1/account?limit=3", nil)
	req.Header.Set("User-Agent", "Stripe/v1 GoBindings")
	resp, err = b.sandbox().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := ua.Load().(string); got != "Stripe/v1 GoBindings" {
		t.Errorf("User-Agent = %q", got)
	}
	if e := b.sink.all(); e[1].Operation != "GET /v1/account" || e[1].Excerpt != "GET /v1/account?limit=3" {
		t.Errorf("entry = %+v", e[1])
	}
}

func TestErrorBodyPeekedNotConsumed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	long := `{"error":{"code":"resource_missing","message":"` + strings.Repeat("x", 6000) + `"}}`
	srv, _ := server(t, status(404, long))
	resp, body, err := get(t, b.sandbox(), srv.URL+"/v1/charges/ch_1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 404 || body != long {
		t.Fatalf("caller got status %d and %d bytes, want the whole body", resp.StatusCode, len(body))
	}
	e := b.sink.all()[0]
	if e.Outcome != "error" || e.ErrorClass != concord.ClassNotFound || !strings.Contains(e.Excerpt, "resource_missing") {
		t.Errorf("entry = %+v", e)
	}
	if len(e.Excerpt) > 400 {
		t.Errorf("excerpt is %d bytes, want about 300 of body", len(e.Excerpt))
	}
}

func TestAttemptTimeoutIsClassTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *OutboundOptions) { o.AttemptTimeout = 50 * time.Millisecond; o.MaxRetries = -1 })
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	_, _, err := get(t, b.sandbox(), srv.URL+"/slow")
	if ClassOf(err) != concord.ClassTimeout {
		t.Fatalf("err = %v, class %q; want timeout", err, ClassOf(err))
	}
	if e := b.sink.all(); len(e) != 1 || e[0].ErrorClass != concord.ClassTimeout {
		t.Errorf("entries = %+v", e)
	}
}

func TestOverallTimeoutStopsRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *OutboundOptions) { o.Timeout = 150 * time.Millisecond; o.MaxRetries = 100 })
	srv, _ := server(t, status(503, "busy"))
	start := time.Now()
	resp, _, err := get(t, b.sandbox(), srv.URL+"/")
	if time.Since(start) > time.Second {
		t.Fatalf("call took %s, want it bounded by the 150ms deadline", time.Since(start))
	}
	if err == nil && resp.StatusCode != 503 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
