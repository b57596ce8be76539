package ebay

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// eBay's published ECDSA vector (PROVIDERS.md).
const (
	vectorKid  = "9936261a-7d7b-4621-a0f1-96ccb428af49"
	vectorKey  = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZhhxXKtR+TOvtDbgTPCkSof02qgBB7IsYOyf76ilExJ/upAa/vKIKheOoCyOpcLmi4t0b4uepb7LLjmMr90FUg=="
	vectorSig  = "MEYCIQCfxfIWuxmWcIBQJ9c5/X7iGDJqs2RCGsBEaAjinyrrfAIhAIV6wGcTiBuV5KJUif2hokyrL+Q9ssHkad+mx2nEE25w"
	vectorBody = `{"metadata":{"topic":"MARKETPLACE_ACCOUNT_DELETION","schemaVersion":"1.0","deprecated":false},"notification":{"notificationId":"49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d","eventDate":"2021-03-19T20:43:59.462Z","publishDate":"2021-03-19T20:43:59.679Z","publishAttemptCount":1,"data":{"username":"test_user","userId":"ma8vp1jySJC","eiasToken":"nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ=="}}}`
	vectorID   = "49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d"
)

// keyServer serves public keys by id as eBay's Commerce Notification API does, counting calls.
type keyServer struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newKeyServer(t *testing.T, keys map[string]string, status int) *keyServer {
	t.Helper()
	ks := &keyServer{}
	ks.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.calls.Add(1)
		kid, ok := strings.CutPrefix(r.URL.Path, "/commerce/notification/v1/public_key/")
		key, known := keys[kid]
		switch {
		case status != 0:
			w.WriteHeader(status)
		case r.Method != http.MethodGet || !ok || !known:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"errorId":195001,"message":"not found"}]}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(publicKey{Key: key, Algorithm: "ECDSA", Digest: "SHA1"})
		}
	}))
	t.Cleanup(ks.srv.Close)
	return ks
}

func (ks *keyServer) session() *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", APIBase: ks.srv.URL, HTTP: &http.Client{Timeout: 5 * time.Second}}
}

func sigHeader(alg, kid, sig, digest string) string {
	b, _ := json.Marshal(signature{Alg: alg, Kid: kid, Signature: sig, Digest: digest})
	return base64.StdEncoding.EncodeToString(b)
}

func delivery(header, body string) *connector.WebhookRequest {
	h := http.Header{}
	if header != "" {
		h.Set(SignatureHeader, header)
	}
	return &connector.WebhookRequest{Method: http.MethodPost, Header: h, Body: []byte(body), ReceivedAt: time.Unix(1_700_000_000, 0)}
}

// ownKey is a P-256 key generated for the test, its public half as PEM.
func ownKey(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func signSHA256(t *testing.T, k *ecdsa.PrivateKey, body string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	der, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	own, ownPEM := ownKey(t)
	onePEM := "-----BEGIN PUBLIC KEY-----" + vectorKey + "-----END PUBLIC KEY-----"
	keys := map[string]string{vectorKid: vectorKey, "pem-one-line": onePEM, "own": ownPEM}
	good := sigHeader("ecdsa", vectorKid, vectorSig, "SHA1")
	ownBody := `{"metadata":{"topic":"ITEM_SOLD"},"notification":{"notificationId":"n-2","eventDate":"2025-01-02T03:04:05Z"}}`
	cases := []struct {
		name, header, body, reason, id string
	}{
		{"vector, bare base64 key", good, vectorBody, "", vectorID},
		{"vector, one-line PEM key", sigHeader("ECDSA", "pem-one-line", vectorSig, "SHA1"), vectorBody, "", vectorID},
		{"own key, PEM, SHA256", sigHeader("ecdsa", "own", signSHA256(t, own, ownBody), "SHA256"), ownBody, "", "n-2"},
		{"missing header", "", vectorBody, connector.ReasonMissingSignature, ""},
		{"header not base64", "%%%", vectorBody, connector.ReasonMalformed, ""},
		{"header not JSON", base64.StdEncoding.EncodeToString([]byte("nope")), vectorBody, connector.ReasonMalformed, ""},
		{"wrong alg", sigHeader("rsa", vectorKid, vectorSig, "SHA1"), vectorBody, connector.ReasonMalformed, ""},
		{"no kid", sigHeader("ecdsa", "", vectorSig, "SHA1"), vectorBody, connector.ReasonMalformed, ""},
		{"unsupported digest", sigHeader("ecdsa", vectorKid, vectorSig, "MD5"), vectorBody, connector.ReasonMalformed, ""},
		{"signature not base64", sigHeader("ecdsa", vectorKid, "***", "SHA1"), vectorBody, connector.ReasonMalformed, ""},
		{"signature for another body", good, strings.Replace(vectorBody, "test_user", "evil_user", 1), connector.ReasonBadSignature, ""},
		{"wrong digest for signature", sigHeader("ecdsa", vectorKid, vectorSig, "SHA256"), vectorBody, connector.ReasonBadSignature, ""},
		{"another key's signature", sigHeader("ecdsa", "own", vectorSig, "SHA1"), vectorBody, connector.ReasonBadSignature, ""},
		{"unknown kid", sigHeader("ecdsa", "no-such-kid", vectorSig, "SHA1"), vectorBody, connector.ReasonUnknownKey, ""},
		{"signed non-JSON", sigHeader("ecdsa", "own", signSHA256(t, own, "SECRET text"), "SHA256"), "SECRET text", connector.ReasonMalformed, ""},
		{"signed without id", sigHeader("ecdsa", "own", signSHA256(t, own, `{"x":1}`), "SHA256"), `{"x":1}`, connector.ReasonMalformed, ""},
	}
	ks := newKeyServer(t, keys, 0)
	c := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.VerifyWebhook(context.Background(), ks.session(), delivery(tc.header, tc.body))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ev.ProviderEventID != tc.id || ev.Type == "" || ev.OccurredAt.IsZero() || string(ev.Payload) != tc.body {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != tc.reason || we.Status != http.StatusPreconditionFailed {
				t.Fatalf("err = %v, want 412 %s", err, tc.reason)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "test_user") {
				t.Fatalf("error %q quotes the body", err)
			}
		})
	}
}

func TestVectorTopic(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, map[string]string{vectorKid: vectorKey}, 0)
	ev, err := New().VerifyWebhook(context.Background(), ks.session(), delivery(sigHeader("ecdsa", vectorKid, vectorSig, "SHA1"), vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "MARKETPLACE_ACCOUNT_DELETION" || !ev.OccurredAt.Equal(time.Date(2021, 3, 19, 20, 43, 59, 462e6, time.UTC)) {
		t.Fatalf("event = %+v", ev)
	}
}

func TestKeyCacheHit(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, map[string]string{vectorKid: vectorKey}, 0)
	c := New()
	for range 2 {
		if _, err := c.VerifyWebhook(context.Background(), ks.session(), delivery(sigHeader("ecdsa", vectorKid, vectorSig, "SHA1"), vectorBody)); err != nil {
			t.Fatal(err)
		}
	}
	if n := ks.calls.Load(); n != 1 {
		t.Fatalf("key server called %d times for two deliveries, want 1", n)
	}
	// An hour later the key is fetched again.
	r := delivery(sigHeader("ecdsa", vectorKid, vectorSig, "SHA1"), vectorBody)
	r.ReceivedAt = r.ReceivedAt.Add(KeyCacheTTL)
	if _, err := c.VerifyWebhook(context.Background(), ks.session(), r); err != nil || ks.calls.Load() != 2 {
		t.Fatalf("after TTL: err %v, calls %d", err, ks.calls.Load())
	}
}

func TestKeyFetchFailureIsExternal(t *testing.T) {
	t.Parallel()
	down := newKeyServer(t, nil, http.StatusServiceUnavailable)
	closed := newKeyServer(t, nil, 0)
	closed.srv.Close()
	for name, s := range map[string]*connector.Session{"503": down.session(), "network": closed.session()} {
		_, err := New().VerifyWebhook(context.Background(), s, delivery(sigHeader("ecdsa", vectorKid, vectorSig, "SHA1"), vectorBody))
		var we *connector.WebhookError
		var ee *connector.ExternalError
		if errors.As(err, &we) || !errors.As(err, &ee) || connector.ClassOf(err) != concord.ClassUnavailable {
			t.Errorf("%s: err = %v, want an unavailable *ExternalError", name, err)
		}
	}
}

func TestWebhookHandshake(t *testing.T) {
	t.Parallel()
	const (
		code     = "a8628072-3d33-45ee-9004-bee86830a22d"
		token    = "71745723-d031-455c-bfa5-f90d11b4f20a"
		endpoint = "http://www.testendpoint.com/webhook"
		want     = "ca527df75caa230092d7e90484071e8f05d63068f1317973d6a3a42593734bbb"
	)
	s := &connector.Session{Credentials: map[string]string{FieldVerificationToken: token}, Config: map[string]string{ConfigEndpointURL: endpoint}}
	get := func(rawQuery string) *connector.WebhookRequest {
		return &connector.WebhookRequest{Method: http.MethodGet, URL: &url.URL{Path: "/hooks/conn_test", RawQuery: rawQuery}, Header: http.Header{}}
	}
	resp, handled, err := New().WebhookHandshake(context.Background(), s, get("challenge_code="+code))
	if err != nil || !handled || resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("resp %+v handled %v err %v", resp, handled, err)
	}
	var got struct{ ChallengeResponse string }
	if err := json.Unmarshal(resp.Body, &got); err != nil || got.ChallengeResponse != want {
		t.Fatalf("body %s, want challengeResponse %s", resp.Body, want)
	}
	if _, handled, _ := New().WebhookHandshake(context.Background(), s, get("")); handled {
		t.Fatal("GET without challenge_code handled")
	}
	post := get("challenge_code=" + code)
	post.Method = http.MethodPost
	if _, handled, _ := New().WebhookHandshake(context.Background(), s, post); handled {
		t.Fatal("POST handled as a challenge")
	}
	_, handled, err = New().WebhookHandshake(context.Background(), &connector.Session{}, get("challenge_code="+code))
	var we *connector.WebhookError
	if !handled || !errors.As(err, &we) || we.Reason != connector.ReasonNotConfigured {
		t.Fatalf("unconfigured: handled %v err %v", handled, err)
	}
}
