package connector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// stripe-go must work through the shared client unchanged: its request bodies are rewindable,
// it parses error bodies we peeked at, and its Idempotency-Key makes its writes retryable here.
func TestStripeGoThroughOutbound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var mu sync.Mutex
	var posts []string
	srv, _ := server(t,
		status(503, `{"error":{"type":"api_error","message":"try again"}}`),
		status(200, `{"object":"balance","livemode":false,"available":[{"amount":1200,"currency":"usd"}]}`),
		func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			posts = append(posts, string(body)+"|"+r.Header.Get("Idempotency-Key"))
			n := len(posts)
			mu.Unlock()
			if n == 1 {
				w.WriteHeader(500)
				io.WriteString(w, `{"error":{"type":"api_error"}}`)
				return
			}
			w.WriteHeader(402)
			io.WriteString(w, `{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`)
		})
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		HTTPClient:        b.sandbox(planted),
		URL:               stripe.String(srv.URL),
		MaxNetworkRetries: stripe.Int64(0), // retries are the shared client's job
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	sc := stripe.NewClient(planted, stripe.WithBackends(&stripe.Backends{API: backend}))

	bal, err := sc.V1Balance.Retrieve(context.Background(), nil)
	if err != nil || len(bal.Available) != 1 || bal.Available[0].Amount != 1200 {
		t.Fatalf("balance: %v %+v", err, bal)
	}

	params := &stripe.RefundCreateParams{Charge: stripe.String("ch_1"), Amount: stripe.Int64(500)}
	params.SetIdempotencyKey("job_9")
	_, err = sc.V1Refunds.Create(context.Background(), params)
	var se *stripe.Error
	if !errors.As(err, &se) || se.Code != stripe.ErrorCodeCardDeclined {
		t.Fatalf("refund: %v; want stripe's parsed card_declined error", err)
	}
	if len(posts) != 2 || posts[0] != posts[1] || posts[0] == "|" {
		t.Fatalf("posts = %q; want the same body and key twice", posts)
	}
	if n := len(b.sink.all()); n != 4 {
		t.Fatalf("%d log entries, want 4 (two attempts per call)", n)
	}
}
