package stripeemu

import (
	"testing"

	"github.com/stripe/stripe-go/v82"
)

func TestPaymentIntentOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	for _, tc := range []struct {
		pm          string
		capture     string
		wantStatus  stripe.PaymentIntentStatus
		wantErrCode stripe.ErrorCode
		wantDecline stripe.DeclineCode
	}{
		{pm: "pm_card_visa", wantStatus: "succeeded"},
		{pm: "pm_card_visa", capture: "manual", wantStatus: "requires_capture"},
		{pm: "pm_card_authenticationRequired", wantStatus: "requires_action"},
		{pm: "pm_card_threeDSecure2Required", wantStatus: "requires_action"},
		{pm: "pm_card_chargeDeclined", wantStatus: "requires_payment_method", wantErrCode: "card_declined", wantDecline: "generic_decline"},
		{pm: "pm_card_chargeDeclinedInsufficientFunds", wantStatus: "requires_payment_method", wantErrCode: "card_declined", wantDecline: "insufficient_funds"},
		{pm: "pm_card_chargeDeclinedExpiredCard", wantStatus: "requires_payment_method", wantErrCode: "expired_card", wantDecline: "expired_card"},
	} {
		t.Run(tc.pm+tc.capture, func(t *testing.T) {
			t.Parallel()
			p := &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String(tc.pm), Confirm: stripe.Bool(true)}
			if tc.capture != "" {
				p.CaptureMethod = stripe.String(tc.capture)
			}
			p.AddMetadata("order", "42")
			p.Amount, p.Currency = stripe.Int64(2500), stripe.String("usd")
			pi, err := b.sc.V1PaymentIntents.Create(ctx, p)
			if tc.wantErrCode != "" {
				se := stripeErr(t, err, 402, stripe.ErrorTypeCard, tc.wantErrCode)
				if se.DeclineCode != tc.wantDecline || se.PaymentIntent == nil || se.PaymentIntent.ID == "" {
					t.Fatalf("decline = %q, intent = %v", se.DeclineCode, se.PaymentIntent)
				}
				pi, err = b.sc.V1PaymentIntents.Retrieve(ctx, se.PaymentIntent.ID, nil)
				if err != nil {
					t.Fatal(err)
				}
				if pi.LastPaymentError == nil || pi.LastPaymentError.Code != tc.wantErrCode ||
					pi.LastPaymentError.PaymentMethod == nil || pi.LastPaymentError.PaymentMethod.Card.Last4 == "" {
					t.Errorf("last_payment_error = %+v", pi.LastPaymentError)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if pi.Status != tc.wantStatus || pi.Amount != 2500 || pi.Currency != "usd" || pi.Metadata["order"] != "42" || pi.Livemode {
				t.Errorf("intent = %s %d %s %v", pi.Status, pi.Amount, pi.Currency, pi.Metadata)
			}
			switch tc.wantStatus {
			case "succeeded":
				if pi.AmountReceived != 2500 || pi.LatestCharge == nil || pi.PaymentMethod == nil {
					t.Errorf("succeeded intent: %+v", pi)
				}
			case "requires_capture":
				if pi.AmountCapturable != 2500 {
					t.Errorf("amount_capturable = %d", pi.AmountCapturable)
				}
				cp, err := b.sc.V1PaymentIntents.Capture(ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2000)})
				if err != nil || cp.Status != "succeeded" || cp.AmountReceived != 2000 {
					t.Errorf("capture: %v %+v", err, cp)
				}
			case "requires_action":
				if pi.NextAction == nil || pi.NextAction.Type != "use_stripe_sdk" {
					t.Errorf("next_action = %+v", pi.NextAction)
				}
			}
		})
	}
}

func TestPaymentIntentLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	pi := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{})
	if pi.Status != "requires_payment_method" || pi.ClientSecret == "" || pi.Created == 0 {
		t.Fatalf("new intent = %+v", pi)
	}
	pi, err := b.sc.V1PaymentIntents.Update(ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethod: stripe.String("pm_card_visa"), Amount: stripe.Int64(3000)})
	if err != nil || pi.Status != "requires_confirmation" || pi.Amount != 3000 {
		t.Fatalf("update: %v %+v", err, pi)
	}
	pi, err = b.sc.V1PaymentIntents.Confirm(ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://shop.example/return")})
	if err != nil || pi.Status != "succeeded" {
		t.Fatalf("confirm: %v %+v", err, pi)
	}
	_, err = b.sc.V1PaymentIntents.Cancel(ctx, pi.ID, nil)
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodePaymentIntentUnexpectedState)

	other := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{})
	c, err := b.sc.V1PaymentIntents.Cancel(ctx, other.ID, &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("abandoned")})
	if err != nil || c.Status != "canceled" || c.CanceledAt == 0 || c.CancellationReason != "abandoned" {
		t.Fatalf("cancel: %v %+v", err, c)
	}

	auth := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String("pm_card_authenticationRequired"),
		Confirm: stripe.Bool(true), ReturnURL: stripe.String("https://shop.example/r")})
	if auth.NextAction == nil || auth.NextAction.Type != "redirect_to_url" || auth.NextAction.RedirectToURL.ReturnURL != "https://shop.example/r" {
		t.Errorf("redirect next_action = %+v", auth.NextAction)
	}

	list, err := b.sc.V1PaymentIntents.List(ctx, &stripe.PaymentIntentListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(2), Single: true}}), error(nil)
	n := 0
	for got, err := range list {
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && got.ID != auth.ID {
			t.Errorf("list not newest first: %s", got.ID)
		}
		n++
	}
	_ = err
	if n != 2 {
		t.Errorf("single page of limit 2 gave %d", n)
	}
	var page stripe.PaymentIntentList
	b.listPage(t, b.creds.SecretKey, "/v1/payment_intents", "limit=2", &page)
	if !page.HasMore || len(page.Data) != 2 || page.URL != "/v1/payment_intents" {
		t.Errorf("page = has_more %v, %d items", page.HasMore, len(page.Data))
	}
}

func TestPaymentIntentValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	for _, tc := range []struct {
		name  string
		form  string
		code  string
		param string
	}{
		{"missing amount", "currency=usd", "parameter_missing", "amount"},
		{"bad integer", "amount=abc&currency=usd", "parameter_invalid_integer", "amount"},
		{"too small", "amount=49&currency=usd", "amount_too_small", "amount"},
		{"missing currency", "amount=5000", "parameter_missing", "currency"},
		{"bad currency", "amount=5000&currency=xyz", "", "currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := b.raw(t, "POST", "/v1/payment_intents", b.creds.SecretKey, tc.form, nil)
			var got struct {
				Error struct{ Type, Code, Param, Message string }
			}
			decodeJSON(t, body, &got)
			if resp.StatusCode != 400 || got.Error.Type != "invalid_request_error" || got.Error.Code != tc.code ||
				got.Error.Param != tc.param || got.Error.Message == "" {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
			if resp.Header.Get("Stripe-Should-Retry") != "false" {
				t.Errorf("Stripe-Should-Retry = %q", resp.Header.Get("Stripe-Should-Retry"))
			}
		})
	}
	_, err := b.sc.V1PaymentIntents.Retrieve(ctx, "pi_missing", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
	_, err = b.sc.V1PaymentIntents.Confirm(ctx, newPI(t, b.sc, &stripe.PaymentIntentCreateParams{}).ID, nil)
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodePaymentIntentUnexpectedState)
}
