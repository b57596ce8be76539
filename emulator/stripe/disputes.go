package stripeemu

import (
	"slices"
	"strings"
)

// Dispute is Stripe's dispute object. Disputes are raised by the card
// network, so they appear through pm_card_createDispute or the records
// control API, never through a create call.
type Dispute struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Amount              int64             `json:"amount"`
	BalanceTransactions []any             `json:"balance_transactions"`
	Charge              string            `json:"charge"`
	Created             int64             `json:"created"`
	Currency            string            `json:"currency"`
	Evidence            map[string]any    `json:"evidence"`
	EvidenceDetails     EvidenceDetails   `json:"evidence_details"`
	IsChargeRefundable  bool              `json:"is_charge_refundable"`
	Livemode            bool              `json:"livemode"`
	Metadata            map[string]string `json:"metadata"`
	PaymentIntent       *string           `json:"payment_intent"`
	Reason              string            `json:"reason"`
	Status              string            `json:"status"`
}

// EvidenceDetails says when evidence is due and whether it was sent.
type EvidenceDetails struct {
	DueBy           int64 `json:"due_by"`
	HasEvidence     bool  `json:"has_evidence"`
	PastDue         bool  `json:"past_due"`
	SubmissionCount int64 `json:"submission_count"`
}

// evidenceText and evidenceFiles are the evidence hash's keys; files are
// file_ ids, text fields free text.
var (
	evidenceText = strings.Fields(`access_activity_log billing_address cancellation_policy_disclosure
		cancellation_rebuttal customer_email_address customer_name customer_purchase_ip
		duplicate_charge_explanation duplicate_charge_id product_description refund_policy_disclosure
		refund_refusal_explanation service_date shipping_address shipping_carrier shipping_date
		shipping_tracking_number uncategorized_text`)
	evidenceFiles = strings.Fields(`cancellation_policy customer_communication customer_signature
		duplicate_charge_documentation receipt refund_policy service_documentation
		shipping_documentation uncategorized_file`)
)

func emptyEvidence() map[string]any {
	m := map[string]any{}
	for _, k := range append(slices.Clone(evidenceText), evidenceFiles...) {
		m[k] = nil
	}
	return m
}

// newDispute opens a dispute on pi's charge (or a made-up charge when pi
// is nil), due in 7 days.
func newDispute(now int64, live bool, pi *PaymentIntent) *Dispute {
	dp := &Dispute{
		ID: newID("dp_"), Object: "dispute", Amount: 1000, BalanceTransactions: []any{},
		Charge: newID("ch_"), Created: now, Currency: "usd", Evidence: emptyEvidence(),
		EvidenceDetails: EvidenceDetails{DueBy: now + 7*day}, Livemode: live,
		Metadata: map[string]string{}, Reason: "general", Status: "needs_response",
	}
	if pi != nil {
		dp.Amount, dp.Currency, dp.PaymentIntent = pi.Amount, pi.Currency, &pi.ID
		if pi.LatestCharge != nil {
			dp.Charge = *pi.LatestCharge
		}
	}
	return dp
}

func (e *Emulator) disputeRoutes(handle func(string, apiHandler)) {
	handle("GET /v1/disputes", e.listDisputes)
	handle("GET /v1/disputes/{id}", e.getDispute)
	handle("POST /v1/disputes/{id}", e.updateDispute)
	handle("POST /v1/disputes/{id}/close", e.closeDispute)
}

func (c *call) dispute() (*Dispute, *apiError) {
	id := c.r.PathValue("id")
	dp, ok := c.ds.disputes.get(id)
	if !ok {
		return nil, errNoSuch("dispute", id, "dispute")
	}
	return dp, nil
}

func (e *Emulator) getDispute(c *call) (any, *apiError) { return c.dispute() }

func disputeOpen(status string) bool {
	return status == "needs_response" || status == "warning_needs_response"
}

func (e *Emulator) updateDispute(c *call) (any, *apiError) {
	dp, err := c.dispute()
	if err != nil {
		return nil, err
	}
	if !disputeOpen(dp.Status) {
		return nil, errInvalidRequest("This dispute has status " + dp.Status +
			"; evidence can only be updated when the status is needs_response or warning_needs_response.")
	}
	ev := c.p.sub("evidence")
	for k := range ev {
		if _, known := dp.Evidence[k]; !known {
			return nil, errInvalid("evidence["+k+"]", "parameter_unknown", "Received unknown parameter: evidence["+k+"]")
		}
	}
	submit, sent, err := c.p.bool("submit")
	if err != nil {
		return nil, err
	}
	if !sent {
		submit = true
	}
	before := snapshot(dp)
	for k, v := range ev {
		if s, ok := v.(string); ok {
			if s == "" {
				dp.Evidence[k] = nil
			} else {
				dp.Evidence[k] = s
			}
			dp.EvidenceDetails.HasEvidence = true
		}
	}
	dp.Metadata = applyMetadata(dp.Metadata, c.p)
	if submit {
		dp.EvidenceDetails.SubmissionCount++
		if dp.Status == "warning_needs_response" {
			dp.Status = "warning_under_review"
		} else {
			dp.Status = "under_review"
		}
	}
	c.emit("charge.dispute.updated", dp, previousAttributes(before, dp))
	return dp, nil
}

func (e *Emulator) closeDispute(c *call) (any, *apiError) {
	dp, err := c.dispute()
	if err != nil {
		return nil, err
	}
	if !disputeOpen(dp.Status) {
		return nil, errInvalidRequest("This dispute is already closed or under review (status " + dp.Status + ").")
	}
	before := snapshot(dp)
	if dp.Status == "warning_needs_response" {
		dp.Status = "warning_closed"
	} else {
		dp.Status = "lost"
	}
	c.emit("charge.dispute.closed", dp, previousAttributes(before, dp))
	return dp, nil
}

func (e *Emulator) listDisputes(c *call) (any, *apiError) {
	created, err := createdFilter(c.p, "created")
	if err != nil {
		return nil, err
	}
	charge, _ := c.p.str("charge")
	pi, _ := c.p.str("payment_intent")
	items := filter(c.ds.disputes.newestFirst(), func(dp *Dispute) bool {
		return created(dp.Created) && (charge == "" || dp.Charge == charge) &&
			(pi == "" || (dp.PaymentIntent != nil && *dp.PaymentIntent == pi))
	})
	return list(c, "/v1/disputes", items, func(dp *Dispute) string { return dp.ID }, "dispute")
}

// disputeEvent is the event a dispute's move to status fires.
func disputeEvent(status string) string {
	switch status {
	case "won", "lost", "warning_closed":
		return "charge.dispute.closed"
	}
	return "charge.dispute.updated"
}
