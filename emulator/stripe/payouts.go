package stripeemu

// Payout is Stripe's payout object. Status moves pending -> in_transit ->
// paid (or failed / canceled); in the emulator only cancel and the records
// control API move it, since real payouts take days.
type Payout struct {
	ID                        string            `json:"id"`
	Object                    string            `json:"object"`
	Amount                    int64             `json:"amount"`
	ArrivalDate               int64             `json:"arrival_date"`
	Automatic                 bool              `json:"automatic"`
	BalanceTransaction        string            `json:"balance_transaction"`
	Created                   int64             `json:"created"`
	Currency                  string            `json:"currency"`
	Description               *string           `json:"description"`
	Destination               string            `json:"destination"`
	FailureBalanceTransaction *string           `json:"failure_balance_transaction"`
	FailureCode               *string           `json:"failure_code"`
	FailureMessage            *string           `json:"failure_message"`
	Livemode                  bool              `json:"livemode"`
	Metadata                  map[string]string `json:"metadata"`
	Method                    string            `json:"method"`
	ReconciliationStatus      string            `json:"reconciliation_status"`
	SourceType                string            `json:"source_type"`
	StatementDescriptor       *string           `json:"statement_descriptor"`
	Status                    string            `json:"status"`
	Type                      string            `json:"type"`
}

const day = 24 * 60 * 60

func newPayout(created int64, live bool) *Payout {
	return &Payout{
		ID: newID("po_"), Object: "payout", ArrivalDate: created - created%day + 2*day,
		BalanceTransaction: newID("txn_"), Created: created, Currency: "usd", Destination: "ba_1EmulatorBankAcct0000000",
		Livemode: live, Metadata: map[string]string{}, Method: "standard", ReconciliationStatus: "not_applicable",
		SourceType: "card", Status: "pending", Type: "bank_account",
	}
}

func (e *Emulator) payoutRoutes(handle func(string, apiHandler)) {
	handle("POST /v1/payouts", e.createPayout)
	handle("GET /v1/payouts", e.listPayouts)
	handle("GET /v1/payouts/{id}", e.getPayout)
	handle("POST /v1/payouts/{id}", e.updatePayout)
	handle("POST /v1/payouts/{id}/cancel", e.cancelPayout)
	// Top-ups are not emulated; Stripe answers an unknown one with 404.
	// stripe-go v82.5.1's V1Payouts.Cancel wrongly calls this path.
	handle("POST /v1/topups/{id}/cancel", func(c *call) (any, *apiError) {
		return nil, errNoSuch("topup", c.r.PathValue("id"), "id")
	})
}

func (e *Emulator) createPayout(c *call) (any, *apiError) {
	amount, currency, err := validateAmount(c, true)
	if err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, errInvalid("amount", "parameter_invalid_integer",
			"Invalid positive integer")
	}
	if available, _ := c.ds.balanceOf(); available[currency] < amount {
		return nil, errInvalid("amount", "balance_insufficient",
			"You have insufficient funds in your Stripe account. One likely reason you have insufficient funds is that your funds are automatically being paid out; try enabling manual payouts by going to https://dashboard.stripe.com/account/payouts.")
	}
	po := newPayout(c.now, c.ds.livemode)
	po.Amount, po.Currency = amount, currency
	if m, ok := c.p.str("method"); ok {
		if m != "standard" && m != "instant" {
			return nil, errInvalid("method", "", "Invalid method: must be one of standard or instant")
		}
		po.Method = m
		if m == "instant" {
			po.ArrivalDate = c.now
		}
	}
	optString(&po.Description, c.p, "description")
	optString(&po.StatementDescriptor, c.p, "statement_descriptor")
	po.Metadata = applyMetadata(po.Metadata, c.p)
	c.ds.payouts.put(po.ID, po)
	c.emit("payout.created", po, nil)
	return po, nil
}

func (c *call) payout() (*Payout, *apiError) {
	id := c.r.PathValue("id")
	po, ok := c.ds.payouts.get(id)
	if !ok {
		return nil, errNoSuch("payout", id, "id")
	}
	return po, nil
}

func (e *Emulator) getPayout(c *call) (any, *apiError) { return c.payout() }

func (e *Emulator) updatePayout(c *call) (any, *apiError) {
	po, err := c.payout()
	if err != nil {
		return nil, err
	}
	before := snapshot(po)
	po.Metadata = applyMetadata(po.Metadata, c.p)
	c.emit("payout.updated", po, previousAttributes(before, po))
	return po, nil
}

func (e *Emulator) cancelPayout(c *call) (any, *apiError) {
	po, err := c.payout()
	if err != nil {
		return nil, err
	}
	if po.Status != "pending" {
		return nil, errInvalidRequest("Payouts can only be canceled while they are pending.")
	}
	po.Status = "canceled"
	c.emit("payout.canceled", po, map[string]any{"status": "pending"})
	return po, nil
}

func (e *Emulator) listPayouts(c *call) (any, *apiError) {
	created, err := createdFilter(c.p, "created")
	if err != nil {
		return nil, err
	}
	arrival, err := createdFilter(c.p, "arrival_date")
	if err != nil {
		return nil, err
	}
	status, _ := c.p.str("status")
	items := filter(c.ds.payouts.newestFirst(), func(po *Payout) bool {
		return created(po.Created) && arrival(po.ArrivalDate) && (status == "" || po.Status == status)
	})
	return list(c, "/v1/payouts", items, func(po *Payout) string { return po.ID }, "payout")
}

// payoutEvent is the event a payout's move to status fires.
func payoutEvent(status string) string {
	switch status {
	case "paid", "failed", "canceled":
		return "payout." + status
	}
	return "payout.updated"
}
