package ringcentral

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
)

// FieldVerificationToken is the credential holding the verification token set on the
// webhook subscription (deliveryMode.verificationToken).
const FieldVerificationToken = "verification_token"

// Headers of RingCentral's webhook protocol.
const (
	HeaderValidationToken   = "Validation-Token"
	HeaderVerificationToken = "Verification-Token"
)

// maxValidationToken bounds the token echoed back; RingCentral's are UUID-sized.
const maxValidationToken = 512

// Connector is the RingCentral connector. It holds no per-connection state: secrets arrive
// in the connector.Session, so one value serves every connection.
type Connector struct{}

// New returns the RingCentral connector.
func New() *Connector { return &Connector{} }

var (
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookHandshaker = (*Connector)(nil)
)

// WebhookHandshake answers the subscription check: a request with Validation-Token is
// answered 200 with the same header and no body. Any other request is not a handshake.
func (*Connector) WebhookHandshake(_ context.Context, _ *connector.Session, r *connector.WebhookRequest) (connector.WebhookResponse, bool, error) {
	token := r.Header.Get(HeaderValidationToken)
	if token == "" {
		return connector.WebhookResponse{}, false, nil
	}
	if !headerSafe(token) {
		return connector.WebhookResponse{}, true, connector.RejectWebhook(http.StatusBadRequest,
			connector.ReasonMalformed, "ringcentral: Validation-Token is not a plain token")
	}
	h := http.Header{}
	h.Set(HeaderValidationToken, token)
	return connector.WebhookResponse{Status: http.StatusOK, Header: h}, true, nil
}

// headerSafe reports whether v may be echoed as a header value: printable ASCII, bounded.
func headerSafe(v string) bool {
	if len(v) > maxValidationToken {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// notification is the envelope of a RingCentral webhook delivery.
type notification struct {
	UUID           string          `json:"uuid"`
	Event          string          `json:"event"`
	Timestamp      string          `json:"timestamp"`
	SubscriptionID string          `json:"subscriptionId"`
	Body           json.RawMessage `json:"body"`
}

// VerifyWebhook compares Verification-Token with the stored token in constant time and
// reads the envelope: uuid is the dedupe key, event (the event filter path) the type,
// timestamp the time. Every refusal is a 401.
func (*Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(http.StatusUnauthorized, reason, "ringcentral: "+detail)
	}
	stored := ""
	if s != nil {
		stored = s.Credentials[FieldVerificationToken]
	}
	if stored == "" {
		return reject(connector.ReasonNotConfigured, "no verification_token stored; unverifiable deliveries are refused")
	}
	got := r.Header.Get(HeaderVerificationToken)
	if got == "" {
		return reject(connector.ReasonMissingSignature, "no "+HeaderVerificationToken+" header")
	}
	if !connector.EqualSecret(stored, got) {
		return reject(connector.ReasonBadSignature, HeaderVerificationToken+" does not match")
	}
	var n notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		return reject(connector.ReasonMalformed, "body is not a JSON notification")
	}
	if n.UUID == "" || n.Event == "" {
		return reject(connector.ReasonMalformed, "notification has no uuid or event")
	}
	ev := connector.WebhookEvent{
		ProviderEventID: n.UUID,
		Type:            n.Event,
		Payload:         json.RawMessage(r.Body),
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(n.Timestamp)); err == nil {
		ev.OccurredAt = t.UTC()
	}
	return ev, nil
}
