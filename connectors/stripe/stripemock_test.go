package stripe

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// stripeMockSession returns a Session pointed at stripe-mock (STRIPE_MOCK_URL), which
// validates every request against Stripe's OpenAPI spec: a parameter Stripe does not know,
// or a wrong type, fails here even though an httptest fake would accept it. Locally the
// test skips without stripe-mock; in CI it must run, so a missing URL fails.
func stripeMockSession(t *testing.T) *connector.Session {
	t.Helper()
	base := os.Getenv("STRIPE_MOCK_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("STRIPE_MOCK_URL is not set; CI must run stripe-mock (stripe/stripe-mock@v0.203.0)")
		}
		t.Skip("STRIPE_MOCK_URL not set; run: stripe-mock -http-port 12111 and STRIPE_MOCK_URL=http://127.0.0.1:12111")
	}
	return &connector.Session{
		ConnectionID: "conn_stripe_mock",
		// stripe-mock accepts any test key; this one is deliberately too short for
		// CheckCredentials, which proves calls do not depend on it.
		Credentials: map[string]string{FieldSecretKey: "sk_test_123"},
		APIBase:     base,
		HTTP:        &http.Client{Timeout: 10 * time.Second},
	}
}

func TestAgainstStripeMock(t *testing.T) {
	t.Parallel()
	s := stripeMockSession(t)
	ctx := context.Background()
	c := New()

	t.Run("account and balance", func(t *testing.T) {
		res, err := c.Test(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.AccountID, "acct_") || !res.Mode.Valid() {
			t.Errorf("Test = %+v", res)
		}
	})

	t.Run("payment intent create, retrieve, cancel", func(t *testing.T) {
		in := PaymentIntentInput{
			Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa", Confirm: true,
			Customer: "cus_123", Description: "SO-1", Metadata: map[string]string{"order": "SO-1"},
		}
		pi, err := c.CreatePaymentIntent(ctx, s, in, "concord-mock-create-1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(pi.ID, "pi_") {
			t.Fatalf("created %q", pi.ID)
		}
		if got, err := c.RetrievePaymentIntent(ctx, s, pi.ID); err != nil || got.ID != pi.ID {
			t.Fatalf("retrieve = %v, %v", got, err)
		}
		hold := PaymentIntentInput{Amount: 2500, Currency: "usd", CaptureMethod: "manual",
			PaymentMethod: "pm_card_visa", Confirm: true, ReturnURL: "https://erp.example/return"}
		if _, err := c.CreatePaymentIntent(ctx, s, hold, "concord-mock-create-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CancelPaymentIntent(ctx, s, pi.ID, "concord-mock-cancel-1"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("writer", func(t *testing.T) {
		out, err := c.Write(ctx, s, connector.Write{
			Operation:      OpCreatePaymentIntent,
			Payload:        json.RawMessage(`{"amount":1000,"currency":"usd","payment_method":"pm_card_visa","confirm":true,"customer":"cus_123","metadata":{"order":"SO-2"}}`),
			IdempotencyKey: "concord-mock-write-1",
		})
		if err != nil {
			t.Fatal(err)
		}
		var pi struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		}
		if err := json.Unmarshal(out, &pi); err != nil || pi.Object != "payment_intent" {
			t.Fatalf("Write = %s, %v", out, err)
		}
		if _, err := c.Write(ctx, s, connector.Write{
			Operation: OpCancelPaymentIntent, Payload: json.RawMessage(`{"id":"` + pi.ID + `"}`), IdempotencyKey: "concord-mock-write-2",
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("lists", func(t *testing.T) {
		since := time.Now().Add(-7 * 24 * time.Hour)
		if _, err := c.ListPaymentMethods(ctx, s, "cus_123"); err != nil {
			t.Errorf("payment methods: %v", err)
		}
		if _, err := c.ListPayouts(ctx, s, since, 10); err != nil {
			t.Errorf("payouts: %v", err)
		}
		if _, err := c.ListDisputes(ctx, s, 10); err != nil {
			t.Errorf("disputes: %v", err)
		}
		if _, err := c.ListEvents(ctx, s, since, ""); err != nil {
			t.Errorf("events: %v", err)
		}
		if _, err := c.ListEvents(ctx, s, since, "evt_123"); err != nil {
			t.Errorf("events after a cursor: %v", err)
		}
		if _, err := c.ListWebhookEndpoints(ctx, s); err != nil {
			t.Errorf("webhook endpoints: %v", err)
		}
	})

	// stripe-mock answers a request outside the spec with 400 invalid_request_error; this
	// is how the subtests above would fail on a wrong parameter, and it must be classified.
	t.Run("unknown parameter is a validation error", func(t *testing.T) {
		sc, err := newClient(s)
		if err != nil {
			t.Fatal(err)
		}
		p := &stripego.PaymentIntentCreateParams{Amount: stripego.Int64(1000), Currency: stripego.String("usd")}
		p.AddExtra("not_a_stripe_param", "x")
		_, err = sc.V1PaymentIntents.Create(ctx, p)
		if got := connector.ClassOf(wrap("payment_intent.create", err)); got != concord.ClassValidation {
			t.Fatalf("class = %q (%v), want validation", got, err)
		}
	})
}
