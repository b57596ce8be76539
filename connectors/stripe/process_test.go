package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// TestHandleWebhookEmulatorEvents makes real payments, methods, disputes and payouts on the
// emulator, reads GET /v1/events as Stripe's wire carries them and checks each object.
func TestHandleWebhookEmulatorEvents(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	ctx := context.Background()
	cus, err := m.sc.V1Customers.Create(ctx, &stripego.CustomerCreateParams{Email: stripego.String("a@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	confirm := func(pm string) *stripego.PaymentIntent {
		p := &stripego.PaymentIntentCreateParams{Amount: stripego.Int64(1200), Currency: stripego.String("usd"),
			Customer: stripego.String(cus.ID), PaymentMethod: stripego.String(pm), Confirm: stripego.Bool(true),
			Metadata: map[string]string{"order": "SO-7"}}
		p.AutomaticPaymentMethods = &stripego.PaymentIntentCreateAutomaticPaymentMethodsParams{
			Enabled: stripego.Bool(true), AllowRedirects: stripego.String("never")}
		pi, err := m.sc.V1PaymentIntents.Create(ctx, p)
		if err != nil {
			var se *stripego.Error
			if !errors.As(err, &se) || se.PaymentIntent == nil {
				t.Fatalf("confirm %s: %v", pm, err)
			}
			return se.PaymentIntent // a decline answers 402 with the intent inside
		}
		return pi
	}
	paid, declined, auth := confirm("pm_card_visa"), confirm("pm_card_chargeDeclined"), confirm("pm_card_authenticationRequired")

	pm, err := m.sc.V1PaymentMethods.Attach(ctx, "pm_card_mastercard", &stripego.PaymentMethodAttachParams{Customer: stripego.String(cus.ID)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := m.sc.V1PaymentMethods.Attach(ctx, "pm_card_amex", &stripego.PaymentMethodAttachParams{Customer: stripego.String(cus.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.sc.V1PaymentMethods.Detach(ctx, gone.ID, nil); err != nil {
		t.Fatal(err)
	}
	stale := m.record(t, "payment_methods", map[string]any{"customer": cus.ID,
		"card": map[string]any{"last4": "4242", "exp_month": 1, "exp_year": 2020}})

	dp := m.record(t, "disputes", map[string]any{"payment_intent": paid.ID})
	m.record(t, "disputes", map[string]any{"id": dp["id"], "status": "lost"})

	po, err := m.sc.V1Payouts.Create(ctx, &stripego.PayoutCreateParams{Amount: stripego.Int64(500), Currency: stripego.String("usd")})
	if err != nil {
		t.Fatal(err)
	}
	m.record(t, "payouts", map[string]any{"id": po.ID, "status": "paid"})
	failed := m.record(t, "payouts", map[string]any{"amount": 700, "status": "failed"})

	evs := m.events(t)
	store := newObjectStore()
	feed(t, store, evs)

	o := store.get(t, KindPayment, paid.ID)
	if o.Status != "succeeded" || o.ConnectionID != "conn_1" || o.UpdatedAt.IsZero() {
		t.Errorf("paid = %+v", o)
	}
	wantData(t, o, map[string]any{"amount": 1200, "currency": "usd", "customer": cus.ID,
		"payment_method": paid.PaymentMethod.ID, "livemode": false, "metadata": map[string]any{"order": "SO-7"}})
	o = store.get(t, KindPayment, declined.ID)
	if o.Status != "payment_failed" {
		t.Errorf("declined status = %s", o.Status)
	}
	wantData(t, o, map[string]any{"last_payment_error": map[string]any{"code": "card_declined",
		"decline_code": "generic_decline", "message": "Your card was declined."}})
	o = store.get(t, KindPayment, auth.ID)
	if o.Status != "requires_action" {
		t.Errorf("auth status = %s", o.Status)
	}
	wantData(t, o, map[string]any{"next_action_type": "use_stripe_sdk"})

	o = store.get(t, KindPaymentMethod, pm.ID)
	if o.Status != MethodOK {
		t.Errorf("attached method = %s", o.Status)
	}
	wantData(t, o, map[string]any{"type": "card", "brand": "mastercard", "last4": "4444",
		"exp_month": pm.Card.ExpMonth, "exp_year": pm.Card.ExpYear, "customer": cus.ID})
	if o = store.get(t, KindPaymentMethod, gone.ID); o.Status != MethodDetached {
		t.Errorf("detached method = %s", o.Status)
	}
	if o = store.get(t, KindPaymentMethod, stale["id"].(string)); o.Status != MethodExpired {
		t.Errorf("2020 card = %s", o.Status)
	}

	o = store.get(t, KindDispute, dp["id"].(string))
	due := time.Unix(int64(dp["evidence_details"].(map[string]any)["due_by"].(float64)), 0).UTC()
	if o.Status != "lost" || o.DueAt == nil || !o.DueAt.Equal(due) {
		t.Errorf("dispute = %s due %v, want lost due %v", o.Status, o.DueAt, due)
	}
	wantData(t, o, map[string]any{"amount": 1200, "currency": "usd", "reason": "general",
		"charge": paid.LatestCharge.ID, "payment_intent": paid.ID, "has_evidence": false,
		"past_due": false, "submission_count": 0})

	o = store.get(t, KindPayout, po.ID)
	if o.Status != "paid" || o.DueAt == nil || o.DueAt.Unix() != po.ArrivalDate {
		t.Errorf("payout = %s due %v, want paid due %d", o.Status, o.DueAt, po.ArrivalDate)
	}
	wantData(t, o, map[string]any{"amount": 500, "currency": "usd", "method": "standard"})
	o = store.get(t, KindPayout, failed["id"].(string))
	if o.Status != "failed" {
		t.Errorf("failed payout = %s", o.Status)
	}
	wantData(t, o, map[string]any{"failure_code": "could_not_process", "failure_message": "The bank could not process this payout."})

	// The same events delivered newest first end in the same state.
	reversed := newObjectStore()
	rev := slices.Clone(evs)
	slices.Reverse(rev)
	feed(t, reversed, rev)
	for k, want := range store.objs {
		if got := reversed.objs[k]; got.Status != want.Status || got.Version != want.Version {
			t.Errorf("reversed %s = %s v%d, want %s v%d", k, got.Status, got.Version, want.Status, want.Version)
		}
	}
}

// withCreated returns ev with its envelope's created set to at.
func withCreated(t *testing.T, ev connector.WebhookEvent, at int64) connector.WebhookEvent {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Payload, &m); err != nil {
		t.Fatal(err)
	}
	m["created"] = at
	ev.Payload, _ = json.Marshal(m)
	return ev
}

func eventOf(t *testing.T, evs []connector.WebhookEvent, typ string) connector.WebhookEvent {
	t.Helper()
	for _, ev := range evs {
		if ev.Type == typ {
			return ev
		}
	}
	t.Fatalf("no %s event", typ)
	return connector.WebhookEvent{}
}

func TestHandleWebhookOutOfOrder(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	ctx := context.Background()
	pi := m.record(t, "payment_intents", map[string]any{})
	m.record(t, "payment_intents", map[string]any{"id": pi["id"], "status": "succeeded"})
	po, err := m.sc.V1Payouts.Create(ctx, &stripego.PayoutCreateParams{Amount: stripego.Int64(500), Currency: stripego.String("usd")})
	if err != nil {
		t.Fatal(err)
	}
	m.record(t, "payouts", map[string]any{"id": po.ID, "status": "paid"})
	evs := m.events(t)
	created, succeeded := eventOf(t, evs, "payment_intent.created"), eventOf(t, evs, "payment_intent.succeeded")
	paid := eventOf(t, evs, "payout.paid")

	store := newObjectStore()
	sec := time.Now().Unix()
	feed(t, store, []connector.WebhookEvent{
		withCreated(t, succeeded, sec), withCreated(t, created, sec), // same second, late created
		paid, withCreated(t, eventOf(t, evs, "payout.created"), po.Created-3600), // an hour-old pending
	})
	if o := store.get(t, KindPayment, pi["id"].(string)); o.Status != "succeeded" {
		t.Errorf("payment = %s, want succeeded kept", o.Status)
	}
	if o := store.get(t, KindPayout, po.ID); o.Status != "paid" {
		t.Errorf("payout = %s, want paid kept", o.Status)
	}
}

func TestHandleWebhookCardHealthAtEventTime(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	cus := m.record(t, "customers", map[string]any{})
	m.record(t, "payment_methods", map[string]any{"customer": cus["id"],
		"card": map[string]any{"last4": "4242", "exp_month": 6, "exp_year": 2030}})
	attached := eventOf(t, m.events(t), "payment_method.attached")
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC), MethodOK},
		{time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), MethodExpiring}, // 30 days to July 1st
		{time.Date(2030, 6, 30, 23, 0, 0, 0, time.UTC), MethodExpiring},
		{time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC), MethodExpired},
	} {
		store := newObjectStore()
		feed(t, store, []connector.WebhookEvent{withCreated(t, attached, tt.at.Unix())})
		var id struct {
			Data struct {
				Object struct{ ID string } `json:"object"`
			} `json:"data"`
		}
		_ = json.Unmarshal(attached.Payload, &id)
		if o := store.get(t, KindPaymentMethod, id.Data.Object.ID); o.Status != tt.want {
			t.Errorf("card 06/2030 at %s = %s, want %s", tt.at, o.Status, tt.want)
		}
	}
}

func TestHandleWebhookBankAccountVerification(t *testing.T) {
	t.Parallel()
	// The emulator has card methods only; this is Stripe's documented us_bank_account shape.
	for _, tt := range []struct{ name, extra, want, verification string }{
		{"financial connections", `"financial_connections_account":"fca_1","status_details":null`, MethodOK, "financial_connections"},
		{"manual entry", `"financial_connections_account":null,"status_details":null`, MethodUnverified, "manual"},
		{"blocked", `"financial_connections_account":"fca_1","status_details":{"blocked":{"network_code":"R02","reason":"bank_account_closed"}}`, MethodUnverified, "blocked"},
	} {
		store := newObjectStore()
		feed(t, store, []connector.WebhookEvent{{ProviderEventID: "evt_1", Payload: json.RawMessage(
			`{"id":"evt_1","object":"event","type":"payment_method.attached","created":1767225600,"livemode":false,` +
				`"data":{"object":{"id":"pm_1Bank","object":"payment_method","type":"us_bank_account","customer":"cus_1",` +
				`"us_bank_account":{"bank_name":"STRIPE TEST BANK","last4":"6789",` + tt.extra + `}}}}`)}})
		o := store.get(t, KindPaymentMethod, "pm_1Bank")
		if o.Status != tt.want {
			t.Errorf("%s: status = %s, want %s", tt.name, o.Status, tt.want)
		}
		wantData(t, o, map[string]any{"type": "us_bank_account", "brand": "STRIPE TEST BANK", "last4": "6789",
			"customer": "cus_1", "verification": tt.verification})
	}
}

func TestHandleWebhookRefusesMalformed(t *testing.T) {
	t.Parallel()
	for name, payload := range map[string]string{
		"not json":       `{"id":"evt_1",`,
		"no object id":   `{"id":"evt_1","type":"payment_intent.succeeded","created":1700000000,"data":{"object":{"object":"payment_intent","status":"succeeded"}}}`,
		"no data.object": `{"id":"evt_1","type":"payout.paid","created":1700000000,"data":{}}`,
		"wrong object":   `{"id":"evt_1","type":"payout.paid","created":1700000000,"data":{"object":{"id":"ch_1","object":"charge","status":"paid"}}}`,
		"no created":     `{"id":"evt_1","type":"payout.paid","data":{"object":{"id":"po_1","object":"payout","status":"paid"}}}`,
		"bad field type": `{"id":"evt_1","type":"payout.paid","created":1700000000,"data":{"object":{"id":"po_1","object":"payout","amount":"ten"}}}`,
	} {
		err := New().HandleWebhook(context.Background(), newObjectStore(), "conn_1",
			connector.WebhookEvent{ProviderEventID: "evt_1", Payload: json.RawMessage(payload)})
		var ce *concord.Error
		if !errors.As(err, &ce) || ce.Code != concord.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
	store := newObjectStore()
	ignored := `{"id":"evt_2","type":"customer.created","created":1700000000,"data":{"object":{"id":"cus_1","object":"customer"}}}`
	if err := New().HandleWebhook(context.Background(), store, "conn_1", connector.WebhookEvent{Payload: json.RawMessage(ignored)}); err != nil || len(store.objs) != 0 {
		t.Errorf("ignored type: err %v, stored %d", err, len(store.objs))
	}
}

func TestCardHealth(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		month, year int64
		want        string
	}{
		{3, 2026, MethodExpiring}, {4, 2026, MethodOK}, {2, 2026, MethodExpired},
		{12, 2025, MethodExpired}, {12, 2026, MethodOK}, {0, 0, MethodOK},
	} {
		if got := cardHealth(tt.month, tt.year, at); got != tt.want {
			t.Errorf("cardHealth(%d/%d) = %s, want %s", tt.month, tt.year, got, tt.want)
		}
	}
}
