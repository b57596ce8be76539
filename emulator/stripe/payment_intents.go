package stripeemu

import (
	"net/http"
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

// confirm runs a confirmation: the payment method's test outcome decides
// between success, a decline (402 card_error) and 3DS (requires_action).
func (c *call) confirm(pi *PaymentIntent) (any, *apiError) {
	switch pi.Status {
	case piRequiresPaymentMethod, piRequiresConfirmation, piRequiresAction:
	default:
		e := errUnexpectedState("You cannot confirm this PaymentIntent because it has a status of " + pi.Status +
			". Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.")
		e.PI = pi
		return nil, e
	}
	if pmID, _ := c.p.str("payment_method"); pmID != "" {
		pm, err := c.resolvePaymentMethod(pmID, "payment_method")
		if err != nil {
			return nil, err
		}
		pi.PaymentMethod = &pm.ID
	}
	if pi.PaymentMethod == nil {
		e := errUnexpectedState("You cannot confirm this PaymentIntent because it's missing a payment method. " +
			"You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.")
		e.PI = pi
		return nil, e
	}
	pm, _ := c.ds.paymentMethods.get(*pi.PaymentMethod)
	var tc testCard
	if pm != nil {
		tc = pm.test
	}
	charge := newID("ch_")
	switch tc.outcome {
	case outcomeDecline:
		pi.Status, pi.NextAction, pi.PaymentMethod, pi.LatestCharge = piRequiresPaymentMethod, nil, nil, &charge
		pi.LastPaymentError = &PaymentError{Charge: charge, Code: tc.code, DeclineCode: tc.declineCode,
			DocURL: "https://stripe.com/docs/error-codes/" + tc.code, Message: tc.message, PaymentMethod: pm, Type: typeCard}
		c.emit("payment_intent.payment_failed", pi, nil)
		e := newErr(http.StatusPaymentRequired, typeCard, tc.code, "", tc.message)
		e.DeclineCode, e.Charge, e.PI, e.PM = tc.declineCode, charge, pi, pm
		return nil, e
	case outcomeAuthRequired:
		pi.Status = piRequiresAction
		pi.NextAction = nextAction(c, pi)
		c.emit("payment_intent.requires_action", pi, nil)
		return pi, nil
	}
	pi.LastPaymentError, pi.NextAction, pi.LatestCharge = nil, nil, &charge
	if pi.CaptureMethod == "manual" {
		pi.Status, pi.AmountCapturable = piRequiresCapture, pi.Amount
		c.emit("payment_intent.amount_capturable_updated", pi, nil)
		return pi, nil
	}
	pi.Status, pi.AmountReceived = piSucceeded, pi.Amount
	c.emit("payment_intent.succeeded", pi, nil)
	if tc.outcome == outcomeDispute {
		dp := newDispute(c.e.now().Unix(), c.ds.livemode, pi)
		dp.Reason = "fraudulent"
		c.ds.disputes.put(dp.ID, dp)
		c.emit("charge.dispute.created", dp, nil)
	}
	return pi, nil
}

// nextAction is the 3DS step Stripe asks for: a redirect when the caller
// gave a return_url, otherwise a Stripe.js step.
func nextAction(c *call, pi *PaymentIntent) map[string]any {
	url := "https://hooks.stripe.com/3d_secure_2/hosted?merchant=" + c.ref.acct.ID + "&payment_intent=" + pi.ID
	if ret, _ := c.p.str("return_url"); ret != "" {
		return map[string]any{"type": "redirect_to_url",
			"redirect_to_url": map[string]any{"url": url, "return_url": ret}}
	}
	return map[string]any{"type": "use_stripe_sdk",
		"use_stripe_sdk": map[string]any{"type": "three_d_secure_redirect", "stripe_js": url,
			"source": newID("src_")}}
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
