package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Write operations, as durable jobs name them.
const (
	OpCreatePaymentIntent = "payment_intent.create"
	OpCancelPaymentIntent = "payment_intent.cancel"
)

// cancelInput is the payload of payment_intent.cancel.
type cancelInput struct {
	ID string `json:"id"`
}

// WriteOperations lists the writes a durable job may ask of Stripe.
func (*Connector) WriteOperations() []string {
	return []string{OpCreatePaymentIntent, OpCancelPaymentIntent}
}

// Write performs one job's write with the job's idempotency key as Stripe's
// Idempotency-Key, and returns the object exactly as Stripe answered it.
func (c *Connector) Write(ctx context.Context, s *connector.Session, w connector.Write) (json.RawMessage, error) {
	if err := requireIdempotencyKey(w.IdempotencyKey); err != nil {
		return nil, err
	}
	if err := guardMode(s); err != nil {
		return nil, err
	}
	var (
		pi  *stripego.PaymentIntent
		err error
	)
	switch w.Operation {
	case OpCreatePaymentIntent:
		var in PaymentIntentInput
		if err := decodeStrict(w.Payload, &in); err != nil {
			return nil, err
		}
		pi, err = c.CreatePaymentIntent(ctx, s, in, w.IdempotencyKey)
	case OpCancelPaymentIntent:
		var in cancelInput
		if err := decodeStrict(w.Payload, &in); err != nil {
			return nil, err
		}
		if in.ID == "" {
			return nil, invalid("payment_intent.cancel needs the id of the PaymentIntent")
		}
		pi, err = c.CancelPaymentIntent(ctx, s, in.ID, w.IdempotencyKey)
	default:
		return nil, invalid("stripe has no write operation %q", w.Operation)
	}
	if err != nil {
		return nil, err
	}
	return objectJSON(pi)
}

// guardMode refuses to move money with a key whose mode differs from the entity's. The
// outbound path checks this before the job runs; checking again here costs nothing and
// covers any caller that reaches Write another way.
func guardMode(s *connector.Session) error {
	if s == nil || !s.EntityMode.Valid() {
		return nil
	}
	keyMode, ok := keyMode(s.Credentials[FieldSecretKey])
	if ok && keyMode != s.EntityMode {
		return &concord.Error{
			Code:    concord.EMODEMISMATCH,
			Class:   concord.ClassModeMismatch,
			Message: fmt.Sprintf("the Stripe key is a %s key but the entity is in %s mode", modeWord(keyMode), s.EntityMode),
		}
	}
	return nil
}

// decodeStrict decodes a job payload, refusing unknown fields: a misspelt "ammount" must
// fail the job, not charge with a default.
func decodeStrict(payload json.RawMessage, v any) error {
	if len(bytes.TrimSpace(payload)) == 0 {
		return invalid("payload is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("payload is not valid: %v", err)
	}
	if dec.More() {
		return invalid("payload has trailing data after the JSON object")
	}
	return nil
}

// objectJSON returns Stripe's own response body, so the job records every field Stripe
// sent, including ones stripe-go does not model; it falls back to re-encoding the struct.
func objectJSON(pi *stripego.PaymentIntent) (json.RawMessage, error) {
	if pi.LastResponse != nil && len(pi.LastResponse.RawJSON) > 0 {
		return json.RawMessage(pi.LastResponse.RawJSON), nil
	}
	b, err := json.Marshal(pi)
	if err != nil {
		return nil, fmt.Errorf("stripe: encode payment intent: %w", err)
	}
	return b, nil
}
