package stripe

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concordhub/concord"
)

func TestCreatePaymentIntentSendsIdempotencyKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	in := PaymentIntentInput{
		Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa", Confirm: true,
		Customer: "cus_Concord", Metadata: map[string]string{"order": "SO-1"},
	}
	pi, err := New().CreatePaymentIntent(context.Background(), f.session(testKey), in, "job-42-attempt-any")
	if err != nil {
		t.Fatal(err)
	}
	if pi.ID != "pi_3Concord" || pi.Status != "succeeded" {
		t.Errorf("intent = %s %s", pi.ID, pi.Status)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/payment_intents" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Idempotency-Key"); got != "job-42-attempt-any" {
		t.Errorf("Idempotency-Key = %q, want the job's key", got)
	}
	want := map[string]string{
		"amount": "1000", "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true",
		"customer": "cus_Concord", "metadata[order]": "SO-1",
		"automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": "never",
	}
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
}

func TestCreatePaymentIntentWithReturnURLAllowsRedirects(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	in := PaymentIntentInput{Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa", Confirm: true,
		ReturnURL: "https://erp.example/return", CaptureMethod: "manual"}
	if _, err := New().CreatePaymentIntent(context.Background(), f.session(testKey), in, "k1"); err != nil {
		t.Fatal(err)
	}
	form := f.requests()[0].Form
	if form.Has("automatic_payment_methods[allow_redirects]") || form.Get("return_url") != in.ReturnURL || form.Get("capture_method") != "manual" {
		t.Errorf("form = %v", form)
	}
}

func TestCreatePaymentIntentRefusesBeforeCalling(t *testing.T) {
	t.Parallel()
	ok := PaymentIntentInput{Amount: 1000, Currency: "usd"}
	tests := []struct {
		name string
		in   PaymentIntentInput
		key  string
		want string
	}{
		{"no idempotency key", ok, "", "idempotency key is required"},
		{"blank idempotency key", ok, "  ", "idempotency key is required"},
		{"idempotency key too long", ok, strings.Repeat("k", 256), "255"},
		{"zero amount", PaymentIntentInput{Currency: "usd"}, "k", "amount must be a positive"},
		{"bad currency", PaymentIntentInput{Amount: 1, Currency: "USD"}, "k", "currency"},
		{"confirm without method", PaymentIntentInput{Amount: 1, Currency: "usd", Confirm: true}, "k", "payment_method is required"},
		{"bad capture method", PaymentIntentInput{Amount: 1, Currency: "usd", CaptureMethod: "later"}, "k", "capture_method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer(200, intentJSON))
			_, err := New().CreatePaymentIntent(context.Background(), f.session(testKey), tt.in, tt.key)
			ce := mustConcordError(t, err, concord.EINVALID)
			if !strings.Contains(ce.Message, tt.want) || ce.Class != concord.ClassValidation {
				t.Errorf("error = %+v, want a validation error mentioning %q", ce, tt.want)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("made %d requests, want none", n)
			}
		})
	}
}

func TestCancelPaymentIntentSendsIdempotencyKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, canceledJSON))
	pi, err := New().CancelPaymentIntent(context.Background(), f.session(testKey), "pi_3Concord", "job-43")
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != "canceled" {
		t.Errorf("status = %s", pi.Status)
	}
	r := f.requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/payment_intents/pi_3Concord/cancel" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Idempotency-Key"); got != "job-43" {
		t.Errorf("Idempotency-Key = %q, want job-43", got)
	}

	_, err = New().CancelPaymentIntent(context.Background(), f.session(testKey), "pi_3Concord", "")
	mustConcordError(t, err, concord.EINVALID)
	_, err = New().CancelPaymentIntent(context.Background(), f.session(testKey), "pi_1/../../v1/customers", "k")
	mustConcordError(t, err, concord.EINVALID)
	if n := len(f.requests()); n != 1 {
		t.Errorf("made %d requests, want only the first", n)
	}
}

func TestRetrievePaymentIntent(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	pi, err := New().RetrievePaymentIntent(context.Background(), f.session(testKey), "pi_3Concord")
	if err != nil {
		t.Fatal(err)
	}
	if pi.Amount != 1000 || pi.Metadata["order"] != "SO-1" {
		t.Errorf("intent = %+v", pi)
	}
	if r := f.requests()[0]; r.Method != http.MethodGet || r.Path != "/v1/payment_intents/pi_3Concord" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
}

// stripe-go's own retries are off: the shared outbound client is the one place that retries.
func TestNoRetriesInsideStripeGo(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Stripe-Should-Retry", "true")
		reply(w, 503, `{"error":{"message":"Service unavailable","type":"api_error"}}`)
	})
	_, err := New().CreatePaymentIntent(context.Background(), f.session(testKey), PaymentIntentInput{Amount: 1, Currency: "usd"}, "k")
	if err == nil {
		t.Fatal("want an error")
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("made %d requests, want exactly 1", n)
	}
}
