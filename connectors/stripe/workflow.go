package stripe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

var _ connector.WorkflowChecker = (*Connector)(nil)

// CheckWorkflow runs Stripe's small-safe-record checks. Reversible (test mode only): a 50¢
// hold is placed on a test card and released, and a card that needs authentication must
// come back requires_action, then released too. Read-only: disputes waiting for evidence
// with their deadline, and payouts that failed in the last 30 days. A live key never places
// the hold, even when the operator allows a reversible check: test cards exist only in test
// mode, and a live hold would reserve a real customer's money.
func (c *Connector) CheckWorkflow(ctx context.Context, s *connector.Session, env connector.WorkflowEnv) ([]connector.WorkflowFinding, error) {
	var out []connector.WorkflowFinding
	mode, _ := keyMode(s.Credentials[FieldSecretKey])
	switch {
	case env.Reversible && mode == concord.ModeSandbox:
		out = append(out, c.holdCheck(ctx, s, "pm_card_visa", "requires_capture", "payment result"))
		out = append(out, c.holdCheck(ctx, s, "pm_card_authenticationRequired", "requires_action", "authentication required"))
	case env.Reversible:
		out = append(out, connector.WorkflowFinding{Check: "payment result", Status: "ok",
			Finding: "not run: a live key never places a test hold (test cards work only with a test key), even when a reversible check is allowed"})
	default:
		out = append(out, connector.WorkflowFinding{Check: "payment result", Status: "ok",
			Finding: "not run: a live key makes only read-only checks unless a reversible check is allowed"})
	}
	disputes, err := c.ListDisputes(ctx, s, 100)
	if err != nil {
		return out, err
	}
	open, first := 0, time.Time{}
	for _, d := range disputes {
		if d.Status == "needs_response" || d.Status == "warning_needs_response" {
			open++
			if d.EvidenceDetails != nil && d.EvidenceDetails.DueBy > 0 {
				if due := time.Unix(d.EvidenceDetails.DueBy, 0).UTC(); first.IsZero() || due.Before(first) {
					first = due
				}
			}
		}
	}
	df := connector.WorkflowFinding{Check: "disputes", Status: "ok", Finding: "no dispute waits for evidence"}
	if open > 0 {
		df.Status, df.Finding = "warn", fmt.Sprintf("%d dispute(s) wait for evidence", open)
		if !first.IsZero() {
			df.Finding += ", the first due " + first.Format(time.RFC3339)
		}
		df.Fix = "submit the evidence in Stripe before the deadline"
	}
	out = append(out, df)
	payouts, err := c.ListPayouts(ctx, s, time.Now().Add(-30*24*time.Hour), 100)
	if err != nil {
		return out, err
	}
	failed, code := 0, ""
	for _, p := range payouts {
		if p.Status == "failed" {
			failed++
			code = string(p.FailureCode)
		}
	}
	pf := connector.WorkflowFinding{Check: "payouts", Status: "ok", Finding: fmt.Sprintf("%d payout(s) in 30 days, none failed", len(payouts))}
	if failed > 0 {
		pf.Status, pf.Finding = "warn", fmt.Sprintf("%d payout(s) failed in 30 days (last: %s)", failed, code)
		pf.Fix = "check the payout bank account in Stripe"
	}
	return append(out, pf), nil
}

// holdCheck places a manual-capture hold with a test payment method, expects want, and
// releases the hold: nothing is charged.
func (c *Connector) holdCheck(ctx context.Context, s *connector.Session, pm, want, name string) connector.WorkflowFinding {
	f := connector.WorkflowFinding{Check: name, Reversible: true}
	pi, err := c.CreatePaymentIntent(ctx, s, PaymentIntentInput{Amount: 50, Currency: "usd", PaymentMethod: pm, Confirm: true,
		CaptureMethod: "manual", Metadata: map[string]string{"concord_workflow_check": "true"}}, checkKey())
	if err != nil {
		f.Status, f.Finding = "fail", "a 50¢ test hold was refused: "+err.Error()
		f.Fix = "read the error: the account cannot take card payments as configured"
		return f
	}
	if _, err := c.CancelPaymentIntent(ctx, s, pi.ID, checkKey()); err != nil {
		f.Status, f.Finding = "warn", fmt.Sprintf("hold %s placed but not released: %v", pi.ID, err)
		f.Fix = "cancel " + pi.ID + " in the Stripe dashboard"
		return f
	}
	if string(pi.Status) != want {
		f.Status, f.Finding = "fail", fmt.Sprintf("%s: %s came back %s, expected %s (released)", pm, pi.ID, pi.Status, want)
		f.Fix = "check the account's payment settings (capture, 3-D Secure rules)"
		return f
	}
	f.Status, f.Finding = "ok", fmt.Sprintf("%s came back %s and was released (%s)", pm, want, pi.ID)
	return f
}

func checkKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "concord-check-" + hex.EncodeToString(b)
}
