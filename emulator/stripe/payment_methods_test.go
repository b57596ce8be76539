package stripeemu

import (
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

func TestPaymentMethodsAndCustomers(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	cp := &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com"), Name: stripe.String("Ada")}
	cp.AddMetadata("erp_id", "C-1")
	cus, err := b.sc.V1Customers.Create(ctx, cp)
	if err != nil || cus.Email != "ada@example.com" || cus.Metadata["erp_id"] != "C-1" || cus.Livemode {
		t.Fatalf("create customer: %v %+v", err, cus)
	}
	if got, err := b.sc.V1Customers.Retrieve(ctx, cus.ID, nil); err != nil || got.Name != "Ada" {
		t.Fatalf("retrieve customer: %v %+v", err, got)
	}

	year := int64(time.Now().Year() + 2)
	pm, err := b.sc.V1PaymentMethods.Create(ctx, &stripe.PaymentMethodCreateParams{
		Type: stripe.String("card"),
		Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("5555555555554444"),
			ExpMonth: stripe.Int64(7), ExpYear: stripe.Int64(year), CVC: stripe.String("123")},
	})
	if err != nil || pm.Card.Brand != "mastercard" || pm.Card.Last4 != "4444" || pm.Card.ExpMonth != 7 || pm.Card.ExpYear != year {
		t.Fatalf("create pm: %v %+v", err, pm)
	}
	att, err := b.sc.V1PaymentMethods.Attach(ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
	if err != nil || att.Customer == nil || att.Customer.ID != cus.ID {
		t.Fatalf("attach: %v %+v", err, att)
	}
	visa, err := b.sc.V1PaymentMethods.Attach(ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
	if err != nil || visa.ID == "pm_card_visa" || visa.Card.Brand != "visa" || visa.Card.Last4 != "4242" {
		t.Fatalf("attach test pm: %v %+v", err, visa)
	}

	var page stripe.PaymentMethodList
	b.listPage(t, b.creds.SecretKey, "/v1/payment_methods", "customer="+cus.ID+"&type=card&limit=1", &page)
	if len(page.Data) != 1 || !page.HasMore || page.Data[0].ID != visa.ID {
		t.Errorf("list page = %d items, has_more %v", len(page.Data), page.HasMore)
	}
	n := 0
	for got, err := range b.sc.V1PaymentMethods.List(ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID), Type: stripe.String("card")}) {
		if err != nil || got.Card == nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("customer has %d methods, want 2", n)
	}

	det, err := b.sc.V1PaymentMethods.Detach(ctx, pm.ID, nil)
	if err != nil || det.Customer != nil {
		t.Fatalf("detach: %v %+v", err, det)
	}
	_, err = b.sc.V1PaymentMethods.Detach(ctx, pm.ID, nil)
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, "")
	_, err = b.sc.V1PaymentMethods.Attach(ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String("cus_nope")})
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)

	got, err := b.sc.V1PaymentMethods.Retrieve(ctx, "pm_card_chargeDeclined", nil)
	if err != nil || got.Card.Last4 != "0002" {
		t.Fatalf("retrieve test pm: %v %+v", err, got)
	}
	_, err = b.sc.V1PaymentMethods.Retrieve(ctx, "pm_nope", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
}

func TestPaymentMethodCardErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	for _, tc := range []struct {
		name   string
		number string
		month  int64
		year   int64
		code   stripe.ErrorCode
	}{
		{"bad number", "4242424242424241", 1, 2099, stripe.ErrorCodeIncorrectNumber},
		{"bad month", "4242424242424242", 13, 2099, stripe.ErrorCodeInvalidExpiryMonth},
		{"expired", "4242424242424242", 1, 2001, stripe.ErrorCodeInvalidExpiryYear},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := b.sc.V1PaymentMethods.Create(ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String(tc.number), ExpMonth: stripe.Int64(tc.month), ExpYear: stripe.Int64(tc.year)}})
			stripeErr(t, err, 402, stripe.ErrorTypeCard, tc.code)
		})
	}
	tok, err := b.sc.V1PaymentMethods.Create(ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
		Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
	if err != nil || tok.Card.Last4 != "4242" {
		t.Fatalf("tok_visa: %v %+v", err, tok)
	}
	_, err = b.sc.V1PaymentMethods.Create(ctx, &stripe.PaymentMethodCreateParams{})
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterMissing)
}
