package stripe

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// accountFake answers /v1/account and /v1/balance with the given balance.
func accountFake(t *testing.T, balance string) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /v1/account":
			reply(w, 200, accountJSON)
		case "GET /v1/balance":
			reply(w, 200, balance)
		default:
			reply(w, 404, `{"error":{"code":"resource_missing","message":"Unrecognized request URL.","type":"invalid_request_error"}}`)
		}
	})
}

func TestTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		key      string
		balance  string
		mode     concord.Mode
		message  string
		mismatch bool
	}{
		{name: "test key", key: testKey, balance: balanceTestJSON, mode: concord.ModeSandbox,
			message: "connected to acct_1Concord (Acme) in test mode"},
		{name: "live key", key: liveKey, balance: balanceLiveJSON, mode: concord.ModeProduction,
			message: "connected to acct_1Concord (Acme) in live mode"},
		{name: "test key but Stripe says livemode", key: testKey, balance: balanceLiveJSON, mode: concord.ModeProduction,
			message: "the key's prefix says test mode but Stripe reports livemode=true, so the mode is production", mismatch: true},
		{name: "key without a mode prefix trusts livemode", key: "sk_123", balance: balanceTestJSON, mode: concord.ModeSandbox,
			message: "in test mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := accountFake(t, tt.balance)
			res, err := New().Test(context.Background(), f.session(tt.key))
			if err != nil {
				t.Fatal(err)
			}
			if res.Mode != tt.mode || res.AccountID != "acct_1Concord" {
				t.Errorf("result = %+v, want mode %q and acct_1Concord", res, tt.mode)
			}
			if !strings.Contains(res.Message, tt.message) {
				t.Errorf("message %q does not contain %q", res.Message, tt.message)
			}
			if strings.Contains(res.Message, "prefix says") != tt.mismatch {
				t.Errorf("message %q: mismatch note present = %v, want %v", res.Message, !tt.mismatch, tt.mismatch)
			}
			reqs := f.requests()
			if len(reqs) != 2 || reqs[0].Path != "/v1/account" || reqs[1].Path != "/v1/balance" {
				t.Fatalf("requests = %+v, want GET /v1/account then GET /v1/balance", reqs)
			}
			for _, r := range reqs {
				if got := r.Header.Get("Authorization"); got != "Bearer "+tt.key {
					t.Errorf("%s: Authorization header does not carry the session key", r.Path)
				}
			}
		})
	}
}

func TestTestExpiredKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(401, `{"error":{"code":"api_key_expired","message":"Expired API Key provided: sk_test_****1234","type":"invalid_request_error"}}`))
	_, err := New().Test(context.Background(), f.session(testKey))
	if got := connector.ClassOf(err); got != concord.ClassAuthExpired {
		t.Fatalf("class = %q (%v), want auth_expired", got, err)
	}
	if state, _, _ := connector.ClassOf(err).StateFor(); state != concord.StateExpired {
		t.Errorf("state = %q, want expired", state)
	}
	if len(f.requests()) != 1 {
		t.Errorf("made %d requests, want 1: no balance call after the account call failed, and no retry by stripe-go", len(f.requests()))
	}
}

func TestSessionWithoutKeyOrClient(t *testing.T) {
	t.Parallel()
	f := accountFake(t, balanceTestJSON)
	s := f.session("")
	_, err := New().Test(context.Background(), s)
	mustConcordError(t, err, concord.EINVALID)

	s = f.session(testKey)
	s.HTTP = nil
	_, err = New().Test(context.Background(), s)
	mustConcordError(t, err, concord.EINTERNAL)
	if n := len(f.requests()); n != 0 {
		t.Errorf("made %d requests, want none", n)
	}
}
