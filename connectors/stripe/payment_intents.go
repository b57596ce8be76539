package stripe

import (
	"context"
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord/connector"
)

// PaymentIntentInput is what the hub asks Stripe to charge. Amount is in the currency's
// smallest unit (cents), as Stripe counts it.
type PaymentIntentInput struct {
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Customer      string            `json:"customer,omitempty"`
	PaymentMethod string            `json:"payment_method,omitempty"`
	Confirm       bool              `json:"confirm,omitempty"`
	Description   string            `json:"description,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	// CaptureMethod "manual" places a hold to capture later; empty means Stripe's default.
	CaptureMethod string `json:"capture_method,omitempty"`
	// ReturnURL is where a customer lands after a redirect-based method. Without it a
	// confirmed intent is restricted to methods that never redirect (see CreatePaymentIntent).
	ReturnURL string `json:"return_url,omitempty"`
}

// Validate refuses an input Stripe would refuse, before a job spends an attempt on it.
func (in PaymentIntentInput) Validate() error {
	switch {
	case in.Amount <= 0:
		return invalid("amount must be a positive integer in the currency's smallest unit")
	case len(in.Currency) != 3 || strings.ToLower(in.Currency) != in.Currency:
		return invalid("currency must be a three-letter lowercase ISO code, e.g. usd")
	case in.Confirm && in.PaymentMethod == "":
		return invalid("payment_method is required when confirm is true")
	case in.CaptureMethod != "" && in.CaptureMethod != "automatic" &&
		in.CaptureMethod != "automatic_async" && in.CaptureMethod != "manual":
		return invalid("capture_method must be automatic, automatic_async or manual")
	}
	return nil
}

// CreatePaymentIntent creates (and, with Confirm, confirms) a PaymentIntent. The
// idempotency key is required: a retried job must find the intent its first attempt made
// instead of charging twice, and stripe-go would otherwise invent a fresh key per attempt.
func (*Connector) CreatePaymentIntent(ctx context.Context, s *connector.Session, in PaymentIntentInput, idempotencyKey string) (*stripego.PaymentIntent, error) {
	const op = "payment_intent.create"
	if err := requireIdempotencyKey(idempotencyKey); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	p := &stripego.PaymentIntentCreateParams{
		Amount:   stripego.Int64(in.Amount),
		Currency: stripego.String(in.Currency),
		Metadata: in.Metadata,
	}
	p.IdempotencyKey = stripego.String(idempotencyKey)
	setString(&p.Customer, in.Customer)
	setString(&p.PaymentMethod, in.PaymentMethod)
	setString(&p.Description, in.Description)
	setString(&p.CaptureMethod, in.CaptureMethod)
	setString(&p.ReturnURL, in.ReturnURL)
	if in.Confirm {
		p.Confirm = stripego.Bool(true)
		if in.ReturnURL == "" {
			// A server-side confirmation has nowhere to send a redirecting customer, and
			// Stripe refuses confirm=true without return_url unless redirects are ruled out.
			p.AutomaticPaymentMethods = &stripego.PaymentIntentCreateAutomaticPaymentMethodsParams{
				Enabled:        stripego.Bool(true),
				AllowRedirects: stripego.String("never"),
			}
		}
	}
	pi, err := c.V1PaymentIntents.Create(connector.WithOperation(ctx, op), p)
	if err != nil {
		return nil, wrap(op, err)
	}
	return pi, nil
}

// RetrievePaymentIntent reads one PaymentIntent, e.g. to see whether it needs action.
func (*Connector) RetrievePaymentIntent(ctx context.Context, s *connector.Session, id string) (*stripego.PaymentIntent, error) {
	const op = "payment_intent.retrieve"
	if err := requireID(id, "pi_"); err != nil {
		return nil, err
	}
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	pi, err := c.V1PaymentIntents.Retrieve(connector.WithOperation(ctx, op), id, nil)
	if err != nil {
		return nil, wrap(op, err)
	}
	return pi, nil
}

// CancelPaymentIntent cancels a PaymentIntent (releasing a hold). Like every write it needs
// the job's idempotency key.
func (*Connector) CancelPaymentIntent(ctx context.Context, s *connector.Session, id, idempotencyKey string) (*stripego.PaymentIntent, error) {
	const op = "payment_intent.cancel"
	if err := requireIdempotencyKey(idempotencyKey); err != nil {
		return nil, err
	}
	if err := requireID(id, "pi_"); err != nil {
		return nil, err
	}
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	p := &stripego.PaymentIntentCancelParams{}
	p.IdempotencyKey = stripego.String(idempotencyKey)
	pi, err := c.V1PaymentIntents.Cancel(connector.WithOperation(ctx, op), id, p)
	if err != nil {
		return nil, wrap(op, err)
	}
	return pi, nil
}

// maxIdempotencyKey is Stripe's limit; stripe-go refuses longer keys with an untyped error.
const maxIdempotencyKey = 255

func requireIdempotencyKey(key string) error {
	switch {
	case strings.TrimSpace(key) == "":
		return invalid("an idempotency key is required for every Stripe write")
	case len(key) > maxIdempotencyKey:
		return invalid("idempotency key is longer than Stripe's 255 characters")
	}
	return nil
}

// requireID checks an object id before it is put into a URL path.
func requireID(id, prefix string) error {
	if !strings.HasPrefix(id, prefix) || len(id) == len(prefix) || strings.ContainsAny(id, "/?# \t\n") {
		return invalid("id must be a Stripe id starting with %s", prefix)
	}
	return nil
}

func setString(dst **string, v string) {
	if v != "" {
		*dst = stripego.String(v)
	}
}
