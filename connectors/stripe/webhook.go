package stripe

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/tidwall/gjson"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// FieldWebhookSecretPrevious is the credential holding the endpoint's previous signing
// secret while a rolled secret overlaps (Stripe signs with both until the old one expires).
// FieldWebhookSecret is the current one.
const FieldWebhookSecretPrevious = "webhook_secret_previous"

// SignatureHeader is the header Stripe signs deliveries with.
const SignatureHeader = "Stripe-Signature"

// WebhookTolerance is how far a delivery's signed timestamp may lie from the moment it is
// received, either way; Stripe's SDKs default to the same 300 s.
const WebhookTolerance = 300 * time.Second

var _ connector.WebhookVerifier = (*Connector)(nil)

// event is the part of a Stripe event the intake needs; the payload itself is kept raw.
type event struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Livemode *bool  `json:"livemode"`
	Created  int64  `json:"created"`
}

// envelope reads the four fields the intake needs from a Stripe event without decoding the
// whole body into Go values (this runs on every delivery, before the acknowledgement); the
// body is still checked to be valid JSON.
func envelope(body []byte) (event, bool) {
	if !gjson.ValidBytes(body) {
		return event{}, false
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return event{}, false
	}
	f := root.Get("id")
	ev := event{ID: f.String(), Type: root.Get("type").String(), Created: root.Get("created").Int()}
	if f.Exists() && f.Type != gjson.String {
		return event{}, false
	}
	if lm := root.Get("livemode"); lm.Exists() {
		if lm.Type != gjson.True && lm.Type != gjson.False {
			return event{}, false
		}
		v := lm.Bool()
		ev.Livemode = &v
	}
	return ev, true
}

// VerifyWebhook checks Stripe-Signature (`t=<unix>,v1=<hex>...`: HMAC-SHA256 over
// `<t>.<raw body>` under the current or the previous secret, any v1 may match, t within
// WebhookTolerance of r.ReceivedAt) and then reads the event. The event id is the dedupe
// key; livemode gives the mode the event declares. Every refusal is a 401.
func (*Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	const status = http.StatusUnauthorized
	if s == nil || s.Credentials[FieldWebhookSecret] == "" {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonNotConfigured, "stripe: no webhook_secret stored")
	}
	secrets := []string{s.Credentials[FieldWebhookSecret], s.Credentials[FieldWebhookSecretPrevious]}
	err := connector.VerifyTimestampedHMAC(status, r.Header.Get(SignatureHeader), r.Body, secrets, connector.WebhookNow(r), WebhookTolerance)
	if err != nil {
		return connector.WebhookEvent{}, err
	}
	ev, ok := envelope(r.Body)
	if !ok {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "stripe: body is not a JSON event")
	}
	if ev.ID == "" {
		return connector.WebhookEvent{}, connector.RejectWebhook(status, connector.ReasonMalformed, "stripe: event has no id")
	}
	out := connector.WebhookEvent{
		ProviderEventID: ev.ID,
		Type:            ev.Type,
		Payload:         json.RawMessage(r.Body),
	}
	if ev.Created > 0 {
		out.OccurredAt = time.Unix(ev.Created, 0).UTC()
	}
	if ev.Livemode != nil {
		out.Mode = concord.ModeSandbox
		if *ev.Livemode {
			out.Mode = concord.ModeProduction
		}
	}
	return out, nil
}
