package connector

import (
	"context"
	"encoding/json"
	"time"
)

// Object is the hub's record of one external object as the service last reported it: a
// payment, a payment method, a dispute, a payout... Version orders reports of the same
// object so an older event never overwrites newer state (webhooks arrive out of order).
type Object struct {
	ConnectionID string          `json:"connection_id"`
	Kind         string          `json:"kind"` // e.g. "payment", "payment_method", "dispute", "payout"
	ExternalID   string          `json:"external_id"`
	Status       string          `json:"status"`
	Version      int64           `json:"version"`
	Data         json.RawMessage `json:"data"`
	// DueAt is a deadline that matters to an operator (a dispute's evidence due date), if any.
	DueAt     *time.Time `json:"due_at,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ObjectStore is what event processing may change, inside the transaction that also marks
// the event processed: both commit together or neither does, so an event's effect happens
// exactly once.
type ObjectStore interface {
	// UpsertObject stores o unless a report with a higher or equal version is already
	// stored; applied says whether it was stored.
	UpsertObject(ctx context.Context, o Object) (applied bool, err error)
}

// WebhookHandler turns one verified event into domain changes.
type WebhookHandler interface {
	HandleWebhook(ctx context.Context, objects ObjectStore, connectionID string, ev WebhookEvent) error
}

// Subscription is the webhook subscription as the service itself shows it.
type Subscription struct {
	// Found says whether the service has a subscription pointing at the hub's URL.
	Found         bool       `json:"found"`
	ID            string     `json:"id,omitempty"`
	URL           string     `json:"url,omitempty"`
	Status        string     `json:"status,omitempty"` // e.g. "enabled", "disabled", "Blacklisted"
	Events        []string   `json:"events,omitempty"`
	MissingEvents []string   `json:"missing_events,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	AutoRenew     bool       `json:"auto_renew,omitempty"`
	Note          string     `json:"note,omitempty"`
}

// WebhookPanel is what a connector tells the webhooks panel about its service.
type WebhookPanel interface {
	// RequiredEvents lists the event types the hub needs from this service.
	RequiredEvents() []string
	// WebhookSubscription reads the subscription on the service side for url.
	WebhookSubscription(ctx context.Context, s *Session, url string) (Subscription, error)
}

// WebhookRegistrar creates the subscriptions the hub needs that the service lacks (safe to
// repeat); it returns what it created.
type WebhookRegistrar interface {
	RegisterWebhooks(ctx context.Context, s *Session, url string) ([]string, error)
}

// WebhookTester makes the service (or its emulator) send a signed test event to the hub;
// it returns what to look for in the received events.
type WebhookTester interface {
	SendTestWebhook(ctx context.Context, s *Session, url string) (TestWebhook, error)
}

// TestWebhook says what a test-webhook action triggered.
type TestWebhook struct {
	// EventTypes and ObjectID identify the deliveries to expect.
	EventTypes []string `json:"event_types"`
	ObjectID   string   `json:"object_id,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// EventRecoverer lists events the service kept, for taking in the ones whose webhook never
// arrived (Stripe's events API keeps 30 days).
type EventRecoverer interface {
	RecoverEvents(ctx context.Context, s *Session, since time.Time) ([]WebhookEvent, error)
}

// WebhookAcker is implemented by connectors whose service expects a particular success
// status (eBay: 204).
type WebhookAcker interface {
	WebhookAckStatus() int
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(WebhookHandler); return "webhook_process", ok },
		func(c Connector) (string, bool) { _, ok := c.(WebhookPanel); return "webhook_panel", ok },
		func(c Connector) (string, bool) { _, ok := c.(WebhookTester); return "webhook_test", ok },
		func(c Connector) (string, bool) { _, ok := c.(WebhookRegistrar); return "webhook_register", ok },
		func(c Connector) (string, bool) { _, ok := c.(EventRecoverer); return "event_recovery", ok },
	)
}
