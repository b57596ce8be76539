package stripeemu

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

func TestAccountAndBalance(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	for _, tc := range []struct {
		name string
		sc   *stripe.Client
		live bool
	}{{"sandbox", b.sc, false}, {"live", b.live, true}} {
		t.Run(tc.name, func(t *testing.T) {
			acct, err := tc.sc.V1Accounts.Retrieve(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if acct.ID != b.creds.AccountID || !strings.HasPrefix(acct.ID, "acct_") || !acct.ChargesEnabled {
				t.Errorf("account = %+v", acct)
			}
			bal, err := tc.sc.V1Balance.Retrieve(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if bal.Livemode != tc.live || len(bal.Available) == 0 || bal.Available[0].Currency != "usd" ||
				bal.Available[0].Amount != 1_000_000 || len(bal.Pending) == 0 {
				t.Errorf("balance = %+v", bal)
			}
		})
	}
}

func TestKeysLookReal(t *testing.T) {
	t.Parallel()
	c := New(Options{}).Credentials()
	for prefix, key := range map[string]string{"sk_test_": c.SecretKey, "pk_test_": c.PublishableKey,
		"sk_live_": c.LiveSecretKey, "pk_live_": c.LivePublishableKey} {
		if !strings.HasPrefix(key, prefix) || len(key)-len(prefix) < 24 {
			t.Errorf("key %q does not look like %s...", key, prefix)
		}
	}
	if c.WebhookSecret != "" {
		t.Errorf("webhook secret before any endpoint: %q", c.WebhookSecret)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	bad := "sk_test_" + strings.Repeat("x", 30) + "abcd"
	_, err := b.client(bad).V1Balance.Retrieve(ctx, nil)
	se := stripeErr(t, err, 401, stripe.ErrorTypeInvalidRequest, "invalid_api_key")
	if se.Msg != "Invalid API Key provided: sk_test_****abcd" {
		t.Errorf("message = %q", se.Msg)
	}
	if strings.Contains(se.Msg, strings.Repeat("x", 30)) {
		t.Errorf("key not masked")
	}

	for _, tc := range []struct {
		name   string
		header string
		want   int
	}{
		{"bearer", "Bearer " + b.creds.SecretKey, 200},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(b.creds.SecretKey+":")), 200},
		{"missing", "", 401},
		{"publishable", "Bearer " + b.creds.PublishableKey, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", b.srv.URL+"/v1/balance", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := b.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			if !strings.HasPrefix(resp.Header.Get("Request-Id"), "req_") || resp.Header.Get("Stripe-Version") == "" {
				t.Errorf("headers = %v", resp.Header)
			}
		})
	}
}

func TestLiveKeySeesSeparateLiveData(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	pi := newPI(t, b.live, &stripe.PaymentIntentCreateParams{})
	if !pi.Livemode {
		t.Errorf("live key made livemode=false intent")
	}
	_, err := b.sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
	test := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{})
	if test.Livemode {
		t.Errorf("test key made livemode=true intent")
	}
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	resp, body := b.raw(t, "GET", "/v1/nonexistent", b.creds.SecretKey, "", nil)
	if resp.StatusCode != 404 || !strings.Contains(string(body), "Unrecognized request URL") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	key := "order-42"
	p := func(amount int64) *stripe.PaymentIntentCreateParams {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
		p.SetIdempotencyKey(key)
		return p
	}
	first, err := b.sc.V1PaymentIntents.Create(ctx, p(1000))
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.sc.V1PaymentIntents.Create(ctx, p(1000))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay gave %s (replayed=%q), want %s", again.ID, again.LastResponse.Header.Get("Idempotent-Replayed"), first.ID)
	}
	_, err = b.sc.V1PaymentIntents.Create(ctx, p(2000))
	se := stripeErr(t, err, 400, stripe.ErrorTypeIdempotency, "")
	if !strings.Contains(se.Msg, "same parameters") {
		t.Errorf("message = %q", se.Msg)
	}
	// Keys belong to one API key: the live key may reuse it.
	if _, err := b.live.V1PaymentIntents.Create(ctx, p(2000)); err != nil {
		t.Errorf("same idempotency key under another API key: %v", err)
	}
	n := 0
	for pi, err := range b.sc.V1PaymentIntents.List(ctx, &stripe.PaymentIntentListParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		if pi.ID != first.ID {
			t.Errorf("unexpected intent %s", pi.ID)
		}
		n++
	}
	if n != 1 {
		t.Errorf("replay created objects: %d intents", n)
	}
}
