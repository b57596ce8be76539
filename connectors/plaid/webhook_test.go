package plaid

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, 0, "")
	key := ks.addKey(t, "kid-current", nil)
	other := ks.addKey(t, "kid-other", nil)
	expired := now.Unix() - 60
	old := ks.addKey(t, "kid-expired", &expired)
	later := now.Unix() + 3600
	soon := ks.addKey(t, "kid-expiring-later", &later)

	good := claimsFor(hookBody, now.Unix()-10)
	prodBody := strings.Replace(hookBody, `"sandbox"`, `"production"`, 1)
	cases := []struct {
		name, jwt, body, reason string
		mode                    concord.Mode
	}{
		{"valid sandbox", jwtFor(t, key, header("kid-current"), good, nil), hookBody, "", concord.ModeSandbox},
		{"valid production", jwtFor(t, key, header("kid-current"), claimsFor(prodBody, now.Unix()), nil), prodBody, "", concord.ModeProduction},
		{"iat 4 min in the future", jwtFor(t, key, header("kid-current"), claimsFor(hookBody, now.Unix()+240), nil), hookBody, "", concord.ModeSandbox},
		{"missing header", "", hookBody, connector.ReasonMissingSignature, ""},
		{"not a JWT", "abc.def", hookBody, connector.ReasonMalformed, ""},
		{"tampered body", jwtFor(t, key, header("kid-current"), good, nil), strings.Replace(hookBody, "true", "false", 1), connector.ReasonBadSignature, ""},
		{"alg none", jwtFor(t, key, `{"alg":"none","kid":"kid-current"}`, good, func([]byte) []byte { return nil }), hookBody, connector.ReasonBadSignature, ""},
		{"alg HS256 keyed with the public key id", jwtFor(t, key, `{"alg":"HS256","kid":"kid-current"}`, good, func(s []byte) []byte {
			m := hmac.New(sha256.New, []byte("kid-current"))
			m.Write(s)
			return m.Sum(nil)
		}), hookBody, connector.ReasonBadSignature, ""},
		{"alg ES384", jwtFor(t, key, `{"alg":"ES384","kid":"kid-current"}`, good, nil), hookBody, connector.ReasonBadSignature, ""},
		{"no kid", jwtFor(t, key, `{"alg":"ES256"}`, good, nil), hookBody, connector.ReasonMalformed, ""},
		{"old iat", jwtFor(t, key, header("kid-current"), claimsFor(hookBody, now.Unix()-301), nil), hookBody, connector.ReasonStaleTimestamp, ""},
		{"future iat", jwtFor(t, key, header("kid-current"), claimsFor(hookBody, now.Unix()+301), nil), hookBody, connector.ReasonStaleTimestamp, ""},
		{"no iat", jwtFor(t, key, header("kid-current"), `{"request_body_sha256":"00"}`, nil), hookBody, connector.ReasonMalformed, ""},
		{"wrong kid", jwtFor(t, key, header("kid-unknown"), good, nil), hookBody, connector.ReasonUnknownKey, ""},
		{"signed by another key", jwtFor(t, other, header("kid-current"), good, nil), hookBody, connector.ReasonBadSignature, ""},
		{"expired key", jwtFor(t, old, header("kid-expired"), good, nil), hookBody, connector.ReasonUnknownKey, ""},
		{"key expiring later is still good", jwtFor(t, soon, header("kid-expiring-later"), good, nil), hookBody, "", concord.ModeSandbox},
		{"DER signature instead of r||s", jwtFor(t, key, header("kid-current"), good, func(s []byte) []byte {
			sum := sha256.Sum256(s)
			der, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
			return der
		}), hookBody, connector.ReasonBadSignature, ""},
		{"signed non-JSON", jwtFor(t, key, header("kid-current"), claimsFor("SECRET text", now.Unix()), nil), "SECRET text", connector.ReasonMalformed, ""},
		{"signed body without type", jwtFor(t, key, header("kid-current"), claimsFor(`{"item_id":"x"}`, now.Unix()), nil), `{"item_id":"x"}`, connector.ReasonMalformed, ""},
	}
	c := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.VerifyWebhook(context.Background(), ks.session(), delivery(tc.jwt, tc.body))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				wantID := "TRANSACTIONS:SYNC_UPDATES_AVAILABLE:wz666MBjYWTp2PDzzggYhM6oWWmBb:" + connector.SHA256Hex([]byte(tc.body))
				if ev.ProviderEventID != wantID || ev.Type != "TRANSACTIONS.SYNC_UPDATES_AVAILABLE" || ev.Mode != tc.mode || string(ev.Payload) != tc.body {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != tc.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, tc.reason)
			}
			for _, leak := range []string{"SECRET", secret, tc.body} {
				if strings.Contains(err.Error(), leak) {
					t.Fatalf("error %q quotes a secret or the body", err)
				}
			}
		})
	}
}

func TestKeyCacheHit(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, 0, "")
	key := ks.addKey(t, "kid-1", nil)
	c := New()
	for i := range 2 {
		jwt := jwtFor(t, key, header("kid-1"), claimsFor(hookBody, now.Unix()-int64(i)), nil)
		if _, err := c.VerifyWebhook(context.Background(), ks.session(), delivery(jwt, hookBody)); err != nil {
			t.Fatal(err)
		}
	}
	if n := ks.calls.Load(); n != 1 {
		t.Fatalf("key server called %d times for two webhooks, want 1", n)
	}
}

func TestKeyFetchFailureIsExternal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		code   string
		class  concord.ErrorClass
	}{
		{"plaid down", http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", concord.ClassUnavailable},
		{"rate limited", http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", concord.ClassRateLimited},
		{"our keys refused", http.StatusBadRequest, "INVALID_API_KEYS", concord.ClassAuthExpired},
	}
	for _, tc := range cases {
		ks := newKeyServer(t, tc.status, tc.code)
		key := ks.addKey(t, "kid-1", nil)
		jwt := jwtFor(t, key, header("kid-1"), claimsFor(hookBody, now.Unix()), nil)
		_, err := New().VerifyWebhook(context.Background(), ks.session(), delivery(jwt, hookBody))
		var we *connector.WebhookError
		var ee *connector.ExternalError
		if errors.As(err, &we) || !errors.As(err, &ee) || connector.ClassOf(err) != tc.class {
			t.Errorf("%s: err = %v, want *ExternalError of class %s", tc.name, err, tc.class)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error quotes the secret", tc.name)
		}
	}
	closed := newKeyServer(t, 0, "")
	closed.srv.Close()
	jwt := jwtFor(t, closed.addKey(t, "kid-1", nil), header("kid-1"), claimsFor(hookBody, now.Unix()), nil)
	if _, err := New().VerifyWebhook(context.Background(), closed.session(), delivery(jwt, hookBody)); connector.ClassOf(err) != concord.ClassUnavailable {
		t.Errorf("network failure: err = %v", err)
	}
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	_, err := New().VerifyWebhook(context.Background(), &connector.Session{}, delivery("a.b.c", hookBody))
	var we *connector.WebhookError
	if !errors.As(err, &we) || we.Reason != connector.ReasonNotConfigured {
		t.Fatalf("err = %v", err)
	}
}
