package shopify

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

// The checked vector from PROVIDERS.md.
const (
	vectorSecret = "my super secret key"
	vectorBody   = `{"foo": "bar"}`
	vectorHMAC   = "BYZrNci82WXXVcpILMQKS6L8TIyqfsM1ENCJd0bQEQ0="
)

const (
	appSecret = "shpss_ClientSecretForConcordTests00SECRET"
	orderBody = `{"id":820982911946154508,"email":"jon@example.com","name":"#9999","total_price":"403.00"}`
)

func sign(secret, body string) string {
	return base64.StdEncoding.EncodeToString(connector.HMACSHA256([]byte(secret), []byte(body)))
}

// delivery is a request carrying every header Shopify sends, signed for body with secret.
func delivery(secret, body string, received time.Time) *connector.WebhookRequest {
	h := http.Header{}
	h.Set(HeaderHMAC, sign(secret, body))
	h.Set(HeaderTopic, "orders/create")
	h.Set(HeaderShopDomain, "concord-dev.myshopify.com")
	h.Set(HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(HeaderEventID, "98880550-7158-44b4-b7ce-4c5cb6a1e3a3")
	h.Set(HeaderAPIVersion, "2025-07")
	h.Set(HeaderTriggeredAt, "2025-07-01T12:00:00.123456789Z")
	return &connector.WebhookRequest{Method: http.MethodPost, Header: h, Body: []byte(body), ReceivedAt: received}
}

func session(secret string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: map[string]string{FieldClientSecret: secret}}
}

var received = time.Date(2025, 7, 1, 12, 0, 5, 0, time.UTC)

func TestVerifyWebhookVector(t *testing.T) {
	t.Parallel()
	if got := sign(vectorSecret, vectorBody); got != vectorHMAC {
		t.Fatalf("HMAC = %s, want the PROVIDERS.md vector %s", got, vectorHMAC)
	}
	r := delivery(vectorSecret, vectorBody, received)
	r.Header.Set(HeaderHMAC, vectorHMAC)
	ev, err := New().VerifyWebhook(context.Background(), session(vectorSecret), r)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ProviderEventID != "98880550-7158-44b4-b7ce-4c5cb6a1e3a3" || ev.Type != "orders/create" ||
		!ev.OccurredAt.Equal(time.Date(2025, 7, 1, 12, 0, 0, 123456789, time.UTC)) || string(ev.Payload) != vectorBody {
		t.Fatalf("event = %+v", ev)
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		secret string
		edit   func(r *connector.WebhookRequest)
		reason string
	}{
		{"valid", appSecret, func(*connector.WebhookRequest) {}, ""},
		{"no triggered-at", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderTriggeredAt) }, ""},
		{"not configured", "", func(*connector.WebhookRequest) {}, connector.ReasonNotConfigured},
		{"missing header", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderHMAC) }, connector.ReasonMissingSignature},
		{"not base64", appSecret, func(r *connector.WebhookRequest) { r.Header.Set(HeaderHMAC, "%%%") }, connector.ReasonMalformed},
		{"truncated", appSecret, func(r *connector.WebhookRequest) { r.Header.Set(HeaderHMAC, "BYZrNci82WXXVcpI") }, connector.ReasonMalformed},
		{"hex instead of base64", appSecret, func(r *connector.WebhookRequest) {
			r.Header.Set(HeaderHMAC, strings.Repeat("ab", 32))
		}, connector.ReasonMalformed},
		{"signature for another body", appSecret, func(r *connector.WebhookRequest) { r.Header.Set(HeaderHMAC, sign(appSecret, vectorBody)) }, connector.ReasonBadSignature},
		{"wrong secret", appSecret, func(r *connector.WebhookRequest) { r.Header.Set(HeaderHMAC, sign(vectorSecret, orderBody)) }, connector.ReasonBadSignature},
		{"body changed", appSecret, func(r *connector.WebhookRequest) { r.Body = append(r.Body, ' ') }, connector.ReasonBadSignature},
		{"no event id", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderEventID) }, connector.ReasonMalformed},
		{"no topic", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderTopic) }, connector.ReasonMalformed},
		{"no shop", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderShopDomain) }, connector.ReasonMalformed},
		{"no webhook id", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderWebhookID) }, connector.ReasonMalformed},
		{"no api version", appSecret, func(r *connector.WebhookRequest) { r.Header.Del(HeaderAPIVersion) }, connector.ReasonMalformed},
		{"bad triggered-at", appSecret, func(r *connector.WebhookRequest) { r.Header.Set(HeaderTriggeredAt, "yesterday") }, connector.ReasonMalformed},
		{"signed non-JSON", appSecret, func(r *connector.WebhookRequest) {
			r.Body = []byte("SECRET plain text")
			r.Header.Set(HeaderHMAC, sign(appSecret, string(r.Body)))
		}, connector.ReasonMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := delivery(appSecret, orderBody, received)
			c.edit(r)
			ev, err := New().VerifyWebhook(context.Background(), session(c.secret), r)
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ev.ProviderEventID == "" || ev.Type != "orders/create" || string(ev.Payload) != orderBody {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != c.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, c.reason)
			}
			for _, leak := range []string{"SECRET", appSecret, string(r.Body)} {
				if strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q quotes a secret or the body", err)
				}
			}
		})
	}
}

func TestStale(t *testing.T) {
	t.Parallel()
	// A day-old delivery still verifies; Stale is how the intake tells.
	r := delivery(appSecret, orderBody, received.Add(25*time.Hour))
	c := New()
	ev, err := c.VerifyWebhook(context.Background(), session(appSecret), r)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Stale(ev.OccurredAt, r.ReceivedAt) {
		t.Fatal("25 h old delivery not stale")
	}
	if c.Stale(ev.OccurredAt, received) || c.Stale(time.Time{}, received) {
		t.Fatal("fresh or undated delivery reported stale")
	}
	short := &Connector{StaleAfter: time.Second}
	if !short.Stale(ev.OccurredAt, received) {
		t.Fatal("StaleAfter not honoured")
	}
}

// FuzzParseShopifyHMAC proves no header value makes the parser or the verifier panic, and
// that nothing but the right HMAC is accepted.
func FuzzParseShopifyHMAC(f *testing.F) {
	f.Add(vectorHMAC)
	f.Add("")
	f.Add("====")
	f.Add(strings.Repeat("A", 44))
	f.Fuzz(func(t *testing.T, header string) {
		if b, err := parseShopifyHMAC(header); err == nil && len(b) != 32 {
			t.Fatalf("parsed %d bytes", len(b))
		}
		r := delivery(vectorSecret, orderBody, received)
		r.Header.Set(HeaderHMAC, header)
		if _, err := New().VerifyWebhook(context.Background(), session(vectorSecret), r); err == nil && header != sign(vectorSecret, orderBody) {
			if b, _ := parseShopifyHMAC(header); string(b) != string(connector.HMACSHA256([]byte(vectorSecret), []byte(orderBody))) {
				t.Fatalf("accepted forged header %q", header)
			}
		}
	})
}
