package stripeemu

import "net/http"

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
