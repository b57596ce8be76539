package stripeemu

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

func TestParseForm(t *testing.T) {
	t.Parallel()
	body := "amount=100&metadata[order]=42&metadata[note]=a%20b&expand[]=customer&expand[]=payment_method" +
		"&payment_method_types[0]=card&card[number]=4242&created[gte]=10&enabled_events[]=*"
	r, _ := http.NewRequest("POST", "/v1/x?limit=3", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p, _, err := parseForm(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ got, want string }{
		{strings.Join(p.list("expand"), ","), "customer,payment_method"},
		{strings.Join(p.list("payment_method_types"), ","), "card"},
		{strings.Join(p.list("enabled_events"), ","), "*"},
		{p.sub("metadata")["note"].(string), "a b"},
		{p.sub("card")["number"].(string), "4242"},
		{p.sub("created")["gte"].(string), "10"},
		{p["limit"].(string), "3"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	md := applyMetadata(map[string]string{"keep": "1", "drop": "2"}, params{"metadata": params{"drop": "", "new": "3"}})
	if len(md) != 2 || md["keep"] != "1" || md["new"] != "3" {
		t.Errorf("metadata merge = %v", md)
	}
	json, _ := http.NewRequest("POST", "/v1/x", strings.NewReader(`{"a":1}`))
	json.Header.Set("Content-Type", "application/json")
	if _, _, err := parseForm(json); err == nil {
		t.Errorf("JSON body accepted")
	}
}

func TestMaskKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sk_test_51abcdefghijklmnopqrstuvwxyz": "sk_test_****wxyz",
		"sk_live_xyz":                          "sk_live_****",
		"garbage-key-1234":                     "****1234",
	} {
		if got := maskKey(in); got != want {
			t.Errorf("maskKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{RateLimit: -1})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := b.sc
			if i%2 == 1 {
				sc = b.live
			}
			for range 10 {
				pi, err := sc.V1PaymentIntents.Create(ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000),
					Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
				if err != nil || pi.Status != "succeeded" {
					t.Errorf("concurrent create: %v", err)
					return
				}
				for range sc.V1Events.List(ctx, &stripe.EventListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(5), Single: true}}) {
				}
			}
		}()
	}
	wg.Wait()
	var state State
	b.control(t, "GET", "/_emulator/state", nil, &state)
	if n := len(state.Accounts[0].Test.Events); n != 8*10*2 {
		t.Errorf("test events = %d, want 160", n)
	}
}
