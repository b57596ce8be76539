package plaid

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

const (
	clientID = "5f1concordclientid00000"
	secret   = "plaidSecretForConcordTests0000SECRET"
	hookBody = `{"environment":"sandbox","historical_update_complete":false,"initial_update_complete":true,` +
		`"item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","webhook_code":"SYNC_UPDATES_AVAILABLE","webhook_type":"TRANSACTIONS"}`
)

var now = time.Unix(1_700_000_000, 0)

// keyServer answers /webhook_verification_key/get as Plaid does, from the keys it holds.
type keyServer struct {
	srv   *httptest.Server
	calls atomic.Int32
	keys  map[string]jwk
}

func newKeyServer(t *testing.T, status int, errorCode string) *keyServer {
	t.Helper()
	ks := &keyServer{keys: map[string]jwk{}}
	ks.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.calls.Add(1)
		var req map[string]string
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		k, ok := ks.keys[req["key_id"]]
		switch {
		case status != 0:
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error_type":"API_ERROR","error_code":%q,"error_message":"x"}`, errorCode)
		case r.Method != http.MethodPost || r.URL.Path != "/webhook_verification_key/get" || req["client_id"] != clientID || req["secret"] != secret:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error_type":"INVALID_INPUT","error_code":"INVALID_API_KEYS"}`))
		case !ok:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error_type":"INVALID_INPUT","error_code":"INVALID_WEBHOOK_VERIFICATION_KEY_ID"}`))
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"key": k, "request_id": "req1"})
		}
	}))
	t.Cleanup(ks.srv.Close)
	return ks
}

// addKey generates a P-256 key, publishes its JWK under kid and returns the private half.
func (ks *keyServer) addKey(t *testing.T, kid string, expiredAt *int64) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	ks.keys[kid] = jwk{Alg: "ES256", Crv: "P-256", Kid: kid, Kty: "EC", Use: "sig",
		X: b64(pt[1:33]), Y: b64(pt[33:]), CreatedAt: now.Unix() - 86400, ExpiredAt: expiredAt}
	return k
}

func (ks *keyServer) session() *connector.Session {
	return &connector.Session{
		ConnectionID: "conn_test", APIBase: ks.srv.URL, HTTP: &http.Client{Timeout: 5 * time.Second},
		Credentials: map[string]string{FieldClientID: clientID, FieldSecret: secret},
	}
}

// jwtFor builds a Plaid-Verification token; sig lets a case replace the signature.
func jwtFor(t *testing.T, k *ecdsa.PrivateKey, header, claims string, sig func(signed []byte) []byte) string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	signed := b64([]byte(header)) + "." + b64([]byte(claims))
	if sig != nil {
		return signed + "." + b64(sig([]byte(signed)))
	}
	sum := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	return signed + "." + b64(raw)
}

func claimsFor(body string, iat int64) string {
	sum := sha256.Sum256([]byte(body))
	return fmt.Sprintf(`{"iat":%d,"request_body_sha256":"%x"}`, iat, sum)
}

func header(kid string) string { return fmt.Sprintf(`{"alg":"ES256","kid":%q,"typ":"JWT"}`, kid) }

func delivery(jwt, body string) *connector.WebhookRequest {
	h := http.Header{}
	if jwt != "" {
		h.Set(VerificationHeader, jwt)
	}
	return &connector.WebhookRequest{Method: http.MethodPost, Header: h, Body: []byte(body), ReceivedAt: now}
}
