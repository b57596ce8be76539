package shippo

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

const (
	hmacSecret = "shippoHMACSecretForConcordTests000SECRET"
	urlToken   = "shippoURLTokenForConcordTests0000SECRET"
	trackBody  = `{"event":"track_updated","test":true,"data":{"carrier":"usps","tracking_number":"9205590164917312751089",` +
		`"tracking_status":{"status":"DELIVERED","status_details":"Delivered","status_date":"2025-01-02T15:04:05Z"},"metadata":"Order SO-1"}}`
	txBody = `{"event":"transaction_created","test":false,"data":{"object_id":"70ae8117ee1749e393f249d5b77c45e0",` +
		`"object_state":"VALID","status":"SUCCESS","object_updated":"2025-01-02T15:04:05.123Z","tracking_number":"1Z999"}}`
	batchBody = `{"event":"batch_created","test":true,"data":"batch 5ef63c54f0f0481e83fec1bed51d8c8c created"}`
)

var now = time.Unix(1_735_830_000, 0)

func sign(secret string, ts int64, body string) string {
	mac := connector.HMACSHA256([]byte(secret), []byte(fmt.Sprintf("%d.", ts)), []byte(body))
	return fmt.Sprintf("t=%d,v1=%s", ts, hex.EncodeToString(mac))
}

func delivery(sig, token, body string) *connector.WebhookRequest {
	h := http.Header{}
	if sig != "" {
		h.Set(SignatureHeader, sig)
	}
	u := &url.URL{Path: "/hooks/conn_test"}
	if token != "" {
		u.RawQuery = url.Values{TokenParam: {token}}.Encode()
	}
	return &connector.WebhookRequest{Method: http.MethodPost, URL: u, Header: h, Body: []byte(body), ReceivedAt: now}
}

func session(secret, token string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: map[string]string{FieldWebhookSecret: secret, FieldWebhookToken: token}}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	ts := now.Unix() - 20
	cases := []struct {
		name            string
		secret, token   string
		r               *connector.WebhookRequest
		reason          string
		typ, id, prefix string
		mode            concord.Mode
	}{
		{"hmac track", hmacSecret, "", delivery(sign(hmacSecret, ts, trackBody), "", trackBody), "", "track_updated",
			"", "track_updated:9205590164917312751089:2025-01-02T15:04:05Z:", concord.ModeSandbox},
		{"url token transaction", "", urlToken, delivery("", urlToken, txBody), "", "transaction_created",
			"", "transaction_created:70ae8117ee1749e393f249d5b77c45e0:2025-01-02T15:04:05.123Z:", concord.ModeProduction},
		{"secret stored, no header, token ok", hmacSecret, urlToken, delivery("", urlToken, batchBody), "", "batch_created",
			"", "batch_created:::", concord.ModeSandbox},
		{"token only, HMAC header ignored", "", urlToken, delivery("t=1,v1=00", urlToken, txBody), "", "transaction_created", "", "transaction_created:", concord.ModeProduction},
		{"nothing configured", "", "", delivery(sign(hmacSecret, ts, trackBody), urlToken, trackBody), connector.ReasonNotConfigured, "", "", "", ""},
		{"secret stored, nothing sent", hmacSecret, "", delivery("", "", trackBody), connector.ReasonMissingSignature, "", "", "", ""},
		{"token stored, nothing sent", "", urlToken, delivery("", "", trackBody), connector.ReasonMissingSignature, "", "", "", ""},
		{"wrong token", "", urlToken, delivery("", "guess", trackBody), connector.ReasonBadSignature, "", "", "", ""},
		{"bad hmac not rescued by token", hmacSecret, urlToken, delivery(sign("other", ts, trackBody), urlToken, trackBody), connector.ReasonBadSignature, "", "", "", ""},
		{"hmac for another body", hmacSecret, "", delivery(sign(hmacSecret, ts, txBody), "", trackBody), connector.ReasonBadSignature, "", "", "", ""},
		{"malformed header", hmacSecret, "", delivery("sha256=abc", "", trackBody), connector.ReasonMalformed, "", "", "", ""},
		{"expired", hmacSecret, "", delivery(sign(hmacSecret, now.Unix()-301, trackBody), "", trackBody), connector.ReasonStaleTimestamp, "", "", "", ""},
		{"future", hmacSecret, "", delivery(sign(hmacSecret, now.Unix()+301, trackBody), "", trackBody), connector.ReasonStaleTimestamp, "", "", "", ""},
		{"non-JSON", "", urlToken, delivery("", urlToken, "SECRET text"), connector.ReasonMalformed, "", "", "", ""},
		{"no event", "", urlToken, delivery("", urlToken, `{"data":{}}`), connector.ReasonMalformed, "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := New().VerifyWebhook(context.Background(), session(c.secret, c.token), c.r)
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ev.Type != c.typ || !strings.HasPrefix(ev.ProviderEventID, c.prefix) ||
					!strings.HasSuffix(ev.ProviderEventID, connector.SHA256Hex(c.r.Body)) || ev.Mode != c.mode {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != c.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, c.reason)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "guess") {
				t.Fatalf("error %q quotes a secret or the body", err)
			}
		})
	}
}

func TestOccurredAtAndIsTest(t *testing.T) {
	t.Parallel()
	body := `{"event":"transaction_updated","is_test":true,"data":{"object_id":"abc","object_updated":"2025-01-02T15:04:05Z"}}`
	ev, err := New().VerifyWebhook(context.Background(), session("", urlToken), delivery("", urlToken, body))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Mode != concord.ModeSandbox || !ev.OccurredAt.Equal(time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)) {
		t.Fatalf("event = %+v", ev)
	}
	// The same delivery retried has the same key; a new status has a new one.
	again, _ := New().VerifyWebhook(context.Background(), session("", urlToken), delivery("", urlToken, body))
	other, _ := New().VerifyWebhook(context.Background(), session("", urlToken), delivery("", urlToken, strings.Replace(body, "05Z", "06Z", 1)))
	if again.ProviderEventID != ev.ProviderEventID || other.ProviderEventID == ev.ProviderEventID {
		t.Fatalf("dedupe keys: %s %s %s", ev.ProviderEventID, again.ProviderEventID, other.ProviderEventID)
	}
}
