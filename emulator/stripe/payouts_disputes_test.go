package stripeemu

import (
	"testing"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/payout"
)

func TestPayouts(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	po, err := b.sc.V1Payouts.Create(ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
	if err != nil || po.Status != "pending" || po.Amount != 5000 || po.ArrivalDate <= po.Created || po.Livemode {
		t.Fatalf("create payout: %v %+v", err, po)
	}
	got, err := b.sc.V1Payouts.Retrieve(ctx, po.ID, nil)
	if err != nil || got.ID != po.ID || got.Destination == nil || got.Destination.ID == "" {
		t.Fatalf("retrieve: %v %+v", err, got)
	}
	bal, _ := b.sc.V1Balance.Retrieve(ctx, nil)
	if bal.Available[0].Amount != 1_000_000-5000 {
		t.Errorf("balance after payout = %d", bal.Available[0].Amount)
	}
	// stripe-go v82.5.1's V1Payouts.Cancel posts to /v1/topups/{id}/cancel
	// (an SDK bug); the emulator answers that path as Stripe would.
	_, err = b.sc.V1Payouts.Cancel(ctx, po.ID, nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
	payouts := payout.Client{B: b.api, Key: b.creds.SecretKey}
	c, err := payouts.Cancel(po.ID, &stripe.PayoutParams{})
	if err != nil || c.Status != "canceled" {
		t.Fatalf("cancel: %v %+v", err, c)
	}
	_, err = payouts.Cancel(po.ID, &stripe.PayoutParams{})
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, "")
	_, err = b.sc.V1Payouts.Create(ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(9_000_000), Currency: stripe.String("usd")})
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeBalanceInsufficient)

	second, _ := b.sc.V1Payouts.Create(ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(100), Currency: stripe.String("usd")})
	var page stripe.PayoutList
	b.listPage(t, b.creds.SecretKey, "/v1/payouts", "limit=1&status=pending", &page)
	if len(page.Data) != 1 || page.Data[0].ID != second.ID || page.HasMore {
		t.Errorf("pending payouts page = %+v", page.Data)
	}
}

func TestDisputes(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	pi := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String("pm_card_createDispute"), Confirm: stripe.Bool(true)})
	if pi.Status != "succeeded" {
		t.Fatalf("dispute card intent = %s", pi.Status)
	}
	var disputes []*stripe.Dispute
	for dp, err := range b.sc.V1Disputes.List(ctx, &stripe.DisputeListParams{PaymentIntent: stripe.String(pi.ID)}) {
		if err != nil {
			t.Fatal(err)
		}
		disputes = append(disputes, dp)
	}
	if len(disputes) != 1 {
		t.Fatalf("disputes for intent = %d", len(disputes))
	}
	dp := disputes[0]
	if dp.Status != "needs_response" || dp.Amount != 2000 || dp.EvidenceDetails.DueBy <= dp.Created || dp.Charge.ID != pi.LatestCharge.ID {
		t.Errorf("dispute = %+v", dp)
	}
	up, err := b.sc.V1Disputes.Update(ctx, dp.ID, &stripe.DisputeUpdateParams{
		Evidence: &stripe.DisputeUpdateEvidenceParams{CustomerName: stripe.String("Ada"), ProductDescription: stripe.String("Widget")},
		Submit:   stripe.Bool(false)})
	if err != nil || up.Status != "needs_response" || up.Evidence.CustomerName != "Ada" || !up.EvidenceDetails.HasEvidence {
		t.Fatalf("update evidence: %v %+v", err, up)
	}
	up, err = b.sc.V1Disputes.Update(ctx, dp.ID, &stripe.DisputeUpdateParams{})
	if err != nil || up.Status != "under_review" || up.EvidenceDetails.SubmissionCount != 1 {
		t.Fatalf("submit: %v %+v", err, up)
	}
	_, err = b.sc.V1Disputes.Close(ctx, dp.ID, nil)
	stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, "")

	// A fresh dispute from Stripe's side, then closed (accepted as lost).
	var rec struct{ Record Dispute }
	b.control(t, "POST", "/_emulator/records/disputes", map[string]any{"amount": 700, "reason": "product_not_received"}, &rec)
	closed, err := b.sc.V1Disputes.Close(ctx, rec.Record.ID, nil)
	if err != nil || closed.Status != "lost" || closed.Reason != "product_not_received" {
		t.Fatalf("close: %v %+v", err, closed)
	}
	_, err = b.sc.V1Disputes.Retrieve(ctx, "dp_nope", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
}
