package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

var _ connector.WebhookHandler = (*Connector)(nil)

// Object kinds this connector reports to the hub.
const (
	KindPayment       = "payment"
	KindPaymentMethod = "payment_method"
	KindDispute       = "dispute"
	KindPayout        = "payout"
)

// HandleWebhook turns one Stripe event into an Object upsert. The families handled are:
//
//   - payment_intent.* (created, processing, requires_action, amount_capturable_updated,
//     payment_failed, succeeded, canceled, partially_funded...) -> Kind "payment"
//   - payment_method.attached, .detached, .updated, .automatically_updated -> "payment_method"
//   - charge.dispute.* (created, updated, closed, funds_withdrawn, funds_reinstated) -> "dispute"
//   - payout.* (created, updated, paid, failed, canceled, reconciliation_completed) -> "payout"
//
// Every other type is acknowledged and ignored. A payload that is not a Stripe event, or a
// handled event whose object has no id or is not the object its type promises, is an
// EINVALID error: retrying it can never succeed.
//
// Version rule: Stripe re-sends and reorders events, so each Object's Version is the
// event's created time in milliseconds (seconds*1000) plus a rank of the reported state
// (see the rank tables at the end of this file). Events of different seconds order by time;
// within one second the state further along its lifecycle wins, so a payment_intent.created
// that arrives after payment_intent.succeeded of the same second is dropped by the store.
// Two reports of the same state in the same second tie, and the one stored first stays.
func (*Connector) HandleWebhook(ctx context.Context, objects connector.ObjectStore, connectionID string, ev connector.WebhookEvent) error {
	env, err := parseEvent(ev)
	if err != nil {
		return err
	}
	var o connector.Object
	switch family(env.Type) {
	case "payment_intent":
		o, err = paymentObject(env)
	case "payment_method":
		o, err = paymentMethodObject(env)
	case "charge.dispute":
		o, err = disputeObject(env)
	case "payout":
		o, err = payoutObject(env)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("stripe: event %s (%s): %w", env.ID, env.Type, err)
	}
	if o.Kind == "" {
		return nil // a type of a handled family that says nothing about the object's state
	}
	o.ConnectionID = connectionID
	o.UpdatedAt = env.at
	if _, err := objects.UpsertObject(ctx, o); err != nil {
		return fmt.Errorf("stripe: event %s: store %s %s: %w", env.ID, o.Kind, o.ExternalID, err)
	}
	return nil
}

// stripeEvent is the envelope of a Stripe event: what ordering needs plus the raw object.
type stripeEvent struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Created  int64  `json:"created"`
	Livemode bool   `json:"livemode"`
	Data     struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`

	at time.Time // created, as a time
}

// parseEvent reads the envelope; a payload that is not one is EINVALID.
func parseEvent(ev connector.WebhookEvent) (*stripeEvent, error) {
	var env stripeEvent
	if err := json.Unmarshal(ev.Payload, &env); err != nil {
		return nil, fmt.Errorf("stripe: event %s: %w", ev.ProviderEventID, invalid("payload is not a JSON Stripe event"))
	}
	if env.Type == "" {
		env.Type = ev.Type
	}
	if env.ID == "" {
		env.ID = ev.ProviderEventID
	}
	switch {
	case env.Created > 0:
		env.at = time.Unix(env.Created, 0).UTC()
	case !ev.OccurredAt.IsZero():
		env.at, env.Created = ev.OccurredAt.UTC(), ev.OccurredAt.Unix()
	}
	if family(env.Type) == "" {
		return &env, nil // ignored types need nothing more
	}
	if env.Created <= 0 {
		return nil, fmt.Errorf("stripe: event %s: %w", env.ID, invalid("event has no created time, so it cannot be ordered"))
	}
	if o := bytes.TrimSpace(env.Data.Object); len(o) == 0 || o[0] != '{' {
		return nil, fmt.Errorf("stripe: event %s: %w", env.ID, invalid("event has no data.object"))
	}
	return &env, nil
}

// family is the handled event family of typ, or "" for a type the hub ignores.
func family(typ string) string {
	switch {
	case strings.HasPrefix(typ, "payment_intent."):
		return "payment_intent"
	case strings.HasPrefix(typ, "payment_method."):
		return "payment_method"
	case strings.HasPrefix(typ, "charge.dispute."):
		return "charge.dispute"
	case strings.HasPrefix(typ, "payout."):
		return "payout"
	}
	return ""
}

// version is the ordering rule of HandleWebhook: milliseconds of the event's second plus
// the state's rank (always below 1000).
func version(created int64, rank int) int64 { return created*1000 + int64(rank) }

// decodeObject reads data.object into dst and checks its object name and id.
func decodeObject(env *stripeEvent, object string, dst any, id *string) error {
	var head struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(env.Data.Object, &head); err != nil {
		return invalid("data.object is not a JSON object")
	}
	if head.Object != "" && head.Object != object {
		return invalid("data.object is a %q, not a %s", head.Object, object)
	}
	if err := json.Unmarshal(env.Data.Object, dst); err != nil {
		return invalid("data.object does not fit a Stripe %s: %v", object, err)
	}
	if *id == "" {
		return invalid("data.object (%s) has no id", object)
	}
	return nil
}

// summary marshals a compact Data value; the summaries are plain structs, so this cannot
// fail short of a bug.
func summary(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("stripe: marshal summary: " + err.Error())
	}
	return b
}

// expandable is an id field Stripe sends either as "id" or, when expanded, as {"id":...}.
type expandable string

// UnmarshalJSON accepts a string id, an expanded object or null.
func (x *expandable) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*x = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*x = expandable(s)
		return nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*x = expandable(obj.ID)
	return nil
}

// unixTime is a Stripe timestamp as a *time.Time, nil for 0.
func unixTime(secs int64) *time.Time {
	if secs <= 0 {
		return nil
	}
	t := time.Unix(secs, 0).UTC()
	return &t
}

// modeOf names the mode an event's livemode declares.
func modeOf(livemode bool) concord.Mode {
	if livemode {
		return concord.ModeProduction
	}
	return concord.ModeSandbox
}

// Ranks order two reports of one object made in the same second (see HandleWebhook): the
// higher rank is further along the object's lifecycle. Unknown states rank 0, so a state
// Stripe adds later never displaces a known one of the same second. Every rank stays below
// 1000, the room version leaves inside one second.

// paymentRank follows a PaymentIntent's lifecycle. payment_failed sits above the states a
// retry passes through again and below the final ones, so a decline followed by a
// successful retry in the same second ends as succeeded.
var paymentRank = map[string]int{
	"requires_payment_method": 1,
	"requires_confirmation":   2,
	"requires_action":         3,
	"processing":              4,
	"requires_capture":        5,
	"payment_failed":          6,
	"succeeded":               7,
	"canceled":                7,
}

// methodEventRank ranks the payment_method events the hub handles (a method's health is
// computed, so the event and not a status says how far it got); detached comes last.
var methodEventRank = map[string]int{
	"payment_method.attached":              1,
	"payment_method.updated":               2,
	"payment_method.automatically_updated": 3,
	"payment_method.detached":              4,
}

// disputeRank follows a dispute from inquiry (warning_*) to chargeback to a final outcome;
// an inquiry can escalate to a chargeback, so every warning_* state ranks below needs_response.
var disputeRank = map[string]int{
	"warning_needs_response": 1,
	"warning_under_review":   2,
	"warning_closed":         3,
	"needs_response":         4,
	"under_review":           5,
	"prevented":              6,
	"won":                    6,
	"lost":                   6,
}

// payoutRank follows pending -> in_transit -> paid. failed ranks above paid because Stripe
// may report a payout paid and then failed when the bank returns it.
var payoutRank = map[string]int{
	"pending":    1,
	"in_transit": 2,
	"canceled":   3,
	"paid":       3,
	"failed":     4,
}
