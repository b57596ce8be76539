package plaid

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Credential fields: the API client id and secret, used here to fetch the webhook
// verification key.
const (
	FieldClientID = "client_id"
	FieldSecret   = "secret"
)

// VerificationHeader carries Plaid's webhook JWT.
const VerificationHeader = "Plaid-Verification"

// IssuedAtTolerance is how far the JWT's iat may lie from the moment the webhook is
// received, either way; Plaid asks to reject tokens older than 5 minutes.
const IssuedAtTolerance = 5 * time.Minute

// Connector is the Plaid connector. Its one piece of shared state is the cache of Plaid's
// webhook verification keys by key id (keys are Plaid's, so every connection may share
// them). Use New; the zero value also works.
type Connector struct {
	once sync.Once
	keys *connector.KeyCache[verificationKey]
}

// New returns the Plaid connector.
func New() *Connector { return &Connector{} }

var _ connector.WebhookVerifier = (*Connector)(nil)

func (c *Connector) keyCache() *connector.KeyCache[verificationKey] {
	c.once.Do(func() { c.keys = connector.NewKeyCache[verificationKey](KeyCacheTTL, keyCacheSize) })
	return c.keys
}

// webhook is the part of a Plaid webhook body the intake needs.
type webhook struct {
	WebhookType string `json:"webhook_type"`
	WebhookCode string `json:"webhook_code"`
	ItemID      string `json:"item_id"`
	Environment string `json:"environment"`
}

// VerifyWebhook checks Plaid-Verification: a JWT whose alg must be ES256, signed by the
// (unexpired) key its kid names, issued within IssuedAtTolerance of r.ReceivedAt, whose
// request_body_sha256 claim equals the SHA-256 of the raw body (constant-time). The dedupe
// key is webhook_type:webhook_code:item_id:sha256(body) because Plaid sends no event id; the
// type is webhook_type.webhook_code and environment gives the mode. Refusals are 401; a
// failed key fetch is an external error (the intake answers 5xx and Plaid retries).
func (c *Connector) VerifyWebhook(ctx context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(http.StatusUnauthorized, reason, "plaid: "+detail)
	}
	if s == nil || s.Credentials[FieldClientID] == "" || s.Credentials[FieldSecret] == "" {
		return reject(connector.ReasonNotConfigured, "client_id and secret are needed to fetch the verification key")
	}
	header := strings.TrimSpace(r.Header.Get(VerificationHeader))
	if header == "" {
		return reject(connector.ReasonMissingSignature, "no "+VerificationHeader+" header")
	}
	tok, err := parseJWT(header)
	if errors.Is(err, errJWTAlg) {
		return reject(connector.ReasonBadSignature, err.Error())
	}
	if err != nil {
		return reject(connector.ReasonMalformed, err.Error())
	}
	now := connector.WebhookNow(r)
	key, err := c.keyFor(ctx, s, tok.header.Kid, now)
	if errors.Is(err, errUnknownKey) {
		return reject(connector.ReasonUnknownKey, "Plaid has no verification key with this id")
	}
	if err != nil {
		return connector.WebhookEvent{}, err
	}
	if key.expiredAt != 0 && !now.Before(time.Unix(key.expiredAt, 0)) {
		return reject(connector.ReasonUnknownKey, "verification key has expired")
	}
	if !verifyES256(key.pub, tok.signed, tok.sig) {
		return reject(connector.ReasonBadSignature, "JWT signature does not verify")
	}
	var claims jwtClaims
	if err := json.Unmarshal(tok.claimsRaw, &claims); err != nil || claims.IssuedAt == nil || claims.RequestBodySHA256 == "" {
		return reject(connector.ReasonMalformed, "JWT claims lack iat or request_body_sha256")
	}
	if !connector.WithinTolerance(time.Unix(*claims.IssuedAt, 0), now, IssuedAtTolerance) {
		return reject(connector.ReasonStaleTimestamp, "JWT iat outside 5 minute tolerance")
	}
	bodyHash := connector.SHA256Hex(r.Body)
	if subtle.ConstantTimeCompare([]byte(bodyHash), []byte(strings.ToLower(claims.RequestBodySHA256))) != 1 {
		return reject(connector.ReasonBadSignature, "body does not match request_body_sha256")
	}
	var w webhook
	if err := json.Unmarshal(r.Body, &w); err != nil {
		return reject(connector.ReasonMalformed, "body is not a JSON webhook")
	}
	if w.WebhookType == "" || w.WebhookCode == "" {
		return reject(connector.ReasonMalformed, "webhook has no webhook_type or webhook_code")
	}
	ev := connector.WebhookEvent{
		ProviderEventID: EventID(w.WebhookType, w.WebhookCode, w.ItemID, bodyHash),
		Type:            w.WebhookType + "." + w.WebhookCode,
		// OccurredAt stays zero: the body does not say when the event happened, and iat is
		// only when this attempt was signed (a retry has a later one).
		Payload: json.RawMessage(r.Body),
	}
	switch w.Environment {
	case "sandbox":
		ev.Mode = concord.ModeSandbox
	case "production":
		ev.Mode = concord.ModeProduction
	}
	return ev, nil
}

// EventID is the documented dedupe key of a Plaid webhook, which carries no id of its own:
// webhook_type:webhook_code:item_id:<hex SHA-256 of the raw body>. item_id is empty for
// webhooks not about an Item. A retried delivery has the same body, so the same key.
func EventID(webhookType, webhookCode, itemID, bodySHA256 string) string {
	return webhookType + ":" + webhookCode + ":" + itemID + ":" + bodySHA256
}
