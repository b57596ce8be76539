package stripe

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// sink collects the connector log the shared outbound client writes.
type sink struct {
	mu      sync.Mutex
	entries []concord.LogEntry
}

func (s *sink) RecordCall(_ context.Context, e concord.LogEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
}

func (s *sink) all() []concord.LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]concord.LogEntry(nil), s.entries...)
}

// Through the hub's real shared client: each call is logged under the operation name, the
// key never reaches the log, and a write that hit a 429 is replayed with the same
// Idempotency-Key (the shared client's retry, not stripe-go's).
func TestThroughSharedOutboundClient(t *testing.T) {
	t.Parallel()
	var creates atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/account":
			reply(w, 200, accountJSON)
		case "/v1/balance":
			reply(w, 200, balanceTestJSON)
		case "/v1/payment_intents":
			if creates.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				reply(w, 429, `{"error":{"code":"rate_limit","message":"Request rate limit exceeded. Key used: sk_test_****1234","type":"invalid_request_error"}}`)
				return
			}
			reply(w, 200, intentJSON)
		}
	})
	log := &sink{}
	out := connector.NewOutbound(connector.OutboundOptions{Sink: log})
	s := f.session(testKey)
	s.HTTP = out.Client(connector.Binding{
		ConnectionID: s.ConnectionID, Connector: "stripe", Sandbox: true, Secrets: []string{testKey},
	})

	if _, err := New().Test(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	in := PaymentIntentInput{Amount: 1000, Currency: "usd"}
	if _, err := New().CreatePaymentIntent(context.Background(), s, in, "job-99"); err != nil {
		t.Fatal(err)
	}

	reqs := f.requests()
	var keys []string
	for _, r := range reqs {
		if r.Path == "/v1/payment_intents" {
			keys = append(keys, r.Header.Get("Idempotency-Key"))
		}
	}
	if strings.Join(keys, ",") != "job-99,job-99" {
		t.Errorf("create attempts carried Idempotency-Key %v, want job-99 twice", keys)
	}

	var ops []string
	for _, e := range log.all() {
		ops = append(ops, e.Operation)
		if strings.Contains(e.Excerpt, testKey) || strings.Contains(e.Excerpt, "SECRETtail") {
			t.Errorf("log excerpt carries the key: %q", e.Excerpt)
		}
	}
	if got := strings.Join(ops, ","); got != "account.retrieve,balance.retrieve,payment_intent.create,payment_intent.create" {
		t.Errorf("logged operations = %s", got)
	}
}
