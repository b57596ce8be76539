package printnode

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

const token = "printnodeURLTokenForConcordTests000SECRET"

var now = time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)

func delivery(tok, body string) *connector.WebhookRequest {
	u := &url.URL{Path: "/hooks/conn_test"}
	if tok != "" {
		u.RawQuery = url.Values{TokenParam: {tok}}.Encode()
	}
	return &connector.WebhookRequest{Method: http.MethodPost, URL: u, Header: http.Header{}, Body: []byte(body), ReceivedAt: now}
}

func session(tok string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: map[string]string{FieldWebhookToken: tok}}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stored, sent, body, reason, typ, id string
	}{
		{"object with numeric id", token, token, `{"id":473,"event":"printjob.state","printJobId":1981}`, "", "printjob.state", "473"},
		{"object with string id and type", token, token, `{"id":"abc","type":"computer.state"}`, "", "computer.state", "abc"},
		{"array of events", token, token, `[{"printJobId":1981,"state":"done"}]`, "", HintType, "hint:"},
		{"object without id", token, token, `{"printJobId":1981}`, "", HintType, "hint:"},
		{"not configured", "", token, `{}`, connector.ReasonNotConfigured, "", ""},
		{"missing token", token, "", `{}`, connector.ReasonMissingSignature, "", ""},
		{"wrong token", token, "guess", `{}`, connector.ReasonBadSignature, "", ""},
		{"non-JSON", token, token, "SECRET text", connector.ReasonMalformed, "", ""},
		{"empty body", token, token, "", connector.ReasonMalformed, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := New().VerifyWebhook(context.Background(), session(c.stored), delivery(c.sent, c.body))
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !ev.Hint || ev.Type != c.typ || !strings.HasPrefix(ev.ProviderEventID, c.id) || string(ev.Payload) != c.body {
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

func TestHintKeyCollapsesOnlyWithinAMinute(t *testing.T) {
	t.Parallel()
	body := `{"printJobId":1981}`
	first, _ := New().VerifyWebhook(context.Background(), session(token), delivery(token, body))
	retry := delivery(token, body)
	retry.ReceivedAt = now.Add(30 * time.Second)
	second, _ := New().VerifyWebhook(context.Background(), session(token), retry)
	later := delivery(token, body)
	later.ReceivedAt = now.Add(2 * time.Minute)
	third, _ := New().VerifyWebhook(context.Background(), session(token), later)
	if first.ProviderEventID != second.ProviderEventID || first.ProviderEventID == third.ProviderEventID {
		t.Fatalf("keys %s %s %s", first.ProviderEventID, second.ProviderEventID, third.ProviderEventID)
	}
}
