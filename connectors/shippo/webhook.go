package shippo

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Credential fields. FieldWebhookSecret is the HMAC key for Shippo-Auth-Signature (optional);
// FieldWebhookToken is the secret the endpoint URL carries as ?token=.
const (
	FieldWebhookSecret = "webhook_secret"
	FieldWebhookToken  = "webhook_token"
)

// SignatureHeader is Shippo's HMAC header; TokenParam is the URL token's query parameter.
const (
	SignatureHeader = "Shippo-Auth-Signature"
	TokenParam      = "token"
)

// WebhookTolerance is how far the signed timestamp may lie from the moment of receipt, either
// way. Shippo's t is taken to be unix seconds, as in Stripe's scheme it copies (unconfirmed).
const WebhookTolerance = 300 * time.Second

// Connector is the Shippo connector. It holds no per-connection state: secrets arrive in the
// connector.Session, so one value serves every connection.
type Connector struct{}

// New returns the Shippo connector.
func New() *Connector { return &Connector{} }

var _ connector.WebhookVerifier = (*Connector)(nil)

// payload is the part of a Shippo webhook body the intake needs. data is an object for
// transaction and track events and a plain string for batch events.
type payload struct {
	Event  string          `json:"event"`
	Test   *bool           `json:"test"`
	IsTest *bool           `json:"is_test"`
	Data   json.RawMessage `json:"data"`
}

type dataObject struct {
	ObjectID       string `json:"object_id"`
	TrackingNumber string `json:"tracking_number"`
	ObjectUpdated  string `json:"object_updated"`
	TrackingStatus *struct {
		StatusDate string `json:"status_date"`
	} `json:"tracking_status"`
}

// VerifyWebhook checks Shippo-Auth-Signature (HMAC-SHA256 over "<t>.<raw body>", t within
// WebhookTolerance) when a webhook_secret is stored and the header is present; otherwise the
// URL's ?token= must equal the stored webhook_token (constant time). Every refusal is a 401.
func (*Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	const status = http.StatusUnauthorized
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, reason, "shippo: "+detail)
	}
	var secret, token string
	if s != nil {
		secret, token = s.Credentials[FieldWebhookSecret], s.Credentials[FieldWebhookToken]
	}
	header := r.Header.Get(SignatureHeader)
	switch {
	case secret != "" && header != "":
		// A present signature decides alone: a bad one is not rescued by a URL token.
		if err := connector.VerifyTimestampedHMAC(status, header, r.Body, []string{secret}, connector.WebhookNow(r), WebhookTolerance); err != nil {
			return connector.WebhookEvent{}, err
		}
	case token != "":
		got := ""
		if r.URL != nil {
			got = r.URL.Query().Get(TokenParam)
		}
		if got == "" {
			return reject(connector.ReasonMissingSignature, "no signature header and no ?token= in the URL")
		}
		if !connector.EqualSecret(token, got) {
			return reject(connector.ReasonBadSignature, "URL token does not match")
		}
	case secret != "":
		return reject(connector.ReasonMissingSignature, "no "+SignatureHeader+" header")
	default:
		return reject(connector.ReasonNotConfigured, "neither webhook_secret nor webhook_token is stored")
	}
	var p payload
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return reject(connector.ReasonMalformed, "body is not a JSON webhook")
	}
	if p.Event == "" {
		return reject(connector.ReasonMalformed, "webhook has no event")
	}
	var d dataObject
	_ = json.Unmarshal(p.Data, &d) // batch events carry a string; the body hash covers them
	ref, updated := d.ObjectID, d.ObjectUpdated
	if ref == "" {
		ref = d.TrackingNumber
	}
	if updated == "" && d.TrackingStatus != nil {
		updated = d.TrackingStatus.StatusDate
	}
	ev := connector.WebhookEvent{
		ProviderEventID: EventID(p.Event, ref, updated, connector.SHA256Hex(r.Body)),
		Type:            p.Event,
		Payload:         json.RawMessage(r.Body),
	}
	if t, err := time.Parse(time.RFC3339Nano, updated); err == nil {
		ev.OccurredAt = t.UTC()
	}
	test := p.Test
	if test == nil {
		test = p.IsTest
	}
	if test != nil {
		ev.Mode = concord.ModeProduction
		if *test {
			ev.Mode = concord.ModeSandbox
		}
	}
	return ev, nil
}

// EventID is the dedupe key of a Shippo webhook, which carries no event id:
// "<event>:<data.object_id, else data.tracking_number>:<data.object_updated, else
// data.tracking_status.status_date>:<hex SHA-256 of the raw body>". Missing parts are empty.
// A retry re-sends the same body, so it gets the same key; a new status is a new body.
func EventID(event, objectRef, updated, bodySHA256 string) string {
	return strings.Join([]string{event, objectRef, updated, bodySHA256}, ":")
}
