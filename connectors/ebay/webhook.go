package ebay

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concordhub/concord/connector"
)

// FieldVerificationToken is the credential holding the verification token registered with
// eBay for the endpoint; ConfigEndpointURL is the config field holding that endpoint's URL
// exactly as registered. Both enter the challenge response.
const (
	FieldVerificationToken = "verification_token"
	ConfigEndpointURL      = "endpoint_url"
)

// SignatureHeader carries eBay's notification signature.
const SignatureHeader = "X-EBAY-SIGNATURE"

// Connector is the eBay connector. It keeps one piece of shared state: the cache of eBay's
// notification public keys by key id (they are eBay's, not a connection's, so every
// connection may share them). Use New; the zero value also works.
type Connector struct {
	// Authorize, when set, adds credentials to the public key request (the real API wants an
	// application access token; the API client that mints it plugs in here). Set it before
	// first use.
	Authorize func(ctx context.Context, s *connector.Session, req *http.Request) error

	once sync.Once
	keys *connector.KeyCache[*ecdsa.PublicKey]
}

// New returns the eBay connector.
func New() *Connector { return &Connector{} }

var (
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookHandshaker = (*Connector)(nil)
)

func (c *Connector) keyCache() *connector.KeyCache[*ecdsa.PublicKey] {
	c.once.Do(func() { c.keys = connector.NewKeyCache[*ecdsa.PublicKey](KeyCacheTTL, keyCacheSize) })
	return c.keys
}

// signature is the decoded X-EBAY-SIGNATURE header.
type signature struct {
	Alg       string `json:"alg"`
	Kid       string `json:"kid"`
	Signature string `json:"signature"`
	Digest    string `json:"digest"`
}

// notification is the part of the body the intake needs.
type notification struct {
	Metadata struct {
		Topic string `json:"topic"`
	} `json:"metadata"`
	Notification struct {
		NotificationID string `json:"notificationId"`
		EventDate      string `json:"eventDate"`
	} `json:"notification"`
}

// VerifyWebhook decodes X-EBAY-SIGNATURE, fetches (or reuses) the public key it names and
// verifies the DER ECDSA signature over the raw body with the digest the header names (SHA1
// as eBay sends, SHA256 accepted). The notification id is the dedupe key, the metadata
// topic the type. Refusals are 412, as eBay expects; a failed key fetch is an external
// error (the intake answers 5xx and eBay retries).
func (c *Connector) VerifyWebhook(ctx context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	const status = http.StatusPreconditionFailed
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, reason, "ebay: "+detail)
	}
	header := strings.TrimSpace(r.Header.Get(SignatureHeader))
	if header == "" {
		return reject(connector.ReasonMissingSignature, "no "+SignatureHeader+" header")
	}
	sig, der, err := parseSignatureHeader(header)
	if err != nil {
		return reject(connector.ReasonMalformed, err.Error())
	}
	var digest []byte
	switch strings.ToUpper(sig.Digest) {
	case "SHA1":
		sum := sha1.Sum(r.Body)
		digest = sum[:]
	case "SHA256":
		sum := sha256.Sum256(r.Body)
		digest = sum[:]
	default:
		return reject(connector.ReasonMalformed, "unsupported digest")
	}
	key, err := c.publicKeyFor(ctx, s, sig.Kid, connector.WebhookNow(r))
	if errors.Is(err, errUnknownKey) {
		return reject(connector.ReasonUnknownKey, "eBay has no public key with this id")
	}
	if err != nil {
		return connector.WebhookEvent{}, err
	}
	if !ecdsa.VerifyASN1(key, digest, der) {
		return reject(connector.ReasonBadSignature, "ECDSA signature does not match the body")
	}
	var n notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		return reject(connector.ReasonMalformed, "body is not a JSON notification")
	}
	if n.Notification.NotificationID == "" {
		return reject(connector.ReasonMalformed, "notification has no notificationId")
	}
	ev := connector.WebhookEvent{
		ProviderEventID: n.Notification.NotificationID,
		Type:            n.Metadata.Topic,
		Payload:         json.RawMessage(r.Body),
	}
	if t, err := time.Parse(time.RFC3339Nano, n.Notification.EventDate); err == nil {
		ev.OccurredAt = t.UTC()
	}
	return ev, nil
}

// parseSignatureHeader decodes the base64 JSON header and its base64 DER signature.
func parseSignatureHeader(h string) (signature, []byte, error) {
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return signature{}, nil, errors.New(SignatureHeader + " is not base64")
	}
	var sig signature
	if err := json.Unmarshal(raw, &sig); err != nil {
		return signature{}, nil, errors.New(SignatureHeader + " is not JSON")
	}
	if !strings.EqualFold(sig.Alg, "ecdsa") {
		return signature{}, nil, errors.New("unsupported signature alg")
	}
	if sig.Kid == "" || len(sig.Kid) > maxKidLength {
		return signature{}, nil, errors.New("signature has no usable kid")
	}
	der, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(der) == 0 {
		return signature{}, nil, errors.New("signature is not base64 DER")
	}
	return sig, der, nil
}

// WebhookHandshake answers eBay's endpoint challenge: GET ?challenge_code=X is answered 200
// with {"challengeResponse": hex(SHA256(X + verification token + endpoint URL))}. Any other
// request is not a handshake.
func (c *Connector) WebhookHandshake(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookResponse, bool, error) {
	if r.Method != http.MethodGet || r.URL == nil {
		return connector.WebhookResponse{}, false, nil
	}
	code := r.URL.Query().Get("challenge_code")
	if code == "" {
		return connector.WebhookResponse{}, false, nil
	}
	var token, endpoint string
	if s != nil {
		token, endpoint = s.Credentials[FieldVerificationToken], s.Config[ConfigEndpointURL]
	}
	if token == "" || endpoint == "" {
		return connector.WebhookResponse{}, true, connector.RejectWebhook(http.StatusPreconditionFailed,
			connector.ReasonNotConfigured, "ebay: verification_token and endpoint_url are needed to answer the challenge")
	}
	body, err := json.Marshal(struct {
		ChallengeResponse string `json:"challengeResponse"`
	}{ChallengeResponse: ChallengeResponse(code, token, endpoint)})
	if err != nil {
		return connector.WebhookResponse{}, true, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return connector.WebhookResponse{Status: http.StatusOK, Header: h, Body: body}, true, nil
}

// ChallengeResponse is hex(SHA256(challengeCode + verificationToken + endpointURL)).
func ChallengeResponse(challengeCode, verificationToken, endpointURL string) string {
	sum := sha256.Sum256([]byte(challengeCode + verificationToken + endpointURL))
	return hex.EncodeToString(sum[:])
}
