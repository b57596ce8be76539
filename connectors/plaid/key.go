package plaid

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Key cache bounds. Plaid rotates verification keys and marks old ones with expired_at;
// an hour keeps a rotation visible soon while a burst of webhooks costs one fetch.
const (
	KeyCacheTTL  = time.Hour
	keyCacheSize = 64
	maxKeyBody   = 64 << 10
)

// errUnknownKey marks a key id Plaid says it does not have.
var errUnknownKey = errors.New("plaid: unknown verification key id")

// verificationKey is a Plaid verification key, parsed.
type verificationKey struct {
	pub       *ecdsa.PublicKey
	expiredAt int64 // unix seconds; 0 = not expired
}

// jwk is JWKPublicKey of /webhook_verification_key/get.
type jwk struct {
	Alg       string `json:"alg"`
	Crv       string `json:"crv"`
	Kid       string `json:"kid"`
	Kty       string `json:"kty"`
	Use       string `json:"use"`
	X         string `json:"x"`
	Y         string `json:"y"`
	CreatedAt int64  `json:"created_at"`
	ExpiredAt *int64 `json:"expired_at"`
}

// plaidError is Plaid's error body.
type plaidError struct {
	ErrorType    string `json:"error_type"`
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
}

// keyFor returns the key for kid from the cache or from Plaid.
func (c *Connector) keyFor(ctx context.Context, s *connector.Session, kid string, now time.Time) (verificationKey, error) {
	cache := c.keyCache()
	if k, ok := cache.Get(kid, now); ok {
		return k, nil
	}
	k, err := fetchKey(ctx, s, kid)
	if err != nil {
		return verificationKey{}, err
	}
	cache.Put(kid, k, now)
	return k, nil
}

// fetchKey asks Plaid for the JWK. Plaid answers an unknown key id with a 400; an
// INVALID_API_KEYS answer is our credential's fault, not the delivery's, so it is an
// external error like a network failure (the intake answers 5xx and Plaid retries).
func fetchKey(ctx context.Context, s *connector.Session, kid string) (verificationKey, error) {
	if s.HTTP == nil || strings.TrimSpace(s.APIBase) == "" {
		return verificationKey{}, fmt.Errorf("plaid: session has no outbound HTTP client or API base")
	}
	reqBody, err := json.Marshal(map[string]string{
		"client_id": s.Credentials[FieldClientID], "secret": s.Credentials[FieldSecret], "key_id": kid,
	})
	if err != nil {
		return verificationKey{}, err
	}
	u := strings.TrimRight(s.APIBase, "/") + "/webhook_verification_key/get"
	req, err := http.NewRequestWithContext(connector.WithOperation(ctx, "webhook_verification_key.get"), http.MethodPost, u, bytes.NewReader(reqBody))
	if err != nil {
		return verificationKey{}, fmt.Errorf("plaid: verification key request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Plaid-Version", "2020-09-14")
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return verificationKey{}, connector.KeyFetchError("plaid", 0, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyBody))
	if err != nil {
		return verificationKey{}, connector.KeyFetchError("plaid", 0, err)
	}
	if resp.StatusCode != http.StatusOK {
		var pe plaidError
		_ = json.Unmarshal(body, &pe)
		if pe.ErrorCode == "INVALID_API_KEYS" {
			return verificationKey{}, fmt.Errorf("plaid: fetch webhook key: %w", &connector.ExternalError{
				Class: concord.ClassAuthExpired, StatusCode: resp.StatusCode, Code: pe.ErrorCode,
				Message: "client_id/secret refused when fetching the webhook verification key",
			})
		}
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound {
			return verificationKey{}, errUnknownKey
		}
		return verificationKey{}, connector.KeyFetchError("plaid", resp.StatusCode, nil)
	}
	var out struct {
		Key jwk `json:"key"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return verificationKey{}, connector.KeyFetchError("plaid", 0, fmt.Errorf("verification key answer is not JSON: %w", err))
	}
	k, err := parseJWK(out.Key, kid)
	if err != nil {
		return verificationKey{}, connector.KeyFetchError("plaid", 0, err)
	}
	return k, nil
}

// parseJWK turns a P-256 JWK into a public key, refusing any other kind or a key whose id
// is not the one asked for.
func parseJWK(k jwk, kid string) (verificationKey, error) {
	if k.Kty != "EC" || k.Crv != "P-256" || (k.Alg != "" && k.Alg != "ES256") || k.Kid != kid {
		return verificationKey{}, errors.New("verification key is not the P-256 ES256 key asked for")
	}
	x, err1 := base64.RawURLEncoding.DecodeString(k.X)
	y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
	if err1 != nil || err2 != nil || len(x) > 32 || len(y) > 32 {
		return verificationKey{}, errors.New("verification key coordinates are not base64url P-256")
	}
	point := make([]byte, 65)
	point[0] = 4
	copy(point[33-len(x):33], x)
	copy(point[65-len(y):], y)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return verificationKey{}, fmt.Errorf("verification key is not a P-256 point: %w", err)
	}
	out := verificationKey{pub: pub}
	if k.ExpiredAt != nil {
		out.expiredAt = *k.ExpiredAt
	}
	return out, nil
}
