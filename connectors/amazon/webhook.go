package amazon

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/concordhub/concord/connector"
)

// FieldWebhookSecret is the credential holding the per-connection secret the EventBridge API
// destination sends in SecretHeader.
const FieldWebhookSecret = "webhook_secret"

// SecretHeader is the header the EventBridge API destination's connection adds to each call.
const SecretHeader = "X-Concord-Webhook-Secret"

// Connector is the Amazon SP-API connector. It holds no per-connection state: secrets arrive
// in the connector.Session, so one value serves every connection.
type Connector struct{}

// New returns the Amazon connector.
func New() *Connector { return &Connector{} }

var _ connector.WebhookVerifier = (*Connector)(nil)

// notification is the SP-API notification envelope. encoding/json matches keys without regard
// to case, so these fields read both the PascalCase (ORDER_CHANGE) and the camelCase
// (FEED_PROCESSING_FINISHED) spellings of Amazon's schemas.
type notification struct {
	NotificationType     string `json:"NotificationType"`
	EventTime            string `json:"EventTime"`
	NotificationMetadata struct {
		NotificationID string `json:"NotificationId"`
	} `json:"NotificationMetadata"`
}

// eventBridgeEvent is the EventBridge envelope around a notification.
type eventBridgeEvent struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Detail     json.RawMessage `json:"detail"`
}

// VerifyWebhook compares SecretHeader with the stored webhook_secret in constant time, then
// reads the notification out of the EventBridge event (or the bare notification):
// NotificationMetadata.NotificationId is the dedupe key, NotificationType the type and
// EventTime the time. Every refusal is a 401.
func (*Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(http.StatusUnauthorized, reason, "amazon: "+detail)
	}
	stored := ""
	if s != nil {
		stored = s.Credentials[FieldWebhookSecret]
	}
	if stored == "" {
		return reject(connector.ReasonNotConfigured, "no webhook_secret stored")
	}
	got := r.Header.Get(SecretHeader)
	if got == "" {
		return reject(connector.ReasonMissingSignature, "no "+SecretHeader+" header")
	}
	if !connector.EqualSecret(stored, got) {
		return reject(connector.ReasonBadSignature, SecretHeader+" does not match")
	}
	n, err := readNotification(r.Body)
	if err != nil {
		return reject(connector.ReasonMalformed, err.Error())
	}
	ev := connector.WebhookEvent{
		ProviderEventID: n.NotificationMetadata.NotificationID,
		Type:            n.NotificationType,
		Payload:         json.RawMessage(r.Body),
	}
	if t, err := time.Parse(time.RFC3339Nano, n.EventTime); err == nil {
		ev.OccurredAt = t.UTC()
	}
	return ev, nil
}

type malformed string

func (m malformed) Error() string { return string(m) }

// readNotification finds the notification: the EventBridge detail when the body is an
// EventBridge event, else the body itself.
func readNotification(body []byte) (notification, error) {
	var env eventBridgeEvent
	if err := json.Unmarshal(body, &env); err != nil {
		return notification{}, malformed("body is not a JSON event")
	}
	inner := body
	if len(env.Detail) > 0 && env.Detail[0] == '{' {
		inner = env.Detail
	}
	var n notification
	if err := json.Unmarshal(inner, &n); err != nil {
		return notification{}, malformed("notification is not a JSON object")
	}
	if n.NotificationMetadata.NotificationID == "" || n.NotificationType == "" {
		return notification{}, malformed("notification has no NotificationType or NotificationMetadata.NotificationId")
	}
	return n, nil
}
