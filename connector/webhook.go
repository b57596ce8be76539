package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/concordhub/concord"
)

// WebhookRequest is one delivery exactly as it arrived: the raw body is what the provider
// signed, so it is never re-encoded before verification.
type WebhookRequest struct {
	Method     string
	URL        *url.URL // as received, including any secret ?token=
	Header     http.Header
	Body       []byte
	ReceivedAt time.Time
}

// WebhookEvent is what a verified delivery yields.
type WebhookEvent struct {
	// ProviderEventID is the dedupe key: the provider's event id, or the documented
	// composite where the provider has none (Plaid).
	ProviderEventID string
	Type            string
	// OccurredAt is when the provider says the event happened; zero when it does not say.
	OccurredAt time.Time
	// Mode is the mode the delivery itself declares (Stripe livemode, Shippo is_test, Plaid
	// environment); "" when it does not say.
	Mode concord.Mode
	// Hint marks deliveries that only say "something changed, poll" (PrintNode).
	Hint    bool
	Payload json.RawMessage
}

// WebhookVerifier verifies a delivery exactly as the provider signs it. The Session carries
// the connection's secrets and a client for fetching public keys (eBay, Plaid).
type WebhookVerifier interface {
	VerifyWebhook(ctx context.Context, s *Session, r *WebhookRequest) (WebhookEvent, error)
}

// WebhookHandshaker answers a provider's endpoint check (eBay challenge_code GET,
// RingCentral Validation-Token). handled=false means r is not a handshake.
type WebhookHandshaker interface {
	WebhookHandshake(ctx context.Context, s *Session, r *WebhookRequest) (resp WebhookResponse, handled bool, err error)
}

// WebhookResponse is an answer a connector asks the intake to send.
type WebhookResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// WebhookError is a refused delivery. Status is what the provider expects for a bad
// signature (401 for most, 412 for eBay). Reason is for counting and logs; it never quotes
// the body or a secret.
type WebhookError struct {
	Status int
	Reason string // e.g. "missing_signature", "bad_signature", "stale_timestamp", "malformed"
	Detail string
}

func (e *WebhookError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("webhook rejected: %s", e.Reason)
	}
	return fmt.Sprintf("webhook rejected: %s: %s", e.Reason, e.Detail)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(WebhookVerifier); return "webhook_verify", ok },
		func(c Connector) (string, bool) { _, ok := c.(WebhookHandshaker); return "webhook_handshake", ok },
	)
}
