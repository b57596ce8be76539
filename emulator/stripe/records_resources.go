package stripeemu

import "time"

// emitFunc fires one event for a records-API change.
type emitFunc func(typ string, obj any, prev map[string]any)

func (e *Emulator) recordCustomer(ds *dataset, body map[string]any, now int64, emit emitFunc) (any, error) {
	before, cus, err := upsert(&ds.customers, body, func() *Customer { return newCustomer(now, ds.livemode) },
		func(c *Customer) string { return c.ID }, ds.livemode, "customer")
	if err != nil {
		return nil, err
	}
	ds.customers.put(cus.ID, cus)
	if before == nil {
		emit("customer.created", cus, nil)
	} else if prev := previousAttributes(before, cus); prev != nil {
		emit("customer.updated", cus, prev)
	}
	return cus, nil
}

func (e *Emulator) recordPaymentMethod(ds *dataset, body map[string]any, now int64, emit emitFunc) (any, error) {
	t := time.Unix(now, 0).UTC()
	before, pm, err := upsert(&ds.paymentMethods, body,
		func() *PaymentMethod { return newCardPM(visa, int64(t.Month()), int64(t.Year()+1), now, ds.livemode) },
		func(p *PaymentMethod) string { return p.ID }, ds.livemode, "payment_method")
	if err != nil {
		return nil, err
	}
	if old, ok := ds.paymentMethods.get(pm.ID); ok {
		pm.test = old.test
	} else if pm.Card != nil {
		pm.test = testCardByLast4(pm.Card.Last4)
	}
	ds.paymentMethods.put(pm.ID, pm)
	if before == nil {
		if pm.Customer != nil {
			emit("payment_method.attached", pm, nil)
		}
		return pm, nil
	}
	prev := previousAttributes(before, pm)
	oldCus, _ := before["customer"].(string)
	switch {
	case prev == nil:
	case pm.Customer != nil && oldCus != *pm.Customer:
		emit("payment_method.attached", pm, nil)
	case pm.Customer == nil && oldCus != "":
		emit("payment_method.detached", pm, prev)
	case prev["card"] != nil:
		// A card changed on Stripe's side is the network card updater.
		emit("payment_method.automatically_updated", pm, prev)
	default:
		emit("payment_method.updated", pm, prev)
	}
	return pm, nil
}

// testCardByLast4 gives a record-made card the outcome of the test card
// with the same last four digits, so `"last4":"0002"` declines.
func testCardByLast4(last4 string) testCard {
	for _, tc := range testCardNumbers {
		if tc.last4 == last4 {
			return tc
		}
	}
	return testCard{brand: "visa", last4: last4, funding: "credit"}
}

// paymentIntentEvent is the event a PaymentIntent's move to status fires
// ("" when Stripe has none, e.g. requires_confirmation).
func paymentIntentEvent(pi *PaymentIntent) string {
	switch pi.Status {
	case piSucceeded, piCanceled, piProcessing, piRequiresAction:
		return "payment_intent." + pi.Status
	case piRequiresCapture:
		return "payment_intent.amount_capturable_updated"
	case piRequiresPaymentMethod:
		if pi.LastPaymentError != nil {
			return "payment_intent.payment_failed"
		}
	}
	return ""
}

func (e *Emulator) recordPaymentIntent(ds *dataset, body map[string]any, now int64, emit emitFunc) (any, error) {
	before, pi, err := upsert(&ds.paymentIntents, body, func() *PaymentIntent {
		id := newID("pi_")
		return &PaymentIntent{ID: id, Object: "payment_intent", Amount: 1000, CaptureMethod: "automatic_async",
			ClientSecret: id + "_secret_" + randomString(25), ConfirmationMethod: "automatic", Created: now,
			Currency: "usd", Metadata: map[string]string{}, PaymentMethodTypes: []string{"card"},
			Status: piRequiresPaymentMethod}
	}, func(p *PaymentIntent) string { return p.ID }, ds.livemode, "payment_intent")
	if err != nil {
		return nil, err
	}
	oldStatus, _ := before["status"].(string)
	if pi.Status != oldStatus {
		// Fill what Stripe fills when a payment reaches the new status.
		switch pi.Status {
		case piSucceeded:
			if pi.AmountReceived == 0 {
				pi.AmountReceived = pi.Amount
			}
			pi.AmountCapturable, pi.NextAction = 0, nil
		case piRequiresCapture:
			if pi.AmountCapturable == 0 {
				pi.AmountCapturable = pi.Amount
			}
		case piCanceled:
			if pi.CanceledAt == nil {
				pi.CanceledAt = &now
			}
		}
		if (pi.Status == piSucceeded || pi.Status == piRequiresCapture) && pi.LatestCharge == nil {
			ch := newID("ch_")
			pi.LatestCharge = &ch
		}
	}
	ds.paymentIntents.put(pi.ID, pi)
	if before == nil {
		emit("payment_intent.created", pi, nil)
	}
	if pi.Status != oldStatus {
		if typ := paymentIntentEvent(pi); typ != "" {
			emit(typ, pi, nil)
		}
	}
	return pi, nil
}

func (e *Emulator) recordPayout(ds *dataset, body map[string]any, now int64, emit emitFunc) (any, error) {
	before, po, err := upsert(&ds.payouts, body, func() *Payout {
		po := newPayout(now, ds.livemode)
		po.Amount = 1000
		return po
	}, func(p *Payout) string { return p.ID }, ds.livemode, "payout")
	if err != nil {
		return nil, err
	}
	if po.Status == "failed" && po.FailureCode == nil {
		code, msg := "could_not_process", "The bank could not process this payout."
		po.FailureCode, po.FailureMessage = &code, &msg
	}
	if po.Status == "failed" && po.FailureBalanceTransaction == nil {
		txn := newID("txn_")
		po.FailureBalanceTransaction = &txn
	}
	ds.payouts.put(po.ID, po)
	if before == nil {
		emit("payout.created", po, nil)
		if po.Status != "pending" {
			emit(payoutEvent(po.Status), po, nil)
		}
		return po, nil
	}
	if prev := previousAttributes(before, po); prev != nil {
		typ := "payout.updated"
		if _, changed := prev["status"]; changed {
			typ = payoutEvent(po.Status)
		}
		emit(typ, po, prev)
	}
	return po, nil
}

func (e *Emulator) recordDispute(ds *dataset, body map[string]any, now int64, emit emitFunc) (any, error) {
	before, dp, err := upsert(&ds.disputes, body, func() *Dispute {
		var pi *PaymentIntent
		if id, _ := body["payment_intent"].(string); id != "" {
			pi, _ = ds.paymentIntents.get(id)
		}
		return newDispute(now, ds.livemode, pi)
	}, func(d *Dispute) string { return d.ID }, ds.livemode, "dispute")
	if err != nil {
		return nil, err
	}
	if dp.Evidence == nil {
		dp.Evidence = emptyEvidence()
	}
	ds.disputes.put(dp.ID, dp)
	if before == nil {
		emit("charge.dispute.created", dp, nil)
		if typ := disputeEvent(dp.Status); typ == "charge.dispute.closed" {
			emit(typ, dp, nil)
		}
		return dp, nil
	}
	if prev := previousAttributes(before, dp); prev != nil {
		typ := "charge.dispute.updated"
		if _, changed := prev["status"]; changed {
			typ = disputeEvent(dp.Status)
		}
		emit(typ, dp, prev)
	}
	return dp, nil
}
