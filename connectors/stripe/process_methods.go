package stripe

import (
	"time"

	"github.com/concordhub/concord/connector"
)

// Saved payment method health, as the "payment_method" Object's Status.
const (
	MethodOK         = "ok"
	MethodExpiring   = "expiring"
	MethodExpired    = "expired"
	MethodDetached   = "detached"
	MethodUnverified = "unverified"
)

// ExpiringWithin is how close to its expiry a card counts as expiring.
const ExpiringWithin = 30 * 24 * time.Hour

// methodSummary is the Data of a "payment_method" Object. For a bank account Brand is the
// bank's name and Verification says how the account was proven.
type methodSummary struct {
	Type         string `json:"type"`
	Brand        string `json:"brand,omitempty"`
	Last4        string `json:"last4,omitempty"`
	ExpMonth     int64  `json:"exp_month,omitempty"`
	ExpYear      int64  `json:"exp_year,omitempty"`
	Customer     string `json:"customer,omitempty"`
	Verification string `json:"verification,omitempty"`
	BlockReason  string `json:"block_reason,omitempty"`
}

// paymentMethodObject maps payment_method.attached, .detached, .updated and
// .automatically_updated; other payment_method.* types yield no Object. Health is judged
// at the event's time, not at processing time, so a replayed event reports what was true
// when Stripe sent it.
func paymentMethodObject(env *stripeEvent) (connector.Object, error) {
	rank, ok := methodEventRank[env.Type]
	if !ok {
		return connector.Object{}, nil
	}
	var pm struct {
		ID       string     `json:"id"`
		Type     string     `json:"type"`
		Customer expandable `json:"customer"`
		Card     *struct {
			Brand    string `json:"brand"`
			Last4    string `json:"last4"`
			ExpMonth int64  `json:"exp_month"`
			ExpYear  int64  `json:"exp_year"`
		} `json:"card"`
		USBankAccount *struct {
			BankName                    string `json:"bank_name"`
			Last4                       string `json:"last4"`
			FinancialConnectionsAccount string `json:"financial_connections_account"`
			StatusDetails               *struct {
				Blocked *struct {
					Reason string `json:"reason"`
				} `json:"blocked"`
			} `json:"status_details"`
		} `json:"us_bank_account"`
	}
	if err := decodeObject(env, "payment_method", &pm, &pm.ID); err != nil {
		return connector.Object{}, err
	}
	s := methodSummary{Type: pm.Type, Customer: string(pm.Customer)}
	status := MethodOK
	switch {
	case pm.Card != nil:
		c := pm.Card
		s.Brand, s.Last4, s.ExpMonth, s.ExpYear = c.Brand, c.Last4, c.ExpMonth, c.ExpYear
		status = cardHealth(c.ExpMonth, c.ExpYear, env.at)
	case pm.USBankAccount != nil:
		b := pm.USBankAccount
		s.Brand, s.Last4 = b.BankName, b.Last4
		s.Verification, status = bankVerification(b.FinancialConnectionsAccount != "", b.StatusDetails != nil && b.StatusDetails.Blocked != nil)
		if status == MethodUnverified && b.StatusDetails != nil && b.StatusDetails.Blocked != nil {
			s.BlockReason = b.StatusDetails.Blocked.Reason
		}
	}
	if env.Type == "payment_method.detached" {
		status = MethodDetached
	}
	return connector.Object{
		Kind: KindPaymentMethod, ExternalID: pm.ID, Status: status,
		Version: version(env.Created, rank), Data: summary(s),
	}, nil
}

// cardHealth judges a card at time at. A card is good through the last day of its expiry
// month; Stripe gives no day or zone, so the month ends at midnight UTC.
func cardHealth(month, year int64, at time.Time) string {
	if month < 1 || month > 12 || year <= 0 {
		return MethodOK // no expiry known (e.g. a wallet card): nothing to warn about
	}
	end := time.Date(int(year), time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case !at.Before(end):
		return MethodExpired
	case end.Sub(at) <= ExpiringWithin:
		return MethodExpiring
	}
	return MethodOK
}

// bankVerification judges a us_bank_account. Stripe's payment method object carries no
// verification flag: an account linked through Financial Connections was proven at
// linking; one entered by hand is proven by micro-deposits, whose completion Stripe
// reports on the SetupIntent or PaymentIntent, not here. On the safe side a hand-entered
// account is reported unverified (until a succeeding payment shows otherwise), and so is
// one Stripe blocked after an ACH return (status_details.blocked), which must be verified
// again before it can be debited.
func bankVerification(financialConnections, blocked bool) (verification, status string) {
	switch {
	case blocked:
		return "blocked", MethodUnverified
	case financialConnections:
		return "financial_connections", MethodOK
	}
	return "manual", MethodUnverified
}
