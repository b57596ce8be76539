package stripeemu

import (
	"net/http"
	"time"
)

// PaymentMethod is Stripe's payment_method object (type card only).
type PaymentMethod struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	AllowRedisplay string            `json:"allow_redisplay"`
	BillingDetails BillingDetails    `json:"billing_details"`
	Card           *Card             `json:"card"`
	Created        int64             `json:"created"`
	Customer       *string           `json:"customer"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
	Type           string            `json:"type"`

	test testCard // how charging it ends; kept across record merges
}

// BillingDetails is a payment method's billing_details.
type BillingDetails struct {
	Address map[string]*string `json:"address"`
	Email   *string            `json:"email"`
	Name    *string            `json:"name"`
	Phone   *string            `json:"phone"`
}

// Card is a card payment method's card hash. ExpMonth and ExpYear let
// concord compute "expiring" and "expired" health.
type Card struct {
	Brand             string         `json:"brand"`
	Checks            map[string]any `json:"checks"`
	Country           string         `json:"country"`
	DisplayBrand      string         `json:"display_brand"`
	ExpMonth          int64          `json:"exp_month"`
	ExpYear           int64          `json:"exp_year"`
	Fingerprint       string         `json:"fingerprint"`
	Funding           string         `json:"funding"`
	Last4             string         `json:"last4"`
	Networks          map[string]any `json:"networks"`
	ThreeDSecureUsage map[string]any `json:"three_d_secure_usage"`
	Wallet            any            `json:"wallet"`
}

func emptyAddress() map[string]*string {
	return map[string]*string{"city": nil, "country": nil, "line1": nil, "line2": nil,
		"postal_code": nil, "state": nil}
}

func newCardPM(tc testCard, expMonth, expYear, created int64, live bool) *PaymentMethod {
	return &PaymentMethod{
		ID: newID("pm_"), Object: "payment_method", AllowRedisplay: "unspecified",
		BillingDetails: BillingDetails{Address: emptyAddress()},
		Card: &Card{
			Brand: tc.brand, Country: "US", DisplayBrand: tc.brand, ExpMonth: expMonth, ExpYear: expYear,
			Fingerprint: "fp" + tc.brand + tc.last4, Funding: tc.funding, Last4: tc.last4,
			Checks:            map[string]any{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": "unchecked"},
			Networks:          map[string]any{"available": []string{tc.brand}, "preferred": nil},
			ThreeDSecureUsage: map[string]any{"supported": true},
		},
		Created: created, Livemode: live, Metadata: map[string]string{}, Type: "card", test: tc,
	}
}

// resolvePaymentMethod finds id, turning Stripe's test ids (pm_card_visa,
// ...) into a fresh stored payment method as Stripe does.
func (c *call) resolvePaymentMethod(id, param string) (*PaymentMethod, *apiError) {
	if pm, ok := c.ds.paymentMethods.get(id); ok {
		return pm, nil
	}
	if tc, ok := testPaymentMethods[id]; ok {
		t := time.Unix(c.now, 0).UTC()
		pm := newCardPM(tc, int64(t.Month()), int64(t.Year()+1), c.now, c.ds.livemode)
		c.ds.paymentMethods.put(pm.ID, pm)
		return pm, nil
	}
	return nil, errNoSuch("PaymentMethod", id, param)
}

func (e *Emulator) paymentMethodRoutes(handle func(string, apiHandler)) {
	handle("POST /v1/payment_methods", e.createPaymentMethod)
	handle("GET /v1/payment_methods", e.listPaymentMethods)
	handle("GET /v1/payment_methods/{id}", e.getPaymentMethod)
	handle("POST /v1/payment_methods/{id}", e.updatePaymentMethod)
	handle("POST /v1/payment_methods/{id}/attach", e.attachPaymentMethod)
	handle("POST /v1/payment_methods/{id}/detach", e.detachPaymentMethod)
}

func cardError(code, param, msg string) *apiError {
	return newErr(http.StatusPaymentRequired, typeCard, code, param, msg)
}

func (e *Emulator) createPaymentMethod(c *call) (any, *apiError) {
	typ, _ := c.p.str("type")
	if typ == "" {
		return nil, errMissing("type")
	}
	if typ != "card" {
		return nil, errInvalid("type", "", "The emulator supports only payment method type card, not "+typ+".")
	}
	card := c.p.sub("card")
	var tc testCard
	if tok, ok := card.str("token"); ok {
		var found bool
		if tc, found = testToken(tok); !found {
			return nil, errNoSuch("token", tok, "card[token]")
		}
		t := time.Unix(c.now, 0).UTC()
		pm := newCardPM(tc, int64(t.Month()), int64(t.Year()+1), c.now, c.ds.livemode)
		return c.finishPaymentMethod(pm)
	}
	number, _ := card.str("number")
	if number == "" {
		return nil, errMissing("card[number]")
	}
	tc, ok := cardFromNumber(number)
	if !ok {
		return nil, cardError("incorrect_number", "card[number]", "Your card number is incorrect.")
	}
	month, ok, err := card.int64("exp_month")
	if err != nil || !ok {
		return nil, errMissing("card[exp_month]")
	}
	year, ok, err := card.int64("exp_year")
	if err != nil || !ok {
		return nil, errMissing("card[exp_year]")
	}
	if year < 100 {
		year += 2000
	}
	if month < 1 || month > 12 {
		return nil, cardError("invalid_expiry_month", "card[exp_month]", "Your card's expiration month is invalid.")
	}
	now := time.Unix(c.now, 0).UTC()
	if year < int64(now.Year()) || (year == int64(now.Year()) && month < int64(now.Month())) {
		return nil, cardError("invalid_expiry_year", "card[exp_year]", "Your card's expiration year is invalid.")
	}
	return c.finishPaymentMethod(newCardPM(tc, month, year, c.now, c.ds.livemode))
}

func (c *call) finishPaymentMethod(pm *PaymentMethod) (any, *apiError) {
	applyBillingDetails(&pm.BillingDetails, c.p.sub("billing_details"))
	pm.Metadata = applyMetadata(pm.Metadata, c.p)
	c.ds.paymentMethods.put(pm.ID, pm)
	return pm, nil
}

func applyBillingDetails(bd *BillingDetails, p params) {
	optString(&bd.Email, p, "email")
	optString(&bd.Name, p, "name")
	optString(&bd.Phone, p, "phone")
	for k, v := range p.sub("address") {
		if s, ok := v.(string); ok {
			bd.Address[k] = &s
		}
	}
}

func (e *Emulator) getPaymentMethod(c *call) (any, *apiError) {
	return c.resolvePaymentMethod(c.r.PathValue("id"), "payment_method")
}

func (e *Emulator) updatePaymentMethod(c *call) (any, *apiError) {
	pm, err := c.resolvePaymentMethod(c.r.PathValue("id"), "payment_method")
	if err != nil {
		return nil, err
	}
	before := snapshot(pm)
	applyBillingDetails(&pm.BillingDetails, c.p.sub("billing_details"))
	card := c.p.sub("card")
	if m, ok, err := card.int64("exp_month"); err != nil {
		return nil, err
	} else if ok {
		pm.Card.ExpMonth = m
	}
	if y, ok, err := card.int64("exp_year"); err != nil {
		return nil, err
	} else if ok {
		pm.Card.ExpYear = y
	}
	pm.Metadata = applyMetadata(pm.Metadata, c.p)
	c.emit("payment_method.updated", pm, previousAttributes(before, pm))
	return pm, nil
}

func (e *Emulator) attachPaymentMethod(c *call) (any, *apiError) {
	pm, err := c.resolvePaymentMethod(c.r.PathValue("id"), "payment_method")
	if err != nil {
		return nil, err
	}
	cus, _ := c.p.str("customer")
	if cus == "" {
		return nil, errMissing("customer")
	}
	if _, ok := c.ds.customers.get(cus); !ok {
		return nil, errNoSuch("customer", cus, "customer")
	}
	if pm.Customer != nil {
		if *pm.Customer == cus {
			return pm, nil
		}
		return nil, errInvalid("", "", "The payment method you provided has already been attached to a customer.")
	}
	pm.Customer = &cus
	c.emit("payment_method.attached", pm, nil)
	return pm, nil
}

func (e *Emulator) detachPaymentMethod(c *call) (any, *apiError) {
	pm, err := c.resolvePaymentMethod(c.r.PathValue("id"), "payment_method")
	if err != nil {
		return nil, err
	}
	if pm.Customer == nil {
		return nil, errInvalid("", "", "The payment method "+pm.ID+
			" is not attached to a customer so detachment is impossible.")
	}
	prev := map[string]any{"customer": *pm.Customer}
	pm.Customer = nil
	c.emit("payment_method.detached", pm, prev)
	return pm, nil
}

func (e *Emulator) listPaymentMethods(c *call) (any, *apiError) {
	cus, _ := c.p.str("customer")
	if cus != "" {
		if _, ok := c.ds.customers.get(cus); !ok {
			return nil, errNoSuch("customer", cus, "customer")
		}
	}
	typ, _ := c.p.str("type")
	items := filter(c.ds.paymentMethods.newestFirst(), func(pm *PaymentMethod) bool {
		return (cus == "" || (pm.Customer != nil && *pm.Customer == cus)) && (typ == "" || pm.Type == typ)
	})
	return list(c, "/v1/payment_methods", items, func(pm *PaymentMethod) string { return pm.ID }, "payment_method")
}

// list pages items into Stripe's list envelope.
func list[T any](c *call, url string, items []*T, idOf func(*T) string, resource string) (any, *apiError) {
	data, more, err := page(c.p, items, idOf, resource)
	if err != nil {
		return nil, err
	}
	return &listResponse{Object: "list", URL: url, HasMore: more, Data: data}, nil
}
