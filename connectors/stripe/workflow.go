package stripe

import (
	"bytes"
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
// hold is placed on a test card and released, and the release's webhook must reach the
// hub; a card that needs authentication must come back requires_action, then released too.
// Read-only: saved payment methods' health, disputes waiting for evidence with their
// deadline, and payouts that failed in the last 30 days. A live key never places
// the hold, even when the operator allows a reversible check: test cards exist only in test
// mode, and a live hold would reserve a real customer's money.
func (c *Connector) CheckWorkflow(ctx context.Context, s *connector.Session, env connector.WorkflowEnv) ([]connector.WorkflowFinding, error) {
	var out []connector.WorkflowFinding
	mode, _ := keyMode(s.Credentials[FieldSecretKey])
	switch {
	case env.Reversible && mode == concord.ModeSandbox:
		hold, hook := c.holdCheck(ctx, s, env, "pm_card_visa", "requires_capture", "payment result")
		out = append(out, hold)
		if hook != nil {
			out = append(out, *hook)
		}
		auth, _ := c.holdCheck(ctx, s, connector.WorkflowEnv{}, "pm_card_authenticationRequired", "requires_action", "authentication required")
		out = append(out, auth)
	case env.Reversible:
		out = append(out, connector.WorkflowFinding{Check: "payment result", Status: "ok",
			Finding: "not run: a live key never places a test hold (test cards work only with a test key), even when a reversible check is allowed"})
	default:
		out = append(out, connector.WorkflowFinding{Check: "payment result", Status: "ok",
			Finding: "not run: a live key makes only read-only checks unless a reversible check is allowed"})
	}
	if env.Objects != nil {
		methods, err := env.Objects(ctx, KindPaymentMethod)
		if err != nil {
			return out, err
		}
		out = append(out, methodHealth(methods))
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
// releases the hold: nothing is charged. With env able to watch webhooks it also confirms
// that the release's payment_intent.canceled event reached the hub, signed and stored.
func (c *Connector) holdCheck(ctx context.Context, s *connector.Session, env connector.WorkflowEnv, pm, want, name string) (connector.WorkflowFinding, *connector.WorkflowFinding) {
	f := connector.WorkflowFinding{Check: name, Reversible: true}
	pi, err := c.CreatePaymentIntent(ctx, s, PaymentIntentInput{Amount: 50, Currency: "usd", PaymentMethod: pm, Confirm: true,
		CaptureMethod: "manual", Metadata: map[string]string{"concord_workflow_check": "true"}}, checkKey())
	if err != nil {
		f.Status, f.Finding = "fail", "a 50¢ test hold was refused: "+err.Error()
		f.Fix = "read the error: the account cannot take card payments as configured"
		return f, nil
	}
	var wait func(context.Context) (bool, error)
	var noSecret *connector.WorkflowFinding
	if env.ExpectWebhook != nil && s.Credentials[FieldWebhookSecret] == "" {
		// No signing secret: no delivery could be verified, so there is nothing to wait for.
		noSecret = &connector.WorkflowFinding{Check: "webhook receipt", Status: "warn",
			Finding: "not checked: concord holds no webhook signing secret for this connection, so no delivery can be verified",
			Fix:     "register the endpoint (Webhooks tab) and store its signing secret as webhook_secret"}
	} else if env.ExpectWebhook != nil {
		wait = env.ExpectWebhook("payment_intent.canceled", func(body []byte) bool { return bytes.Contains(body, []byte(`"`+pi.ID+`"`)) })
	}
	if _, err := c.CancelPaymentIntent(ctx, s, pi.ID, checkKey()); err != nil {
		f.Status, f.Finding = "warn", fmt.Sprintf("hold %s placed but not released: %v", pi.ID, err)
		f.Fix = "cancel " + pi.ID + " in the Stripe dashboard"
		return f, nil
	}
	if string(pi.Status) != want {
		f.Status, f.Finding = "fail", fmt.Sprintf("%s: %s came back %s, expected %s (released)", pm, pi.ID, pi.Status, want)
		f.Fix = "check the account's payment settings (capture, 3-D Secure rules)"
		return f, nil
	}
	f.Status, f.Finding = "ok", fmt.Sprintf("%s came back %s and was released (%s)", pm, want, pi.ID)
	if wait == nil {
		return f, noSecret
	}
	hook := &connector.WorkflowFinding{Check: "webhook receipt"}
	arrived, err := wait(ctx)
	switch {
	case err != nil:
		hook.Status, hook.Finding = "warn", "could not watch for the release's webhook: "+err.Error()
	case arrived:
		hook.Status, hook.Finding = "ok", "payment_intent.canceled for "+pi.ID+" arrived signed and verified"
	default:
		hook.Status, hook.Finding = "fail", "payment_intent.canceled for "+pi.ID+" did not arrive"
		hook.Fix = "check the Webhooks tab: the Stripe endpoint must point at " + env.WebhookURL +
			" and concord must hold its signing secret (rotate webhook_secret if Stripe shows another)"
	}
	return f, hook
}

// methodHealth reads the saved payment methods' health the hub keeps from Stripe's events.
func methodHealth(methods []connector.Object) connector.WorkflowFinding {
	count := map[string]int{}
	for _, m := range methods {
		count[m.Status]++
	}
	f := connector.WorkflowFinding{Check: "saved methods", Status: "ok",
		Finding: fmt.Sprintf("%d saved payment method(s), none expired, expiring, detached or unverified", len(methods))}
	if len(methods) == 0 {
		f.Finding = "no saved payment method reported yet"
	}
	if bad := count[MethodExpired] + count[MethodExpiring] + count[MethodDetached] + count[MethodUnverified]; bad > 0 {
		f.Status = "warn"
		f.Finding = fmt.Sprintf("%d saved payment method(s): %d expired, %d expiring within %d days, %d detached, %d unverified",
			len(methods), count[MethodExpired], count[MethodExpiring], int(ExpiringWithin.Hours()/24), count[MethodDetached], count[MethodUnverified])
		f.Fix = "ask those customers to update their payment method before the next charge (the Records tab lists them)"
	}
	return f
}

func checkKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "concord-check-" + hex.EncodeToString(b)
}
