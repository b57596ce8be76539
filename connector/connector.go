// Package connector is the contract between the hub and each external service: a connector
// describes itself and implements the small capability interfaces it supports, found by type
// assertion. The hub never switches on a connector's name. The package also holds the one
// shared outbound HTTP client (timeouts, User-Agent, retries, per-connection rate limits,
// private-network guard, one connector-log entry per call) and the classification of
// external failures.
package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/concordhub/concord"
)

// Field describes one credential or config field of a connector.
type Field struct {
	Name        string `json:"name"`
	Secret      bool   `json:"secret"`
	Required    bool   `json:"required"`
	Description string `json:"description,omitempty"`
	// Webhook marks the fields that verify webhook deliveries (signing secrets, tokens),
	// so the webhooks panel can tell whether one is set.
	Webhook bool `json:"webhook,omitempty"`
}

// Descriptor is what the catalog shows of a connector.
type Descriptor struct {
	Name          string  `json:"name"`
	Title         string  `json:"title"`
	Kind          string  `json:"kind"` // payments, marketplace, shipping, printing, tax, bank_feed, phone
	Credentials   []Field `json:"credentials"`
	Config        []Field `json:"config"`
	WebhookScheme string  `json:"webhook_scheme"`
	// DefaultAPIBase is the production (or only) API base URL.
	DefaultAPIBase string `json:"-"`
	// RateLimit is the provider's request rate per connection (requests/second) that the
	// shared outbound client keeps under; 0 means no limit is known. RateBurst is its burst.
	RateLimit float64 `json:"rate_limit,omitempty"`
	RateBurst int     `json:"rate_burst,omitempty"`
}

// Connector is the one interface every connector implements. Everything else is optional.
type Connector interface {
	Describe() Descriptor
}

// Session is one connection as a connector sees it for one call: decrypted credentials live
// only here, in memory, for the duration of the call.
type Session struct {
	ConnectionID string
	EntityMode   concord.Mode
	Credentials  map[string]string
	Config       map[string]string
	// APIBase is the service's base URL: the connector's default unless the connection's
	// config.api_base overrides it (allowed for sandbox connections only).
	APIBase string
	// HTTP is the shared outbound client bound to this connection.
	HTTP *http.Client
}

// TestResult is what one cheap authenticated call reveals.
type TestResult struct {
	Mode      concord.Mode `json:"mode"`
	AccountID string       `json:"account_id"`
	Message   string       `json:"message"`
}

// Tester makes the cheap authenticated call that proves a credential and reveals the mode and
// the external account identity.
type Tester interface {
	Test(ctx context.Context, s *Session) (TestResult, error)
}

// CredentialChecker validates credential fields before anything is stored or called: shapes,
// prefixes, and the mode the credential itself declares (ok=false when it does not say).
type CredentialChecker interface {
	CheckCredentials(creds map[string]string) (mode concord.Mode, ok bool, err error)
}

// Write is one external write, carried by a durable job.
type Write struct {
	Operation      string          `json:"operation"`
	Payload        json.RawMessage `json:"payload"`
	IdempotencyKey string          `json:"idempotency_key"`
}

// Writer performs external writes. Every call is made from a durable job, with the job's
// idempotency key sent to the service so a retried job never does the work twice.
type Writer interface {
	WriteOperations() []string
	Write(ctx context.Context, s *Session, w Write) (json.RawMessage, error)
}

// Capabilities lists the optional interfaces c implements, for the catalog.
func Capabilities(c Connector) []string {
	var caps []string
	if _, ok := c.(Tester); ok {
		caps = append(caps, "test")
	}
	if _, ok := c.(CredentialChecker); ok {
		caps = append(caps, "credential_check")
	}
	if _, ok := c.(Writer); ok {
		caps = append(caps, "write")
	}
	for _, extra := range extraCapabilities {
		if name, ok := extra(c); ok {
			caps = append(caps, name)
		}
	}
	sort.Strings(caps)
	return caps
}

// extraCapabilities lets capability interfaces declared in other files of this package add
// themselves to the catalog without editing Capabilities.
var extraCapabilities []func(Connector) (string, bool)

// Registry holds the connectors this process knows, by name.
type Registry struct {
	byName map[string]Connector
	names  []string
}

// NewRegistry builds a registry of the given connectors.
func NewRegistry(cs ...Connector) *Registry {
	r := &Registry{byName: map[string]Connector{}}
	for _, c := range cs {
		name := c.Describe().Name
		if _, dup := r.byName[name]; dup {
			panic("connector: duplicate connector " + name)
		}
		r.byName[name] = c
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	return r
}

// Get returns the connector with that name.
func (r *Registry) Get(name string) (Connector, bool) {
	c, ok := r.byName[name]
	return c, ok
}

// All returns the connectors sorted by name.
func (r *Registry) All() []Connector {
	out := make([]Connector, 0, len(r.names))
	for _, n := range r.names {
		out = append(out, r.byName[n])
	}
	return out
}

// ConfigChecker validates config fields beyond "required and known" (a Shopify shop must be
// a myshopify.com domain); the hub calls it before storing a connection's config.
type ConfigChecker interface {
	CheckConfig(cfg map[string]string) error
}

// TokenRefresher renews an expiring credential ahead of its expiry. When refreshed is true
// the hub stores newCreds (the whole credential map) before anything else uses the
// connection: the provider may already have spent the old refresh token.
type TokenRefresher interface {
	RefreshIfDue(ctx context.Context, s *Session) (newCreds map[string]string, refreshed bool, err error)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(ConfigChecker); return "config_check", ok },
		func(c Connector) (string, bool) { _, ok := c.(TokenRefresher); return "token_refresh", ok },
	)
}
