package stripeemu

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   string
		status int
		typ    stripe.ErrorType
		code   stripe.ErrorCode
		retry  string
	}{
		{FaultRateLimit, 429, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeRateLimit, "true"},
		{FaultServerError, 500, stripe.ErrorTypeAPI, "", "true"},
		{FaultExpireToken, 401, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeAPIKeyExpired, "false"},
		{FaultRevokeToken, 401, stripe.ErrorTypeInvalidRequest, "invalid_api_key", "false"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			b := setup(t, Options{})
			if code := b.control(t, "POST", "/_emulator/faults", map[string]any{"kind": tc.kind, "count": 2}, nil); code != 200 {
				t.Fatalf("POST faults = %d", code)
			}
			var pending struct{ Faults []fault }
			b.control(t, "GET", "/_emulator/faults", nil, &pending)
			if len(pending.Faults) != 1 || pending.Faults[0].Remaining != 2 {
				t.Errorf("pending = %+v", pending.Faults)
			}
			for range 2 {
				_, err := b.sc.V1Balance.Retrieve(ctx, nil)
				se := stripeErr(t, err, tc.status, tc.typ, tc.code)
				if got := se.LastResponse.Header.Get("Stripe-Should-Retry"); got != tc.retry {
					t.Errorf("Stripe-Should-Retry = %q", got)
				}
				if tc.kind == FaultExpireToken && !strings.HasPrefix(se.Msg, "Expired API Key provided: sk_test_****") {
					t.Errorf("message = %q", se.Msg)
				}
			}
			if _, err := b.sc.V1Balance.Retrieve(ctx, nil); err != nil {
				t.Errorf("third call still failing: %v", err)
			}
		})
	}
}

func TestTokenFaultUntilReset(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	b.control(t, "POST", "/_emulator/faults", map[string]any{"kind": "revoke_token", "count": 0}, nil)
	for range 3 {
		_, err := b.sc.V1Balance.Retrieve(ctx, nil)
		stripeErr(t, err, 401, stripe.ErrorTypeInvalidRequest, "invalid_api_key")
	}
	// Unauthenticated calls do not use up faults and still get plain 401s.
	_, err := b.client("sk_test_unknownkey1234").V1Balance.Retrieve(ctx, nil)
	stripeErr(t, err, 401, stripe.ErrorTypeInvalidRequest, "invalid_api_key")
	b.control(t, "POST", "/_emulator/reset", nil, nil)
	if _, err := b.sc.V1Balance.Retrieve(ctx, nil); err != nil {
		t.Errorf("after reset: %v", err)
	}
	if code := b.control(t, "POST", "/_emulator/faults", map[string]any{"kind": "nope"}, nil); code != 400 {
		t.Errorf("bad kind = %d", code)
	}
}

func TestTimeoutFault(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	b.control(t, "POST", "/_emulator/faults", map[string]any{"kind": "timeout", "count": 1}, nil)
	hc := &http.Client{Transport: b.srv.Client().Transport, Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := b.clientWith(b.creds.SecretKey, hc).V1Balance.Retrieve(ctx, nil)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("timeout fault: err=%v after %v", err, time.Since(start))
	}
	if _, err := b.sc.V1Balance.Retrieve(ctx, nil); err != nil {
		t.Errorf("after timeout: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{RateLimit: 3})
	var err error
	for i := 0; i < 4 && err == nil; i++ {
		_, err = b.sc.V1Balance.Retrieve(ctx, nil)
	}
	se := stripeErr(t, err, 429, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeRateLimit)
	h := se.LastResponse.Header
	if h.Get("Stripe-Should-Retry") != "true" || h.Get("Retry-After") == "" {
		t.Errorf("429 headers = %v", h)
	}
	// Buckets are per key: the live key is unaffected.
	if _, err := b.live.V1Balance.Retrieve(ctx, nil); err != nil {
		t.Errorf("live key limited by sandbox traffic: %v", err)
	}
	off := setup(t, Options{RateLimit: -1})
	for range 50 {
		if _, err := off.sc.V1Balance.Retrieve(ctx, nil); err != nil {
			t.Fatalf("limit off: %v", err)
		}
	}
}

func TestRecordsFireEvents(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	type result struct {
		Record map[string]any
		Events []eventSummary
	}
	post := func(resource string, body map[string]any, query string) result {
		var r result
		if code := b.control(t, "POST", "/_emulator/records/"+resource+query, body, &r); code != 200 {
			t.Fatalf("records %s = %d", resource, code)
		}
		return r
	}
	types := func(r result) string {
		var s []string
		for _, e := range r.Events {
			s = append(s, e.Type)
		}
		return strings.Join(s, ",")
	}
	po := post("payouts", map[string]any{"amount": 1500}, "")
	poID := po.Record["id"].(string)
	for _, tc := range []struct {
		name, resource string
		body           map[string]any
		want           string
	}{
		{"payout in transit", "payouts", map[string]any{"id": poID, "status": "in_transit"}, "payout.updated"},
		{"payout failed", "payouts", map[string]any{"id": poID, "status": "failed"}, "payout.failed"},
		{"dispute", "disputes", map[string]any{"amount": 900}, "charge.dispute.created"},
		{"customer", "customers", map[string]any{"email": "x@example.com"}, "customer.created"},
		{"succeeded intent", "payment_intents", map[string]any{"amount": 4000, "status": "succeeded"}, "payment_intent.created,payment_intent.succeeded"},
	} {
		if got := types(post(tc.resource, tc.body, "")); got != tc.want {
			t.Errorf("%s: events %q, want %q", tc.name, got, tc.want)
		}
	}
	got, err := b.sc.V1Payouts.Retrieve(ctx, poID, nil)
	if err != nil || got.Status != "failed" || got.FailureCode == "" || got.Amount != 1500 {
		t.Fatalf("failed payout via API: %v %+v", err, got)
	}
	ev, err := b.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String("payout.failed")}), error(nil)
	for e, err := range ev {
		if err != nil || e.Data.PreviousAttributes["status"] != "in_transit" || e.Request.ID != "" {
			t.Errorf("payout.failed event: %v %+v %+v", err, e.Data.PreviousAttributes, e.Request)
		}
		break
	}
	_ = err

	cus := post("customers", map[string]any{"name": "Live Co"}, "?livemode=true")
	cusID := cus.Record["id"].(string)
	if cus.Record["livemode"] != true {
		t.Errorf("livemode record = %+v", cus.Record)
	}
	if _, err := b.live.V1Customers.Retrieve(ctx, cusID, nil); err != nil {
		t.Errorf("live record not visible to live key: %v", err)
	}
	var del result
	if code := b.control(t, "DELETE", "/_emulator/records/customers/"+cusID+"?livemode=true", nil, &del); code != 200 || types(del) != "customer.deleted" {
		t.Errorf("delete = %d %q", code, types(del))
	}
	if code := b.control(t, "DELETE", "/_emulator/records/customers/cus_nope", nil, nil); code != 404 {
		t.Errorf("delete missing = %d", code)
	}

	var state State
	b.control(t, "GET", "/_emulator/state", nil, &state)
	if len(state.Accounts) != 1 || len(state.Accounts[0].Test.Events) != 7 {
		t.Errorf("state events = %d", len(state.Accounts[0].Test.Events))
	}
	b.control(t, "POST", "/_emulator/reset", nil, nil)
	b.control(t, "GET", "/_emulator/state", nil, &state)
	if len(state.Accounts[0].Test.Events) != 0 {
		t.Errorf("reset kept events")
	}
	var creds Credentials
	b.control(t, "GET", "/_emulator/credentials", nil, &creds)
	if creds != b.creds {
		t.Errorf("credentials changed across reset: %+v", creds)
	}
}
