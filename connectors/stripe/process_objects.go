package stripe

import (
	"github.com/concordhub/concord/connector"
)

// paymentSummary is the Data of a "payment" Object: what the payment-result and
// authentication-required checks read.
type paymentSummary struct {
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	Customer         string            `json:"customer,omitempty"`
	PaymentMethod    string            `json:"payment_method,omitempty"`
	LastPaymentError *paymentError     `json:"last_payment_error,omitempty"`
	NextActionType   string            `json:"next_action_type,omitempty"`
	Livemode         bool              `json:"livemode"`
	Metadata         map[string]string `json:"metadata,omitempty"`
}

// paymentError is the part of last_payment_error an operator acts on.
type paymentError struct {
	Code        string `json:"code,omitempty"`
	DeclineCode string `json:"decline_code,omitempty"`
	Message     string `json:"message,omitempty"`
}

// paymentObject maps a payment_intent.* event. The status is the intent's own, except
// that payment_intent.payment_failed reports "payment_failed": after a decline Stripe puts
// the intent back to requires_payment_method, which alone would hide the failure.
func paymentObject(env *stripeEvent) (connector.Object, error) {
	var pi struct {
		ID               string            `json:"id"`
		Amount           int64             `json:"amount"`
		Currency         string            `json:"currency"`
		Customer         expandable        `json:"customer"`
		PaymentMethod    expandable        `json:"payment_method"`
		Status           string            `json:"status"`
		Livemode         bool              `json:"livemode"`
		Metadata         map[string]string `json:"metadata"`
		LastPaymentError *paymentError     `json:"last_payment_error"`
		NextAction       *struct {
			Type string `json:"type"`
		} `json:"next_action"`
	}
	if err := decodeObject(env, "payment_intent", &pi, &pi.ID); err != nil {
		return connector.Object{}, err
	}
	status := pi.Status
	switch env.Type {
	case "payment_intent.payment_failed":
		status = "payment_failed"
	case "payment_intent.requires_action":
		status = "requires_action"
	}
	if status == "" {
		return connector.Object{}, invalid("payment_intent %s has no status", pi.ID)
	}
	s := paymentSummary{
		Amount: pi.Amount, Currency: pi.Currency, Customer: string(pi.Customer),
		PaymentMethod: string(pi.PaymentMethod), Livemode: pi.Livemode, Metadata: pi.Metadata,
	}
	if e := pi.LastPaymentError; e != nil && (e.Code != "" || e.DeclineCode != "" || e.Message != "") {
		s.LastPaymentError = e
	}
	if pi.NextAction != nil {
		s.NextActionType = pi.NextAction.Type
	}
	return connector.Object{
		Kind: KindPayment, ExternalID: pi.ID, Status: status,
		Version: version(env.Created, paymentRank[status]), Data: summary(s),
	}, nil
}

// disputeSummary is the Data of a "dispute" Object: state and evidence for the deadline check.
type disputeSummary struct {
	Amount          int64  `json:"amount"`
	Currency        string `json:"currency"`
	Reason          string `json:"reason"`
	Charge          string `json:"charge,omitempty"`
	PaymentIntent   string `json:"payment_intent,omitempty"`
	HasEvidence     bool   `json:"has_evidence"`
	PastDue         bool   `json:"past_due"`
	SubmissionCount int64  `json:"submission_count"`
}

// disputeObject maps a charge.dispute.* event; DueAt is the evidence deadline.
func disputeObject(env *stripeEvent) (connector.Object, error) {
	var dp struct {
		ID              string     `json:"id"`
		Amount          int64      `json:"amount"`
		Currency        string     `json:"currency"`
		Reason          string     `json:"reason"`
		Charge          expandable `json:"charge"`
		PaymentIntent   expandable `json:"payment_intent"`
		Status          string     `json:"status"`
		EvidenceDetails struct {
			DueBy           int64 `json:"due_by"`
			HasEvidence     bool  `json:"has_evidence"`
			PastDue         bool  `json:"past_due"`
			SubmissionCount int64 `json:"submission_count"`
		} `json:"evidence_details"`
	}
	if err := decodeObject(env, "dispute", &dp, &dp.ID); err != nil {
		return connector.Object{}, err
	}
	if dp.Status == "" {
		return connector.Object{}, invalid("dispute %s has no status", dp.ID)
	}
	ed := dp.EvidenceDetails
	return connector.Object{
		Kind: KindDispute, ExternalID: dp.ID, Status: dp.Status,
		Version: version(env.Created, disputeRank[dp.Status]),
		DueAt:   unixTime(ed.DueBy),
		Data: summary(disputeSummary{
			Amount: dp.Amount, Currency: dp.Currency, Reason: dp.Reason,
			Charge: string(dp.Charge), PaymentIntent: string(dp.PaymentIntent),
			HasEvidence: ed.HasEvidence, PastDue: ed.PastDue, SubmissionCount: ed.SubmissionCount,
		}),
	}, nil
}

// payoutSummary is the Data of a "payout" Object, for payout timing and failed payouts.
type payoutSummary struct {
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	FailureCode    string `json:"failure_code,omitempty"`
	FailureMessage string `json:"failure_message,omitempty"`
	Method         string `json:"method,omitempty"`
}

// payoutObject maps a payout.* event; DueAt is the expected arrival date.
func payoutObject(env *stripeEvent) (connector.Object, error) {
	var po struct {
		ID             string  `json:"id"`
		Amount         int64   `json:"amount"`
		Currency       string  `json:"currency"`
		ArrivalDate    int64   `json:"arrival_date"`
		FailureCode    *string `json:"failure_code"`
		FailureMessage *string `json:"failure_message"`
		Method         string  `json:"method"`
		Status         string  `json:"status"`
	}
	if err := decodeObject(env, "payout", &po, &po.ID); err != nil {
		return connector.Object{}, err
	}
	if po.Status == "" {
		return connector.Object{}, invalid("payout %s has no status", po.ID)
	}
	s := payoutSummary{Amount: po.Amount, Currency: po.Currency, Method: po.Method}
	if po.FailureCode != nil {
		s.FailureCode = *po.FailureCode
	}
	if po.FailureMessage != nil {
		s.FailureMessage = *po.FailureMessage
	}
	return connector.Object{
		Kind: KindPayout, ExternalID: po.ID, Status: po.Status,
		Version: version(env.Created, payoutRank[po.Status]),
		DueAt:   unixTime(po.ArrivalDate), Data: summary(s),
	}, nil
}
