package stripeemu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

func TestSignatureHeaderVector(t *testing.T) {
	t.Parallel()
	// PROVIDERS.md, "Test vectors (checked)".
	got := SignatureHeader("whsec_test_secret", 1495999758, []byte(`{"id":"evt_test_webhook","object":"event"}`))
	want := "t=1495999758,v1=bd9584a798a9bd54c579fb7780e70d915eb8f35bcacc651f9a06a3cce74be871"
	if got != want {
		t.Errorf("SignatureHeader = %s, want %s", got, want)
	}
}

// receiver is an httptest webhook endpoint that records what arrives and
// fails the first `fail` deliveries with 500.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	fail int
	got  []delivered
	seen chan struct{}
}

type delivered struct {
	body []byte
	hdr  http.Header
}

func newReceiver(t *testing.T, fail int) *receiver {
	rc := &receiver{fail: fail, seen: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		failing := rc.fail > 0
		if failing {
			rc.fail--
		} else {
			rc.got = append(rc.got, delivered{body, r.Header.Clone()})
		}
		rc.mu.Unlock()
		if failing {
			w.WriteHeader(500)
			return
		}
		rc.seen <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) wait(t *testing.T, n int) []delivered {
	t.Helper()
	for range n {
		select {
		case <-rc.seen:
		case <-time.After(5 * time.Second):
			t.Fatalf("webhook did not arrive")
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.got...)
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{WebhookBackoff: 10 * time.Millisecond})
	rc := newReceiver(t, 1) // first attempt fails: the retry must deliver
	ep, err := b.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(rc.srv.URL), EnabledEvents: stripe.StringSlice([]string{"payment_intent.succeeded"})})
	if err != nil || ep.Secret == "" || ep.Status != "enabled" || ep.Livemode {
		t.Fatalf("create endpoint: %v %+v", err, ep)
	}
	if got := b.e.Credentials().WebhookSecret; got != ep.Secret {
		t.Errorf("Credentials().WebhookSecret = %q, want the endpoint's", got)
	}
	if again, _ := b.sc.V1WebhookEndpoints.Retrieve(ctx, ep.ID, nil); again.Secret != "" {
		t.Errorf("secret shown after create")
	}
	// Another mode's endpoint and a disabled one must not get this event.
	other := newReceiver(t, 0)
	if _, err := b.live.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(other.srv.URL), EnabledEvents: stripe.StringSlice([]string{"*"})}); err != nil {
		t.Fatal(err)
	}
	off, _ := b.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(other.srv.URL), EnabledEvents: stripe.StringSlice([]string{"*"})})
	if off, err = b.sc.V1WebhookEndpoints.Update(ctx, off.ID, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)}); err != nil || off.Status != "disabled" {
		t.Fatalf("disable: %v", err)
	}

	pi := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	got := rc.wait(t, 1)
	d := got[0]
	ev, err := webhook.ConstructEvent(d.body, d.hdr.Get("Stripe-Signature"), ep.Secret)
	if err != nil {
		t.Fatalf("ConstructEvent: %v", err)
	}
	if ev.Type != "payment_intent.succeeded" || ev.Data.Object["id"] != pi.ID || ev.Livemode || ev.PendingWebhooks != 1 {
		t.Errorf("event = %s %v livemode=%v pending=%d", ev.Type, ev.Data.Object["id"], ev.Livemode, ev.PendingWebhooks)
	}
	if ct := d.hdr.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if ua := d.hdr.Get("User-Agent"); ua != "Stripe/1.0 (+https://stripe.com/docs/webhooks)" {
		t.Errorf("User-Agent = %q", ua)
	}
	if _, err := webhook.ConstructEvent(d.body, d.hdr.Get("Stripe-Signature"), "whsec_wrong"); err == nil {
		t.Errorf("wrong secret verified")
	}

	deadline := time.Now().Add(2 * time.Second)
	for {
		ds := b.e.Deliveries()
		if len(ds) == 1 && ds[0].Status == "succeeded" {
			if ds[0].Attempts != 2 || ds[0].StatusCode != 200 || ds[0].EventID != ev.ID {
				t.Errorf("delivery = %+v", ds[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %+v", ds)
		}
		time.Sleep(10 * time.Millisecond)
	}
	other.mu.Lock()
	if len(other.got) != 0 {
		t.Errorf("live or disabled endpoint got %d test-mode webhooks", len(other.got))
	}
	other.mu.Unlock()

	n := 0
	for range b.sc.V1WebhookEndpoints.List(ctx, nil) {
		n++
	}
	if n != 2 {
		t.Errorf("sandbox endpoints = %d", n)
	}
	del, err := b.sc.V1WebhookEndpoints.Delete(ctx, ep.ID, nil)
	if err != nil || !del.Deleted {
		t.Fatalf("delete: %v", err)
	}
	_, err = b.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String("not a url"),
		EnabledEvents: stripe.StringSlice([]string{"*"})})
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeURLInvalid)
}

func TestWebhookGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{WebhookBackoff: time.Millisecond, WebhookAttempts: 3})
	rc := newReceiver(t, 100)
	if _, err := b.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(rc.srv.URL), EnabledEvents: stripe.StringSlice([]string{"*"})}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		var out struct{ Deliveries []Delivery }
		b.control(t, "GET", "/_emulator/deliveries", nil, &out)
		if len(out.Deliveries) == 1 && out.Deliveries[0].Status == "failed" {
			if d := out.Deliveries[0]; d.Attempts != 3 || d.StatusCode != 500 || d.Error == "" || d.EventType != "customer.created" {
				t.Errorf("delivery = %+v", d)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %+v", out.Deliveries)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
