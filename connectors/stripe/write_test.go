package stripe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func TestWriteOperations(t *testing.T) {
	t.Parallel()
	got := New().WriteOperations()
	if strings.Join(got, ",") != "payment_intent.create,payment_intent.cancel" {
		t.Fatalf("WriteOperations = %v", got)
	}
}

func TestWriteCreate(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	out, err := New().Write(context.Background(), f.session(testKey), connector.Write{
		Operation:      "payment_intent.create",
		Payload:        json.RawMessage(`{"amount":1000,"currency":"usd","payment_method":"pm_card_visa","confirm":true,"customer":"cus_Concord","metadata":{"order":"SO-1"}}`),
		IdempotencyKey: "job-7",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The object exactly as Stripe sent it, including fields stripe-go does not model.
	if string(out) != intentJSON {
		t.Errorf("Write = %s, want Stripe's body", out)
	}
	r := f.requests()[0]
	if r.Header.Get("Idempotency-Key") != "job-7" || r.Form.Get("metadata[order]") != "SO-1" || r.Form.Get("customer") != "cus_Concord" {
		t.Errorf("request header/form = %v / %v", r.Header.Get("Idempotency-Key"), r.Form)
	}
}

func TestWriteCancel(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, canceledJSON))
	out, err := New().Write(context.Background(), f.session(testKey), connector.Write{
		Operation: "payment_intent.cancel", Payload: json.RawMessage(`{"id":"pi_3Concord"}`), IdempotencyKey: "job-8",
	})
	if err != nil {
		t.Fatal(err)
	}
	var pi struct{ Status string }
	if err := json.Unmarshal(out, &pi); err != nil || pi.Status != "canceled" {
		t.Errorf("Write = %s (%v)", out, err)
	}
	r := f.requests()[0]
	if r.Path != "/v1/payment_intents/pi_3Concord/cancel" || r.Header.Get("Idempotency-Key") != "job-8" {
		t.Errorf("request = %s, Idempotency-Key %q", r.Path, r.Header.Get("Idempotency-Key"))
	}
}

func TestWriteRefusesBadJobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w    connector.Write
		mode concord.Mode
		code string
		want string
	}{
		{"bad json", connector.Write{Operation: "payment_intent.create", Payload: json.RawMessage(`{"amount":`), IdempotencyKey: "k"},
			"", concord.EINVALID, "payload is not valid"},
		{"empty payload", connector.Write{Operation: "payment_intent.create", IdempotencyKey: "k"},
			"", concord.EINVALID, "payload is empty"},
		{"misspelt field", connector.Write{Operation: "payment_intent.create", Payload: json.RawMessage(`{"ammount":1000,"currency":"usd"}`), IdempotencyKey: "k"},
			"", concord.EINVALID, `unknown field "ammount"`},
		{"amount as string", connector.Write{Operation: "payment_intent.create", Payload: json.RawMessage(`{"amount":"1000","currency":"usd"}`), IdempotencyKey: "k"},
			"", concord.EINVALID, "payload is not valid"},
		{"missing currency", connector.Write{Operation: "payment_intent.create", Payload: json.RawMessage(`{"amount":1000}`), IdempotencyKey: "k"},
			"", concord.EINVALID, "currency"},
		{"cancel without id", connector.Write{Operation: "payment_intent.cancel", Payload: json.RawMessage(`{}`), IdempotencyKey: "k"},
			"", concord.EINVALID, "needs the id"},
		{"cancel with another object's id", connector.Write{Operation: "payment_intent.cancel", Payload: json.RawMessage(`{"id":"ch_1"}`), IdempotencyKey: "k"},
			"", concord.EINVALID, "starting with pi_"},
		{"no idempotency key", connector.Write{Operation: "payment_intent.cancel", Payload: json.RawMessage(`{"id":"pi_1"}`)},
			"", concord.EINVALID, "idempotency key is required"},
		{"unknown operation", connector.Write{Operation: "refund.create", Payload: json.RawMessage(`{}`), IdempotencyKey: "k"},
			"", concord.EINVALID, `no write operation "refund.create"`},
		{"test key in a production entity", connector.Write{Operation: "payment_intent.cancel", Payload: json.RawMessage(`{"id":"pi_1"}`), IdempotencyKey: "k"},
			concord.ModeProduction, concord.EMODEMISMATCH, "test key but the entity is in production mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer(200, intentJSON))
			s := f.session(testKey)
			s.EntityMode = tt.mode
			_, err := New().Write(context.Background(), s, tt.w)
			ce := mustConcordError(t, err, tt.code)
			if !strings.Contains(ce.Message, tt.want) {
				t.Errorf("message %q does not contain %q", ce.Message, tt.want)
			}
			wantClass := concord.ClassValidation
			if tt.code == concord.EMODEMISMATCH {
				wantClass = concord.ClassModeMismatch
			}
			if ce.Class != wantClass {
				t.Errorf("class = %q, want %q", ce.Class, wantClass)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("made %d requests, want none", n)
			}
		})
	}
}

func TestWriteCarriesStripeFailureClass(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(402, `{"error":{"code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","type":"card_error"}}`))
	_, err := New().Write(context.Background(), f.session(testKey), connector.Write{
		Operation: "payment_intent.create", Payload: json.RawMessage(`{"amount":1000,"currency":"usd","payment_method":"pm_card_chargeDeclined","confirm":true}`), IdempotencyKey: "k",
	})
	if got := connector.ClassOf(err); got != concord.ClassValidation || got.Retryable() {
		t.Fatalf("class = %q (%v), want validation, not retryable", got, err)
	}
}
