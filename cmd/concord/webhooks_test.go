package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

type panelJSON struct {
	Supported            bool           `json:"supported"`
	URL                  string         `json:"url"`
	RequiredEvents       []string       `json:"required_events"`
	SecretStatus         string         `json:"secret_status"`
	LastReceivedAt       *time.Time     `json:"last_received_at"`
	VerificationFailures int            `json:"verification_failures"`
	FailureReasons       map[string]int `json:"verification_failure_reasons"`
	Subscription         *struct {
		Found         bool     `json:"found"`
		Status        string   `json:"status"`
		MissingEvents []string `json:"missing_events"`
	} `json:"subscription"`
}

type eventJSON struct {
	ID              string `json:"id"`
	ProviderEventID string `json:"provider_event_id"`
	EventType       string `json:"event_type"`
	Source          string `json:"source"`
	Verified        bool   `json:"verified"`
	Duplicates      int    `json:"duplicates"`
	Status          string `json:"status"`
}

type objectJSON struct {
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id"`
	Status     string `json:"status"`
}

// stripeForm calls the emulator's Stripe API with a form body, as stripe-go would.
func stripeForm(t *testing.T, base, key, path string, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

// deliver posts a body to the hub's webhook URL with the given Stripe-Signature.
func (h *harness) deliver(id string, body []byte, sig string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.app.URL+"/hooks/"+id, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func signed(body []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: at}).Header
}

func stripeEvent(id, typ, pi, status string, created time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "created": created.Unix(), "livemode": false,
		"api_version": "2025-08-27.basil", "data": map[string]any{"object": map[string]any{
			"id": pi, "object": "payment_intent", "status": status, "amount": 1500, "currency": "usd", "livemode": false}}})
	return b
}

// TestWebhooksEndToEnd: the emulator's real signed deliveries reach the generic intake,
// are stored before the 2xx, deduplicated, processed once into domain objects, and the
// panel, test action, replay and recovery all work from the same records.
func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Hooks Co", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		c := h.connectStripe(e.ID, sandboxCreds(creds), h.emuURL)
		var panel panelJSON
		h.do("GET", "/v1/connections/"+c.ID+"/webhooks", h.token, nil, &panel)
		if !panel.Supported || panel.SecretStatus != "missing" || panel.URL != c.WebhookURL || len(panel.RequiredEvents) == 0 {
			t.Fatalf("panel before set-up %+v", panel)
		}
		if panel.Subscription == nil || panel.Subscription.Found {
			t.Fatalf("subscription before set-up %+v", panel.Subscription)
		}
		// The operator registers the URL at Stripe (here the emulator) for a few events and
		// stores the signing secret.
		ep := stripeForm(t, h.emuURL, creds["secret_key"], "/v1/webhook_endpoints", url.Values{"url": {c.WebhookURL},
			"enabled_events[]": {"payment_intent.succeeded", "payment_intent.created", "payment_intent.canceled", "payment_intent.payment_failed"}})
		secret := ep["secret"].(string)
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, map[string]any{
			"credentials": map[string]string{"webhook_secret": secret}}, nil); st != 200 {
			t.Fatalf("store webhook secret: %d", st)
		}
		h.do("GET", "/v1/connections/"+c.ID+"/webhooks", h.token, nil, &panel)
		if panel.SecretStatus != "set" || panel.Subscription == nil || !panel.Subscription.Found || len(panel.Subscription.MissingEvents) == 0 {
			t.Fatalf("panel after set-up %+v %+v", panel, panel.Subscription)
		}

		// A payment made through the hub: the emulator sends its signed events back.
		pay := map[string]any{"operation": "payment_intent.create", "payload": map[string]any{
			"amount": 1500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": true}}
		var w writeJSON
		h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &w)
		var objs struct{ Data []objectJSON }
		eventually(t, "payment object from the webhook", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/objects?kind=payment", h.token, nil, &objs)
			return len(objs.Data) == 1 && objs.Data[0].Status == "succeeded"
		})
		var evs struct{ Data []eventJSON }
		h.do("GET", "/v1/connections/"+c.ID+"/webhook-events", h.token, nil, &evs)
		if len(evs.Data) < 2 {
			t.Fatalf("events %+v", evs.Data)
		}
		for _, ev := range evs.Data {
			if !ev.Verified || ev.Source != "webhook" {
				t.Fatalf("event %+v", ev)
			}
		}
		h.do("GET", "/v1/connections/"+c.ID+"/webhooks", h.token, nil, &panel)
		if panel.SecretStatus != "verifying" || panel.LastReceivedAt == nil {
			t.Fatalf("panel after deliveries %+v", panel)
		}

		// Our own deliveries, signed by stripe-go's signer: new, then a duplicate.
		now := time.Now()
		body := stripeEvent("evt_manual_1", "payment_intent.succeeded", "pi_manual_1", "succeeded", now)
		st, out := h.deliver(c.ID, body, signed(body, secret, now))
		if st != 200 || out["duplicate"] != false {
			t.Fatalf("delivery: %d %v", st, out)
		}
		st, out = h.deliver(c.ID, body, signed(body, secret, now))
		if st != 200 || out["duplicate"] != true {
			t.Fatalf("duplicate delivery: %d %v", st, out)
		}
		// Out of order: an older event about the same payment arrives late and changes nothing.
		old := stripeEvent("evt_manual_0", "payment_intent.created", "pi_manual_1", "requires_payment_method", now.Add(-time.Minute))
		if st, _ := h.deliver(c.ID, old, signed(old, secret, now)); st != 200 {
			t.Fatalf("late delivery: %d", st)
		}
		eventually(t, "manual events processed", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/webhook-events?limit=100", h.token, nil, &evs)
			done := 0
			for _, ev := range evs.Data {
				if strings.HasPrefix(ev.ProviderEventID, "evt_manual_") && ev.Status == "processed" {
					done++
				}
			}
			return done == 2
		})
		for _, ev := range evs.Data {
			if ev.ProviderEventID == "evt_manual_1" && ev.Duplicates != 1 {
				t.Fatalf("duplicates of evt_manual_1 = %d", ev.Duplicates)
			}
		}
		h.do("GET", "/v1/connections/"+c.ID+"/objects?kind=payment", h.token, nil, &objs)
		for _, o := range objs.Data {
			if o.ExternalID == "pi_manual_1" && o.Status != "succeeded" {
				t.Fatalf("an older event overwrote newer state: %+v", o)
			}
		}

		// Bad deliveries: answered as the contract says, counted, never stored.
		other := stripeEvent("evt_bad", "payment_intent.succeeded", "pi_bad", "succeeded", now)
		bad := []struct {
			name   string
			body   []byte
			sig    string
			status int
		}{
			{"missing signature", other, "", 401},
			{"malformed signature", other, "v1=zz", 401},
			{"signature for another body", other, signed(body, secret, now), 401},
			{"wrong secret", other, signed(other, "whsec_not_the_secret_at_all_000000", now), 401},
			{"expired timestamp", other, signed(other, secret, now.Add(-10*time.Minute)), 401},
			{"future timestamp", other, signed(other, secret, now.Add(10*time.Minute)), 401},
			{"signed non-JSON", []byte("not json"), signed([]byte("not json"), secret, now), 401},
			{"huge body", bytes.Repeat([]byte("a"), 3<<20), "", 413},
		}
		for _, b := range bad {
			st, out := h.deliver(c.ID, b.body, b.sig)
			if st != b.status {
				t.Errorf("%s: %d %v, want %d", b.name, st, out, b.status)
			}
			if raw, _ := json.Marshal(out); bytes.Contains(raw, []byte("pi_bad")) || bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: the answer echoes the body or the secret", b.name)
			}
		}
		if st, _ := h.deliver("con_unknown", body, signed(body, secret, now)); st != 404 {
			t.Errorf("unknown connection: %d", st)
		}
		eventually(t, "verification failures counted", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/webhooks", h.token, nil, &panel)
			return panel.VerificationFailures >= 7
		})
		if panel.SecretStatus != "failing" {
			t.Fatalf("secret status after failures %q", panel.SecretStatus)
		}
		h.do("GET", "/v1/connections/"+c.ID+"/webhook-events?limit=200", h.token, nil, &evs)
		for _, ev := range evs.Data {
			if ev.ProviderEventID == "evt_bad" {
				t.Fatal("a refused delivery was stored")
			}
		}

		// Test-webhook: the service sends a signed event and the panel shows its receipt.
		var tw struct {
			Sent, Received bool
			Event          *eventJSON
		}
		if st := h.do("POST", "/v1/connections/"+c.ID+"/webhooks/test", h.token, nil, &tw); st != 200 || !tw.Sent || !tw.Received || tw.Event == nil {
			t.Fatalf("test webhook: %d %+v", st, tw)
		}
		h.do("GET", "/v1/connections/"+c.ID+"/webhooks", h.token, nil, &panel)
		if panel.SecretStatus != "verifying" {
			t.Fatalf("secret status after a verified test %q", panel.SecretStatus)
		}
		// Replay one stored event: processed again, state unchanged.
		var replayed eventJSON
		if st := h.do("POST", "/v1/connections/"+c.ID+"/webhook-events/"+tw.Event.ID+"/replay", h.token, nil, &replayed); st != 200 || replayed.Status != "processed" {
			t.Fatalf("replay: %d %+v", st, replayed)
		}

		// Missed events: the endpoint is disabled at Stripe, a payment happens, recovery
		// takes in what never arrived and health shows the webhook failure.
		stripeForm(t, h.emuURL, creds["secret_key"], "/v1/webhook_endpoints/"+ep["id"].(string), url.Values{"disabled": {"true"}})
		h.app.panel.GapGrace = time.Nanosecond
		h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &w)
		eventually(t, "second payment", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/writes/"+w.ID, h.token, nil, &w)
			return w.Status == "succeeded"
		})
		var rec struct{ Listed, Recovered, Gap int }
		if st := h.do("POST", "/v1/connections/"+c.ID+"/webhooks/recover", h.token, nil, &rec); st != 200 || rec.Recovered == 0 || rec.Gap == 0 {
			t.Fatalf("recover: %d %+v", st, rec)
		}
		eventually(t, "recovered payment applied", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/objects?kind=payment", h.token, nil, &objs)
			return len(objs.Data) >= 3
		})
		var got connJSON
		h.do("GET", "/v1/connections/"+c.ID, h.token, nil, &got)
		if got.State != "error" || got.StateReason != "webhook_failure" {
			t.Fatalf("health after a webhook gap: %+v", got)
		}
		// Recovering again finds nothing new.
		h.do("POST", "/v1/connections/"+c.ID+"/webhooks/recover", h.token, nil, &rec)
		if rec.Recovered != 0 {
			t.Fatalf("second recovery took in %d again", rec.Recovered)
		}
		// A disconnected connection takes no deliveries.
		h.do("DELETE", "/v1/connections/"+c.ID, h.token, nil, nil)
		if st, _ := h.deliver(c.ID, body, signed(body, secret, time.Now())); st != 410 {
			t.Fatalf("delivery to a disconnected connection: %d", st)
		}
	})
}

// TestConcurrentDuplicatesProcessedOnce: the same event delivered 20 times at once is one
// row with 19 duplicates, and its effect is applied once.
func TestConcurrentDuplicatesProcessedOnce(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Dup Co", "sandbox")
		secret := "whsec_" + strings.Repeat("k", 32)
		creds := sandboxCreds(h.emulatorCreds(h.emuURL))
		creds["webhook_secret"] = secret
		c := h.connectStripe(e.ID, creds, h.emuURL)
		now := time.Now()
		body := stripeEvent("evt_dup", "payment_intent.succeeded", "pi_dup", "succeeded", now)
		var wg sync.WaitGroup
		var mu sync.Mutex
		dups := 0
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, out := h.deliver(c.ID, body, signed(body, secret, now))
				if st != 200 {
					t.Errorf("delivery %d", st)
				}
				if out["duplicate"] == true {
					mu.Lock()
					dups++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if dups != 19 {
			t.Fatalf("%d duplicates, want 19", dups)
		}
		var evs struct{ Data []eventJSON }
		eventually(t, "processed", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/webhook-events", h.token, nil, &evs)
			return len(evs.Data) == 1 && evs.Data[0].Status == "processed"
		})
		if evs.Data[0].Duplicates != 19 {
			t.Fatalf("stored duplicates %d", evs.Data[0].Duplicates)
		}
	})
}
