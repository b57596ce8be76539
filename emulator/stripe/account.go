package stripeemu

import (
	"maps"
	"slices"
)

// Account is the subset of Stripe's account object concord reads: the
// acct_ id is the account identity a connection is bound to.
type Account struct {
	ID               string            `json:"id"`
	Object           string            `json:"object"`
	BusinessProfile  map[string]any    `json:"business_profile"`
	BusinessType     string            `json:"business_type"`
	Capabilities     map[string]any    `json:"capabilities"`
	ChargesEnabled   bool              `json:"charges_enabled"`
	Country          string            `json:"country"`
	Created          int64             `json:"created"`
	DefaultCurrency  string            `json:"default_currency"`
	DetailsSubmitted bool              `json:"details_submitted"`
	Email            string            `json:"email"`
	Metadata         map[string]string `json:"metadata"`
	PayoutsEnabled   bool              `json:"payouts_enabled"`
	Settings         map[string]any    `json:"settings"`
	Type             string            `json:"type"`
}

func (e *Emulator) getAccount(c *call) (any, *apiError) {
	a := c.ref.acct
	return &Account{
		ID:               a.ID,
		Object:           "account",
		BusinessProfile:  map[string]any{"name": a.Name, "url": nil, "support_email": nil},
		BusinessType:     "company",
		Capabilities:     map[string]any{"card_payments": "active", "transfers": "active"},
		ChargesEnabled:   true,
		Country:          "US",
		Created:          a.Created,
		DefaultCurrency:  "usd",
		DetailsSubmitted: true,
		Email:            "owner@example.com",
		Metadata:         map[string]string{},
		PayoutsEnabled:   true,
		Settings: map[string]any{
			"dashboard": map[string]any{"display_name": a.Name, "timezone": "Etc/UTC"},
			"payouts":   map[string]any{"schedule": map[string]any{"interval": "daily", "delay_days": 2}},
		},
		Type: "standard",
	}, nil
}

// BalanceAmount is one currency's funds in a balance.
type BalanceAmount struct {
	Amount      int64            `json:"amount"`
	Currency    string           `json:"currency"`
	SourceTypes map[string]int64 `json:"source_types"`
}

// Balance is Stripe's balance object.
type Balance struct {
	Object    string          `json:"object"`
	Available []BalanceAmount `json:"available"`
	Pending   []BalanceAmount `json:"pending"`
	Livemode  bool            `json:"livemode"`
}

// balanceOf derives a data set's balance from its objects: the starting
// balance plus captured payments, minus payouts that were not failed or
// canceled. Processing payments count as pending.
func (ds *dataset) balanceOf() (available, pending map[string]int64) {
	available = map[string]int64{"usd": ds.startingBalance}
	pending = map[string]int64{"usd": 0}
	for _, pi := range ds.paymentIntents.oldestFirst() {
		available[pi.Currency] += pi.AmountReceived
		if pi.Status == piProcessing {
			pending[pi.Currency] += pi.Amount
		}
	}
	for _, po := range ds.payouts.oldestFirst() {
		if po.Status != "failed" && po.Status != "canceled" {
			available[po.Currency] -= po.Amount
		}
	}
	for cur := range available {
		if _, ok := pending[cur]; !ok {
			pending[cur] = 0
		}
	}
	return available, pending
}

func (e *Emulator) getBalance(c *call) (any, *apiError) {
	available, pending := c.ds.balanceOf()
	amounts := func(m map[string]int64) []BalanceAmount {
		out := []BalanceAmount{}
		for _, cur := range slices.Sorted(maps.Keys(m)) {
			out = append(out, BalanceAmount{Amount: m[cur], Currency: cur,
				SourceTypes: map[string]int64{"card": m[cur]}})
		}
		return out
	}
	return &Balance{Object: "balance", Available: amounts(available), Pending: amounts(pending),
		Livemode: c.ds.livemode}, nil
}
