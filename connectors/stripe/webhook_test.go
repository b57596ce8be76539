package stripe

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// The checked vector from PROVIDERS.md.
const (
	vectorSecret = "whsec_test_secret"
	vectorTime   = 1495999758
	vectorBody   = `{"id":"evt_test_webhook","object":"event"}`
	vectorSig    = "bd9584a798a9bd54c579fb7780e70d915eb8f35bcacc651f9a06a3cce74be871"
)

const (
	hookSecret = "whsec_CurrentSecretForConcordTests0000SECRET"
	oldSecret  = "whsec_PreviousSecretForConcordTests000SECRET"
	eventBody  = `{"id":"evt_1Concord","object":"event","type":"payment_intent.succeeded",` +
		`"livemode":true,"created":1700000000,"data":{"object":{"id":"pi_3Concord","object":"payment_intent"}}}`
)

func sign(secret string, ts int64, body string) string {
	return hex.EncodeToString(connector.HMACSHA256([]byte(secret), []byte(fmt.Sprintf("%d.", ts)), []byte(body)))
}

func delivery(header, body string, received time.Time) *connector.WebhookRequest {
	h := http.Header{}
	if header != "" {
		h.Set(SignatureHeader, header)
	}
	return &connector.WebhookRequest{Method: http.MethodPost, Header: h, Body: []byte(body), ReceivedAt: received}
}

func hookSession(creds map[string]string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: creds, Config: map[string]string{}}
}

func TestVerifyWebhookVector(t *testing.T) {
	t.Parallel()
	if got := sign(vectorSecret, vectorTime, vectorBody); got != vectorSig {
		t.Fatalf("signature = %s, want the PROVIDERS.md vector %s", got, vectorSig)
	}
	r := delivery(fmt.Sprintf("t=%d,v1=%s", vectorTime, vectorSig), vectorBody, time.Unix(vectorTime+5, 0))
	ev, err := New().VerifyWebhook(context.Background(), hookSession(map[string]string{FieldWebhookSecret: vectorSecret}), r)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ProviderEventID != "evt_test_webhook" || ev.Mode != "" || string(ev.Payload) != vectorBody {
		t.Fatalf("event = %+v", ev)
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000100, 0)
	ts := now.Unix() - 30
	good := sign(hookSecret, ts, eventBody)
	both := map[string]string{FieldWebhookSecret: hookSecret, FieldWebhookSecretPrevious: oldSecret}
	only := map[string]string{FieldWebhookSecret: hookSecret}
	cases := []struct {
		name   string
		creds  map[string]string
		header string
		body   string
		reason string // "" = accepted
	}{
		{"valid", only, fmt.Sprintf("t=%d,v1=%s", ts, good), eventBody, ""},
		{"several v1, second matches", only, fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, strings.Repeat("ab", 32), good), eventBody, ""},
		{"v0 ignored", only, fmt.Sprintf("t=%d,v0=%s,v1=%s", ts, strings.Repeat("00", 32), good), eventBody, ""},
		{"signed with previous secret during overlap", both, fmt.Sprintf("t=%d,v1=%s", ts, sign(oldSecret, ts, eventBody)), eventBody, ""},
		{"previous secret without overlap", only, fmt.Sprintf("t=%d,v1=%s", ts, sign(oldSecret, ts, eventBody)), eventBody, connector.ReasonBadSignature},
		{"not configured", map[string]string{}, fmt.Sprintf("t=%d,v1=%s", ts, good), eventBody, connector.ReasonNotConfigured},
		{"missing header", only, "", eventBody, connector.ReasonMissingSignature},
		{"malformed header", only, "v1=" + good, eventBody, connector.ReasonMalformed},
		{"malformed timestamp", only, "t=soon,v1=" + good, eventBody, connector.ReasonMalformed},
		{"signature for another body", only, fmt.Sprintf("t=%d,v1=%s", ts, sign(hookSecret, ts, vectorBody)), eventBody, connector.ReasonBadSignature},
		{"signature for another timestamp", only, fmt.Sprintf("t=%d,v1=%s", ts+1, good), eventBody, connector.ReasonBadSignature},
		{"expired timestamp", only, fmt.Sprintf("t=%d,v1=%s", now.Unix()-301, sign(hookSecret, now.Unix()-301, eventBody)), eventBody, connector.ReasonStaleTimestamp},
		{"future timestamp", only, fmt.Sprintf("t=%d,v1=%s", now.Unix()+301, sign(hookSecret, now.Unix()+301, eventBody)), eventBody, connector.ReasonStaleTimestamp},
		{"signed non-JSON", only, fmt.Sprintf("t=%d,v1=%s", ts, sign(hookSecret, ts, "not json SECRET")), "not json SECRET", connector.ReasonMalformed},
		{"signed event without id", only, fmt.Sprintf("t=%d,v1=%s", ts, sign(hookSecret, ts, `{"type":"x"}`)), `{"type":"x"}`, connector.ReasonMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := New().VerifyWebhook(context.Background(), hookSession(c.creds), delivery(c.header, c.body, now))
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				want := time.Unix(1700000000, 0).UTC()
				if ev.ProviderEventID != "evt_1Concord" || ev.Type != "payment_intent.succeeded" ||
					ev.Mode != concord.ModeProduction || !ev.OccurredAt.Equal(want) {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != c.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, c.reason)
			}
			for _, secret := range []string{"SECRET", hookSecret, oldSecret, c.body} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q quotes a secret or the body", err)
				}
			}
		})
	}
}

func TestVerifyWebhookTestMode(t *testing.T) {
	t.Parallel()
	body := `{"id":"evt_2","type":"payout.paid","livemode":false,"created":1700000000}`
	ts := int64(1700000000)
	r := delivery(fmt.Sprintf("t=%d,v1=%s", ts, sign(hookSecret, ts, body)), body, time.Unix(ts, 0))
	ev, err := New().VerifyWebhook(context.Background(), hookSession(map[string]string{FieldWebhookSecret: hookSecret}), r)
	if err != nil || ev.Mode != concord.ModeSandbox {
		t.Fatalf("event = %+v, err %v", ev, err)
	}
}

// FuzzParseStripeSignature feeds arbitrary Stripe-Signature headers through the verifier:
// whatever arrives, it must refuse or accept, never panic, and never accept an unsigned body.
func FuzzParseStripeSignature(f *testing.F) {
	f.Add(fmt.Sprintf("t=%d,v1=%s", vectorTime, vectorSig))
	f.Add("t=1,v1=,v1=zz,v0=00")
	f.Add("t=-9223372036854775808,v1=00")
	f.Add(",,,=,t=,v1")
	creds := map[string]string{FieldWebhookSecret: vectorSecret}
	f.Fuzz(func(t *testing.T, header string) {
		_, _ = connector.ParseTimestampedSignature(header)
		_, err := New().VerifyWebhook(context.Background(), hookSession(creds), delivery(header, `{"id":"evt_x"}`, time.Unix(vectorTime, 0)))
		if err == nil {
			t.Fatalf("accepted a forged header %q", header)
		}
	})
}
