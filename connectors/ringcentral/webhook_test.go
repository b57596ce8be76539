package ringcentral

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

const (
	token = "rcVerificationTokenForConcordTests00SECRET"
	body  = `{"uuid":"5787233461836288066","event":"/restapi/v1.0/account/~/extension/~/message-store",` +
		`"timestamp":"2025-03-01T10:20:30.456Z","subscriptionId":"bc2e4b5c-5d39-4b07-b4b8-6b7b4dbf3e8f",` +
		`"ownerId":"400131464008","body":{"accountId":400131464008,"extensionId":400131464008,"changes":[{"type":"SMS","newCount":1}]}}`
)

func delivery(h map[string]string, b string) *connector.WebhookRequest {
	hdr := http.Header{}
	for k, v := range h {
		hdr.Set(k, v)
	}
	return &connector.WebhookRequest{Method: http.MethodPost, Header: hdr, Body: []byte(b), ReceivedAt: time.Now()}
}

func session(tok string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: map[string]string{FieldVerificationToken: tok}}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stored string
		header       map[string]string
		body, reason string
	}{
		{"valid", token, map[string]string{HeaderVerificationToken: token}, body, ""},
		{"no token stored", "", map[string]string{HeaderVerificationToken: token}, body, connector.ReasonNotConfigured},
		{"no token stored, none sent", "", nil, body, connector.ReasonNotConfigured},
		{"missing header", token, nil, body, connector.ReasonMissingSignature},
		{"wrong token", token, map[string]string{HeaderVerificationToken: "guess"}, body, connector.ReasonBadSignature},
		{"token prefix", token, map[string]string{HeaderVerificationToken: token[:10]}, body, connector.ReasonBadSignature},
		{"non-JSON", token, map[string]string{HeaderVerificationToken: token}, "SECRET text", connector.ReasonMalformed},
		{"no uuid", token, map[string]string{HeaderVerificationToken: token}, `{"event":"/x"}`, connector.ReasonMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := New().VerifyWebhook(context.Background(), session(c.stored), delivery(c.header, c.body))
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ev.ProviderEventID != "5787233461836288066" || ev.Type != "/restapi/v1.0/account/~/extension/~/message-store" ||
					!ev.OccurredAt.Equal(time.Date(2025, 3, 1, 10, 20, 30, 456e6, time.UTC)) || string(ev.Payload) != body {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != c.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, c.reason)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "guess") {
				t.Fatalf("error %q quotes a token or the body", err)
			}
		})
	}
}

func TestWebhookHandshake(t *testing.T) {
	t.Parallel()
	const vt = "a0a0c3f5-0d29-4d5a-9e6e-7c0d3bbf3e11"
	resp, handled, err := New().WebhookHandshake(context.Background(), session(""), delivery(map[string]string{HeaderValidationToken: vt}, ""))
	if err != nil || !handled || resp.Status != http.StatusOK || resp.Header.Get(HeaderValidationToken) != vt || len(resp.Body) != 0 {
		t.Fatalf("resp %+v handled %v err %v", resp, handled, err)
	}
	if _, handled, _ := New().WebhookHandshake(context.Background(), session(token), delivery(map[string]string{HeaderVerificationToken: token}, body)); handled {
		t.Fatal("a delivery was taken for a handshake")
	}
	_, handled, err = New().WebhookHandshake(context.Background(), session(""), delivery(map[string]string{HeaderValidationToken: strings.Repeat("x", 600)}, ""))
	var we *connector.WebhookError
	if !handled || !errors.As(err, &we) || we.Reason != connector.ReasonMalformed {
		t.Fatalf("oversized token: handled %v err %v", handled, err)
	}
}
