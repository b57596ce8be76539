package ebay

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
)

// Key cache bounds: eBay rotates keys rarely, so a handful are live at once; the bound only
// matters when someone sends made-up key ids.
const (
	KeyCacheTTL  = time.Hour
	keyCacheSize = 64
	maxKeyBody   = 64 << 10
	maxKidLength = 128
)

// errUnknownKey marks a key id eBay says it does not have.
var errUnknownKey = errors.New("ebay: unknown public key id")

// publicKey answers GET /commerce/notification/v1/public_key/{kid}.
type publicKey struct {
	Key       string `json:"key"`
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
}

// publicKeyFor returns the key for kid from the cache, or fetches and caches it.
func (c *Connector) publicKeyFor(ctx context.Context, s *connector.Session, kid string, now time.Time) (*ecdsa.PublicKey, error) {
	cache := c.keyCache()
	if k, ok := cache.Get(kid, now); ok {
		return k, nil
	}
	k, err := c.fetchPublicKey(ctx, s, kid)
	if err != nil {
		return nil, err
	}
	cache.Put(kid, k, now)
	return k, nil
}

// fetchPublicKey asks eBay for the key. A 400/404 means eBay has no such key (the delivery
// is refused); any other failure is an external one, so the intake answers 5xx and eBay
// retries.
func (c *Connector) fetchPublicKey(ctx context.Context, s *connector.Session, kid string) (*ecdsa.PublicKey, error) {
	if s == nil || s.HTTP == nil || strings.TrimSpace(s.APIBase) == "" {
		return nil, fmt.Errorf("ebay: session has no outbound HTTP client or API base")
	}
	u := strings.TrimRight(s.APIBase, "/") + "/commerce/notification/v1/public_key/" + url.PathEscape(kid)
	req, err := http.NewRequestWithContext(connector.WithOperation(ctx, "notification.public_key.get"), http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("ebay: public key request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.Authorize != nil {
		if err := c.Authorize(ctx, s, req); err != nil {
			return nil, fmt.Errorf("ebay: authorize public key request: %w", err)
		}
	}
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return nil, connector.KeyFetchError("ebay", 0, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyBody))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest:
		return nil, errUnknownKey
	case resp.StatusCode != http.StatusOK:
		return nil, connector.KeyFetchError("ebay", resp.StatusCode, nil)
	case err != nil:
		return nil, connector.KeyFetchError("ebay", 0, err)
	}
	var pk publicKey
	if err := json.Unmarshal(body, &pk); err != nil {
		return nil, connector.KeyFetchError("ebay", 0, fmt.Errorf("public key answer is not JSON: %w", err))
	}
	key, err := parsePublicKey(pk.Key)
	if err != nil {
		return nil, connector.KeyFetchError("ebay", 0, err)
	}
	return key, nil
}

// parsePublicKey reads an ECDSA SPKI key given as PEM (eBay sends it on one line, which
// encoding/pem refuses, so the armour is stripped by hand) or as bare base64.
func parsePublicKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "-----BEGIN PUBLIC KEY-----"); i >= 0 {
		s = s[i+len("-----BEGIN PUBLIC KEY-----"):]
		end := strings.Index(s, "-----END PUBLIC KEY-----")
		if end < 0 {
			return nil, errors.New("public key PEM has no end line")
		}
		s = s[:end]
	}
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("public key is not base64 SPKI")
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key is not SPKI: %w", err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("public key is not ECDSA")
	}
	return ec, nil
}
