package stripeemu

import (
	"slices"
	"strings"
)

// PaymentIntent statuses.
const (
	piRequiresPaymentMethod = "requires_payment_method"
	piRequiresConfirmation  = "requires_confirmation"
	piRequiresAction        = "requires_action"
	piProcessing            = "processing"
	piRequiresCapture       = "requires_capture"
	piSucceeded             = "succeeded"
	piCanceled              = "canceled"
)

// PaymentIntent is Stripe's payment_intent object.
type PaymentIntent struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Amount              int64             `json:"amount"`
	AmountCapturable    int64             `json:"amount_capturable"`
	AmountReceived      int64             `json:"amount_received"`
	CanceledAt          *int64            `json:"canceled_at"`
	CancellationReason  *string           `json:"cancellation_reason"`
	CaptureMethod       string            `json:"capture_method"`
	ClientSecret        string            `json:"client_secret"`
	ConfirmationMethod  string            `json:"confirmation_method"`
	Created             int64             `json:"created"`
	Currency            string            `json:"currency"`
	Customer            *string           `json:"customer"`
	Description         *string           `json:"description"`
	LastPaymentError    *PaymentError     `json:"last_payment_error"`
	LatestCharge        *string           `json:"latest_charge"`
	Livemode            bool              `json:"livemode"`
	Metadata            map[string]string `json:"metadata"`
	NextAction          map[string]any    `json:"next_action"`
	PaymentMethod       *string           `json:"payment_method"`
	PaymentMethodTypes  []string          `json:"payment_method_types"`
	ReceiptEmail        *string           `json:"receipt_email"`
	SetupFutureUsage    *string           `json:"setup_future_usage"`
	StatementDescriptor *string           `json:"statement_descriptor"`
	Status              string            `json:"status"`
}

// PaymentError is a PaymentIntent's last_payment_error.
type PaymentError struct {
	Charge        string         `json:"charge,omitempty"`
	Code          string         `json:"code"`
	DeclineCode   string         `json:"decline_code,omitempty"`
	DocURL        string         `json:"doc_url"`
	Message       string         `json:"message"`
	PaymentMethod *PaymentMethod `json:"payment_method,omitempty"`
	Type          string         `json:"type"`
}

func (e *Emulator) paymentIntentRoutes(handle func(string, apiHandler)) {
	handle("POST /v1/payment_intents", e.createPaymentIntent)
	handle("GET /v1/payment_intents", e.listPaymentIntents)
	handle("GET /v1/payment_intents/{id}", e.getPaymentIntent)
	handle("POST /v1/payment_intents/{id}", e.updatePaymentIntent)
	handle("POST /v1/payment_intents/{id}/confirm", e.confirmPaymentIntent)
	handle("POST /v1/payment_intents/{id}/capture", e.capturePaymentIntent)
	handle("POST /v1/payment_intents/{id}/cancel", e.cancelPaymentIntent)
}

func (e *Emulator) createPaymentIntent(c *call) (any, *apiError) {
	amount, currency, err := validateAmount(c, true)
	if err != nil {
		return nil, err
	}
	if err := checkMinimum(amount, currency); err != nil {
		return nil, err
	}
	id := newID("pi_")
	pi := &PaymentIntent{
		ID: id, Object: "payment_intent", Amount: amount, CaptureMethod: "automatic_async",
		ClientSecret: id + "_secret_" + randomString(25), ConfirmationMethod: "automatic",
		Created: c.now, Currency: currency, Livemode: c.ds.livemode, Metadata: map[string]string{},
		PaymentMethodTypes: []string{"card"}, Status: piRequiresPaymentMethod,
	}
	if err := c.applyPaymentIntent(pi); err != nil {
		return nil, err
	}
	c.ds.paymentIntents.put(pi.ID, pi)
	c.emit("payment_intent.created", pi, nil)
	if confirm, _, err := c.p.bool("confirm"); err != nil {
		return nil, err
	} else if confirm {
		return c.confirm(pi)
	}
	return pi, nil
}

// applyPaymentIntent applies the fields create and update share.
func (c *call) applyPaymentIntent(pi *PaymentIntent) *apiError {
	if cm, ok := c.p.str("capture_method"); ok {
		if !slices.Contains([]string{"automatic", "automatic_async", "manual"}, cm) {
			return errInvalid("capture_method", "",
				"Invalid capture_method: must be one of automatic, automatic_async, or manual")
		}
		pi.CaptureMethod = cm
	}
	if cus, ok := c.p.str("customer"); ok {
		if cus == "" {
			pi.Customer = nil
		} else if _, found := c.ds.customers.get(cus); !found {
			return errNoSuch("customer", cus, "customer")
		} else {
			pi.Customer = &cus
		}
	}
	if pmID, ok := c.p.str("payment_method"); ok && pmID != "" {
		pm, err := c.resolvePaymentMethod(pmID, "payment_method")
		if err != nil {
			return err
		}
		pi.PaymentMethod = &pm.ID
		if pi.Status == piRequiresPaymentMethod || pi.Status == piRequiresAction {
			pi.Status, pi.NextAction = piRequiresConfirmation, nil
		}
	}
	if types := c.p.list("payment_method_types"); len(types) > 0 {
		pi.PaymentMethodTypes = types
	}
	optString(&pi.Description, c.p, "description")
	optString(&pi.ReceiptEmail, c.p, "receipt_email")
	optString(&pi.StatementDescriptor, c.p, "statement_descriptor")
	optString(&pi.SetupFutureUsage, c.p, "setup_future_usage")
	pi.Metadata = applyMetadata(pi.Metadata, c.p)
	return nil
}

func (c *call) paymentIntent() (*PaymentIntent, *apiError) {
	id := c.r.PathValue("id")
	pi, ok := c.ds.paymentIntents.get(id)
	if !ok {
		return nil, errNoSuch("payment_intent", id, "intent")
	}
	return pi, nil
}

func (e *Emulator) getPaymentIntent(c *call) (any, *apiError) { return c.paymentIntent() }

func (e *Emulator) updatePaymentIntent(c *call) (any, *apiError) {
	pi, err := c.paymentIntent()
	if err != nil {
		return nil, err
	}
	final := pi.Status == piSucceeded || pi.Status == piCanceled || pi.Status == piProcessing
	for k := range c.p {
		if final && k != "metadata" && k != "description" && k != "expand" {
			return nil, errUnexpectedState("You cannot update this PaymentIntent because it has a status of " +
				pi.Status + ". Only metadata and description may be updated in this status.")
		}
	}
	amount, currency, err := validateAmount(c, false)
	if err != nil {
		return nil, err
	}
	if c.p.has("amount") {
		pi.Amount = amount
	}
	if currency != "" {
		pi.Currency = currency
	}
	if err := checkMinimum(pi.Amount, pi.Currency); err != nil {
		return nil, err
	}
	return pi, c.applyPaymentIntent(pi)
}

func (e *Emulator) confirmPaymentIntent(c *call) (any, *apiError) {
	pi, err := c.paymentIntent()
	if err != nil {
		return nil, err
	}
	return c.confirm(pi)
}

func (e *Emulator) capturePaymentIntent(c *call) (any, *apiError) {
	pi, err := c.paymentIntent()
	if err != nil {
		return nil, err
	}
	if pi.Status != piRequiresCapture {
		e := errUnexpectedState("This PaymentIntent could not be captured because it has a status of " + pi.Status +
			". Only a PaymentIntent with one of the following statuses may be captured: requires_capture.")
		e.PI = pi
		return nil, e
	}
	amount := pi.AmountCapturable
	if n, ok, err := c.p.int64("amount_to_capture"); err != nil {
		return nil, err
	} else if ok {
		if n > pi.AmountCapturable {
			return nil, errInvalid("amount_to_capture", "amount_too_large",
				"The amount to capture must be less than or equal to the amount capturable.")
		}
		amount = n
	}
	pi.Status, pi.AmountReceived, pi.AmountCapturable = piSucceeded, amount, 0
	pi.Metadata = applyMetadata(pi.Metadata, c.p)
	c.emit("payment_intent.succeeded", pi, nil)
	return pi, nil
}

var cancelable = []string{piRequiresPaymentMethod, piRequiresCapture, piRequiresConfirmation, piRequiresAction, piProcessing}

func (e *Emulator) cancelPaymentIntent(c *call) (any, *apiError) {
	pi, err := c.paymentIntent()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(cancelable, pi.Status) {
		e := errUnexpectedState("You cannot cancel this PaymentIntent because it has a status of " + pi.Status +
			". Only a PaymentIntent with one of the following statuses may be canceled: " + strings.Join(cancelable, ", ") + ".")
		e.PI = pi
		return nil, e
	}
	if reason, ok := c.p.str("cancellation_reason"); ok {
		if !slices.Contains([]string{"duplicate", "fraudulent", "requested_by_customer", "abandoned"}, reason) {
			return nil, errInvalid("cancellation_reason", "",
				"Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned")
		}
		pi.CancellationReason = &reason
	}
	now := c.now
	pi.Status, pi.CanceledAt, pi.AmountCapturable, pi.NextAction = piCanceled, &now, 0, nil
	c.emit("payment_intent.canceled", pi, nil)
	return pi, nil
}

func (e *Emulator) listPaymentIntents(c *call) (any, *apiError) {
	created, err := createdFilter(c.p, "created")
	if err != nil {
		return nil, err
	}
	cus, _ := c.p.str("customer")
	items := filter(c.ds.paymentIntents.newestFirst(), func(pi *PaymentIntent) bool {
		return created(pi.Created) && (cus == "" || (pi.Customer != nil && *pi.Customer == cus))
	})
	return list(c, "/v1/payment_intents", items, func(pi *PaymentIntent) string { return pi.ID }, "payment_intent")
}
