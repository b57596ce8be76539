package shopify

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
)

// FieldClientSecret is the credential holding the app's client secret (API secret key),
// which signs every webhook delivery.
const FieldClientSecret = "client_secret"

// Headers Shopify sends with every delivery.
const (
	HeaderHMAC        = "X-Shopify-Hmac-Sha256"
	HeaderTopic       = "X-Shopify-Topic"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderEventID     = "X-Shopify-Event-Id"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
)

// DefaultStaleAfter is how old a delivery's X-Shopify-Triggered-At may be before Stale
// reports it. Shopify retries for 4 hours, so anything older than a day is a replay or a
// very late redelivery.
const DefaultStaleAfter = 24 * time.Hour

// Connector is the Shopify connector. Secrets arrive in the connector.Session, so one value
// serves every connection; what it keeps between calls holds no secret (throttle status,
// variant-to-product ids, spent refresh-token digests).
type Connector struct {
	// StaleAfter overrides DefaultStaleAfter when positive. Set it before first use.
	StaleAfter time.Duration
	// PersistCredentials, when set by the hub, lets every call refresh an expiring token
	// first (see RefreshIfDue); nil leaves refreshing to the hub alone.
	PersistCredentials func(ctx context.Context, connectionID string, creds map[string]string) error

	pace     pacer        // last GraphQL throttle status per connection
	products productCache // variant GID -> product GID, for price exports
	refresh  refreshLocks // one token refresh at a time per connection
	now      func() time.Time
}

// New returns the Shopify connector.
func New() *Connector { return &Connector{} }

var _ connector.WebhookVerifier = (*Connector)(nil)

// requiredHeaders are refused as malformed when absent: without them the delivery cannot be
// routed (topic), attributed (shop) or deduplicated (event id).
var requiredHeaders = []string{HeaderTopic, HeaderShopDomain, HeaderWebhookID, HeaderEventID, HeaderAPIVersion}

// VerifyWebhook checks X-Shopify-Hmac-Sha256 against base64(HMAC-SHA256(client secret, raw
// body)) in constant time, then requires the routing headers and a JSON body. The event id
// header is the dedupe key and the topic is the type; X-Shopify-Triggered-At becomes
// OccurredAt.
//
// A stale delivery (triggered longer than StaleAfter before it arrived) is NOT refused: the
// signature is good and Shopify does redeliver late. WebhookEvent has no stale flag, so the
// intake tells by calling Stale(ev.OccurredAt, r.ReceivedAt). Every refusal is a 401.
func (c *Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	const status = http.StatusUnauthorized
	secret := ""
	if s != nil {
		secret = s.Credentials[FieldClientSecret]
	}
	if secret == "" {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonNotConfigured, "shopify: no client_secret stored")
	}
	header := r.Header.Get(HeaderHMAC)
	if header == "" {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMissingSignature, "shopify: no "+HeaderHMAC+" header")
	}
	got, err := parseShopifyHMAC(header)
	if err != nil {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "shopify: "+err.Error())
	}
	if !hmac.Equal(connector.HMACSHA256([]byte(secret), r.Body), got) {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonBadSignature, "shopify: HMAC does not match the body")
	}
	for _, h := range requiredHeaders {
		if strings.TrimSpace(r.Header.Get(h)) == "" {
			return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "shopify: no "+h+" header")
		}
	}
	if !json.Valid(r.Body) {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "shopify: body is not JSON")
	}
	ev := connector.WebhookEvent{
		ProviderEventID: r.Header.Get(HeaderEventID),
		Type:            r.Header.Get(HeaderTopic),
		Payload:         json.RawMessage(r.Body),
	}
	if at := strings.TrimSpace(r.Header.Get(HeaderTriggeredAt)); at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "shopify: "+HeaderTriggeredAt+" is not RFC 3339")
		}
		ev.OccurredAt = t.UTC()
	}
	return ev, nil
}

// Stale reports whether a delivery triggered at occurredAt and received at receivedAt is
// older than StaleAfter. An unknown trigger time is not stale.
func (c *Connector) Stale(occurredAt, receivedAt time.Time) bool {
	if occurredAt.IsZero() {
		return false
	}
	limit := DefaultStaleAfter
	if c != nil && c.StaleAfter > 0 {
		limit = c.StaleAfter
	}
	return receivedAt.Sub(occurredAt) > limit
}

// errHMACHeader is the refusal of a header that cannot be a SHA-256 HMAC.
var errHMACHeader = errors.New(HeaderHMAC + " is not a base64 SHA-256 HMAC")

// parseShopifyHMAC decodes the base64 HMAC header; anything but 32 bytes is refused so a
// truncated value is reported as malformed rather than as a mismatch.
func parseShopifyHMAC(h string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil || len(b) != 32 {
		return nil, errHMACHeader
	}
	return b, nil
}
