package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/concordhub/concord/store/storetest"
)

type entityJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Mode string `json:"mode"`
}

type connJSON struct {
	ID          string            `json:"id"`
	EntityID    string            `json:"entity_id"`
	Connector   string            `json:"connector"`
	Mode        string            `json:"mode"`
	State       string            `json:"state"`
	StateReason string            `json:"state_reason"`
	AccountID   string            `json:"account_id"`
	Credentials map[string]string `json:"credentials"`
	WebhookURL  string            `json:"webhook_url"`
}

type errJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type writeJSON struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	ErrorClass string          `json:"error_class"`
	Result     json.RawMessage `json:"result"`
}

// eachBackend runs fn against a full server on SQLite, and on PostgreSQL when
// TEST_DATABASE_URL is set.
func eachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, b))
		})
	}
}

func (h *harness) entity(name, mode string) entityJSON {
	h.t.Helper()
	var e entityJSON
	if st := h.do("POST", "/v1/entities", h.token, map[string]string{"name": name, "mode": mode}, &e); st != 201 {
		h.t.Fatalf("create entity: %d", st)
	}
	return e
}

func (h *harness) connectStripe(entityID string, creds map[string]string, base string) connJSON {
	h.t.Helper()
	var c connJSON
	body := map[string]any{"connector": "stripe", "credentials": creds, "config": map[string]string{"api_base": base}}
	if st := h.do("POST", "/v1/entities/"+entityID+"/connections", h.token, body, &c); st != 201 {
		h.t.Fatalf("connect: %d", st)
	}
	return c
}

func sandboxCreds(all map[string]string) map[string]string {
	return map[string]string{"secret_key": all["secret_key"], "publishable_key": all["publishable_key"]}
}

// TestStripeEndToEnd walks one connection through its life on the real wiring: connect,
// read (masked), test, durable writes (one succeeds, one is declined and not retried), the
// connector log, faults turning into health, disconnect, reconnect.
func TestStripeEndToEnd(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		var catalog struct {
			Data []struct {
				Name         string   `json:"name"`
				Capabilities []string `json:"capabilities"`
				Credentials  []struct {
					Name   string `json:"name"`
					Secret bool   `json:"secret"`
				} `json:"credentials"`
			} `json:"data"`
		}
		found := false
		if st := h.do("GET", "/v1/connectors", h.token, nil, &catalog); st == 200 {
			for _, c := range catalog.Data {
				found = found || (c.Name == "stripe" && len(c.Capabilities) > 0)
			}
		}
		if !found {
			t.Fatalf("catalog without stripe: %+v", catalog)
		}
		e := h.entity("Acme Sandbox", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		c := h.connectStripe(e.ID, sandboxCreds(creds), h.emuURL)
		if c.State != "connected" || c.Mode != "sandbox" || c.AccountID != creds["account_id"] {
			t.Fatalf("connected as %+v", c)
		}
		if got := c.Credentials["secret_key"]; !strings.HasPrefix(got, "sk_test_••••") || got[len(got)-4:] != creds["secret_key"][len(creds["secret_key"])-4:] {
			t.Fatalf("masked secret %q", got)
		}
		if c.WebhookURL != h.app.URL+"/hooks/"+c.ID {
			t.Fatalf("webhook url %q", c.WebhookURL)
		}

		var out struct {
			OK        bool   `json:"ok"`
			Mode      string `json:"mode"`
			AccountID string `json:"account_id"`
			Class     string `json:"error_class"`
			State     string `json:"state"`
		}
		if st := h.do("POST", "/v1/connections/"+c.ID+"/test", h.token, nil, &out); st != 200 || !out.OK || out.Mode != "sandbox" || out.AccountID != creds["account_id"] {
			t.Fatalf("test %d %+v", st, out)
		}

		// A payment through the durable write path.
		pay := map[string]any{"operation": "payment_intent.create", "payload": map[string]any{
			"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": true}}
		var w writeJSON
		if st := h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &w, "Idempotency-Key", "order-1001"); st != 202 {
			t.Fatalf("write: %d", st)
		}
		eventually(t, "payment succeeded", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/writes/"+w.ID, h.token, nil, &w)
			return w.Status == "succeeded"
		})
		var pi struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(w.Result, &pi); err != nil || pi.Status != "succeeded" || !strings.HasPrefix(pi.ID, "pi_") {
			t.Fatalf("result %s", w.Result)
		}
		// The same request again replays the first answer and makes no second payment.
		var again writeJSON
		st, _ := h.raw("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, "Idempotency-Key", "order-1001")
		h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &again, "Idempotency-Key", "order-1001")
		if st != 202 || again.ID != w.ID {
			t.Fatalf("replay: %d %s vs %s", st, again.ID, w.ID)
		}

		// A declined card is a validation failure: recorded once, never retried.
		decl := map[string]any{"operation": "payment_intent.create", "payload": map[string]any{
			"amount": 2000, "currency": "usd", "payment_method": "pm_card_chargeDeclined", "confirm": true}}
		h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, decl, &w)
		eventually(t, "declined payment failed", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/writes/"+w.ID, h.token, nil, &w)
			return w.Status == "failed"
		})
		if w.Attempts != 1 || w.ErrorClass != "validation" {
			t.Fatalf("declined write %+v", w)
		}

		// The connector log has one entry per external call, with operation and outcome.
		var logs struct {
			Data []struct {
				Operation  string `json:"operation"`
				Outcome    string `json:"outcome"`
				Status     int    `json:"status"`
				ErrorClass string `json:"error_class"`
				Direction  string `json:"direction"`
			} `json:"data"`
		}
		h.do("GET", "/v1/connections/"+c.ID+"/logs?direction=outbound&limit=100", h.token, nil, &logs)
		ops := map[string]int{}
		for _, l := range logs.Data {
			ops[l.Operation+"/"+l.Outcome]++
		}
		if ops["account.retrieve/ok"] < 2 || ops["payment_intent.create/ok"] != 1 || ops["payment_intent.create/error"] != 1 {
			t.Fatalf("log operations %v", ops)
		}

		// A rate limit is retried by the shared client: the test still passes.
		h.fault(h.emuURL, "rate_limit", 1)
		if h.do("POST", "/v1/connections/"+c.ID+"/test", h.token, nil, &out); !out.OK {
			t.Fatalf("test after one 429: %+v", out)
		}
		// An expired key turns the connection expired, with the reason.
		h.fault(h.emuURL, "expire_token", 0)
		h.do("POST", "/v1/connections/"+c.ID+"/test", h.token, nil, &out)
		if out.OK || out.Class != "auth_expired" || out.State != "expired" {
			t.Fatalf("test with expired key: %+v", out)
		}
		var got connJSON
		h.do("GET", "/v1/connections/"+c.ID, h.token, nil, &got)
		if got.State != "expired" || got.StateReason != "auth_expired" {
			t.Fatalf("state after expiry %+v", got)
		}
		resetEmulator(t, h.emuURL)

		// Disconnect: writes stop, history stays, reconnect restores.
		h.do("DELETE", "/v1/connections/"+c.ID, h.token, nil, &got)
		if got.State != "disconnected" || got.Credentials["secret_key"] == "" {
			t.Fatalf("disconnected %+v", got)
		}
		var ej errJSON
		if st := h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &ej); st != 409 {
			t.Fatalf("write on disconnected: %d %+v", st, ej)
		}
		h.do("GET", "/v1/connections/"+c.ID+"/logs", h.token, nil, &logs)
		if len(logs.Data) == 0 {
			t.Fatal("disconnect lost the log")
		}
		if st := h.do("POST", "/v1/connections/"+c.ID+"/reconnect", h.token, nil, &got); st != 200 || got.State != "connected" {
			t.Fatalf("reconnect %d %+v", st, got)
		}
	})
}

func resetEmulator(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Post(base+"/_emulator/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestModeMismatch: a live key in a sandbox entity is refused with nothing stored; stored
// on purpose it sits in state error (mode_mismatch) and every write is refused.
func TestModeMismatch(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Sandbox Co", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		live := map[string]any{"connector": "stripe", "credentials": map[string]string{"secret_key": creds["live_secret_key"]},
			"config": map[string]string{"api_base": h.emuURL}}
		var ej errJSON
		if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, live, &ej); st != 409 || ej.Error.Code != "mode_mismatch" {
			t.Fatalf("live key in sandbox entity: %d %+v", st, ej)
		}
		if strings.Contains(ej.Error.Message, creds["live_secret_key"]) {
			t.Fatal("error message carries the key")
		}
		var list struct{ Data []connJSON }
		h.do("GET", "/v1/entities/"+e.ID+"/connections", h.token, nil, &list)
		if len(list.Data) != 0 {
			t.Fatalf("refused connect stored %d connections", len(list.Data))
		}
		live["confirm_mode_mismatch"] = true
		var c connJSON
		if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, live, &c); st != 201 {
			t.Fatalf("confirmed connect %d", st)
		}
		if c.State != "error" || c.StateReason != "mode_mismatch" || c.Mode != "production" {
			t.Fatalf("mismatched connection %+v", c)
		}
		pay := map[string]any{"operation": "payment_intent.create", "payload": map[string]any{"amount": 500, "currency": "usd"}}
		if st := h.do("POST", "/v1/connections/"+c.ID+"/writes", h.token, pay, &ej); st != 409 || ej.Error.Code != "mode_mismatch" {
			t.Fatalf("write on mismatched connection: %d %+v", st, ej)
		}
		var integ struct {
			Summary struct{ Connected, Sandbox, Production, Errors int }
		}
		h.do("GET", "/v1/entities/"+e.ID+"/integrations", h.token, nil, &integ)
		if integ.Summary.Production != 1 || integ.Summary.Errors != 1 || integ.Summary.Connected != 0 {
			t.Fatalf("summary %+v", integ.Summary)
		}
	})
}

// TestRotateCredentials: the new credential is tested first; another account is refused
// (409) unless confirmed; a failing credential changes nothing; each is audited.
func TestRotateCredentials(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Rotate Co", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		c := h.connectStripe(e.ID, sandboxCreds(creds), h.emuURL)

		// Same account: accepted.
		var got connJSON
		body := map[string]any{"credentials": map[string]string{"secret_key": creds["secret_key"]}}
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, body, &got); st != 200 || got.AccountID != creds["account_id"] {
			t.Fatalf("same-account rotate %d %+v", st, got)
		}
		// Another account (a second emulator): refused without confirmation.
		other := newEmulatorServer(t)
		oc := h.emulatorCreds(other)
		body = map[string]any{"credentials": sandboxCreds(oc), "config": map[string]string{"api_base": other}}
		var ej errJSON
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, body, &ej); st != 409 || !strings.Contains(ej.Error.Message, oc["account_id"]) {
			t.Fatalf("account change unconfirmed: %d %+v", st, ej)
		}
		h.do("GET", "/v1/connections/"+c.ID, h.token, nil, &got)
		if got.AccountID != creds["account_id"] {
			t.Fatalf("refused rotation changed the account to %s", got.AccountID)
		}
		// A credential the service refuses: 422 and nothing changes.
		h.fault(other, "revoke_token", 0)
		body["confirm_account_change"] = true
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, body, &ej); st != 422 {
			t.Fatalf("revoked new credential: %d %+v", st, ej)
		}
		resetEmulator(t, other)
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, body, &got); st != 200 || got.AccountID != oc["account_id"] {
			t.Fatalf("confirmed account change %d %+v", st, got)
		}
		var audit struct {
			Data []struct {
				Action  string          `json:"action"`
				Outcome string          `json:"outcome"`
				Before  json.RawMessage `json:"before"`
				After   json.RawMessage `json:"after"`
				Detail  string          `json:"detail"`
			} `json:"data"`
		}
		h.do("GET", "/v1/audit?resource=connection:"+c.ID+"&limit=50", h.token, nil, &audit)
		counts := map[string]int{}
		for _, a := range audit.Data {
			counts[a.Action+"/"+a.Outcome]++
		}
		if counts["connection.rotate_credentials/denied"] != 2 || counts["connection.rotate_credentials/ok"] != 2 || counts["connection.create/ok"] != 1 {
			t.Fatalf("audit %v", counts)
		}
		for _, a := range audit.Data {
			for _, secret := range []string{creds["secret_key"], oc["secret_key"]} {
				if strings.Contains(string(a.Before)+string(a.After)+a.Detail, secret) {
					t.Fatalf("audit entry %s carries a secret", a.Action)
				}
			}
		}
	})
}

func newEmulatorServer(t *testing.T) string {
	t.Helper()
	srv := newStripeServer()
	t.Cleanup(srv.close)
	return srv.url
}

// TestBadInput: each mistake gets a clear JSON error and leaves nothing half-written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Bad Input Co", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		conns := "/v1/entities/" + e.ID + "/connections"
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code               string
		}{
			{"malformed json", "POST", conns, `{"connector": "stripe",`, 400, "invalid"},
			{"not an object", "POST", "/v1/entities", `[1,2]`, 400, "invalid"},
			{"unknown field", "POST", "/v1/entities", `{"name":"x","mode":"sandbox","colour":"red"}`, 400, "invalid"},
			{"bad mode", "POST", "/v1/entities", `{"name":"x","mode":"staging"}`, 400, "invalid"},
			{"unknown connector", "POST", conns, map[string]any{"connector": "paypal", "credentials": map[string]string{}}, 400, "invalid"},
			{"missing credential", "POST", conns, map[string]any{"connector": "stripe", "credentials": map[string]string{}}, 400, "invalid"},
			{"unknown credential field", "POST", conns, map[string]any{"connector": "stripe",
				"credentials": map[string]string{"secret_key": creds["secret_key"], "password": "x"}}, 400, "invalid"},
			{"mistyped credential", "POST", conns, map[string]any{"connector": "stripe",
				"credentials": map[string]string{"secret_key": "pk_test_1234567890abcdefghij"}}, 400, "invalid"},
			{"credentials not strings", "POST", conns, `{"connector":"stripe","credentials":{"secret_key":42}}`, 400, "invalid"},
			{"unknown entity", "POST", "/v1/entities/ent_nope/connections", map[string]any{"connector": "stripe",
				"credentials": sandboxCreds(creds)}, 404, "not_found"},
			{"unknown connection", "GET", "/v1/connections/con_nope", nil, 404, "not_found"},
			{"too large", "POST", "/v1/entities", `{"name":"` + strings.Repeat("a", 2<<20) + `","mode":"sandbox"}`, 413, "too_large"},
			{"bad limit", "GET", "/v1/entities?limit=0", nil, 400, "invalid"},
			{"unknown write op", "POST", "/v1/connections/con_nope/writes", map[string]any{"operation": "x", "payload": map[string]any{}}, 404, "not_found"},
		}
		for _, tc := range cases {
			var ej errJSON
			st := h.do(tc.method, tc.path, h.token, tc.body, &ej)
			if st != tc.status || ej.Error.Code != tc.code || ej.Error.Message == "" {
				t.Errorf("%s: got %d %+v, want %d %s", tc.name, st, ej, tc.status, tc.code)
			}
		}
		var list struct{ Data []connJSON }
		h.do("GET", conns, h.token, nil, &list)
		var ents struct{ Data []entityJSON }
		h.do("GET", "/v1/entities", h.token, nil, &ents)
		if len(list.Data) != 0 || len(ents.Data) != 1 {
			t.Fatalf("bad input left %d connections, %d entities", len(list.Data), len(ents.Data))
		}
		// No token, a wrong token.
		if st := h.do("GET", "/v1/entities", "", nil, nil); st != 401 {
			t.Fatalf("no token: %d", st)
		}
		if st := h.do("GET", "/v1/entities", "cct_wrong", nil, nil); st != 401 {
			t.Fatalf("wrong token: %d", st)
		}
	})
}

// TestIdempotencyKeys: a replay returns the first answer; another body with the same key is 422.
func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		var first, second entityJSON
		st1, b1 := h.raw("POST", "/v1/entities", h.token, map[string]string{"name": "Once", "mode": "sandbox"}, "Idempotency-Key", "k-1")
		st2, b2 := h.raw("POST", "/v1/entities", h.token, map[string]string{"name": "Once", "mode": "sandbox"}, "Idempotency-Key", "k-1")
		_ = json.Unmarshal(b1, &first)
		_ = json.Unmarshal(b2, &second)
		if st1 != 201 || st2 != 201 || first.ID == "" || first.ID != second.ID {
			t.Fatalf("replay: %d %s / %d %s", st1, first.ID, st2, second.ID)
		}
		var ej errJSON
		if st := h.do("POST", "/v1/entities", h.token, map[string]string{"name": "Twice", "mode": "sandbox"}, &ej, "Idempotency-Key", "k-1"); st != 422 {
			t.Fatalf("same key, other body: %d %+v", st, ej)
		}
		var ents struct{ Data []entityJSON }
		h.do("GET", "/v1/entities", h.token, nil, &ents)
		if len(ents.Data) != 1 {
			t.Fatalf("%d entities after replays", len(ents.Data))
		}
		// A failed request does not poison its key: a client fixing its body needs a new key,
		// but the error itself is replayed as it was.
		st3, _ := h.raw("POST", "/v1/entities", h.token, `{"name":""}`, "Idempotency-Key", "k-2")
		st4, _ := h.raw("POST", "/v1/entities", h.token, `{"name":""}`, "Idempotency-Key", "k-2")
		if st3 != 400 || st4 != 400 {
			t.Fatalf("replayed error %d %d", st3, st4)
		}
	})
}

// TestTokensAndScopes: roles limit what a token does; a token for one entity can neither
// read nor change another entity's anything; a revoked token stops at once.
func TestTokensAndScopes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		a := h.entity("Entity A", "sandbox")
		b := h.entity("Entity B", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		cb := h.connectStripe(b.ID, sandboxCreds(creds), h.emuURL)

		mk := func(role string, ids []string) (string, string) {
			var k struct {
				ID    string `json:"id"`
				Token string `json:"token"`
			}
			body := map[string]any{"name": role + " key", "role": role, "entity_ids": ids}
			if st := h.do("POST", "/v1/api-keys", h.token, body, &k); st != 201 || k.Token == "" {
				t.Fatalf("create %s key: %d", role, st)
			}
			return k.ID, k.Token
		}
		_, viewerA := mk("viewer", []string{a.ID})
		adminAID, adminA := mk("admin", []string{a.ID})

		var ents struct{ Data []entityJSON }
		h.do("GET", "/v1/entities", viewerA, nil, &ents)
		if len(ents.Data) != 1 || ents.Data[0].ID != a.ID {
			t.Fatalf("viewer A sees %+v", ents.Data)
		}
		for _, p := range []struct{ method, path string }{
			{"GET", "/v1/entities/" + b.ID},
			{"GET", "/v1/connections/" + cb.ID},
			{"GET", "/v1/connections/" + cb.ID + "/logs"},
			{"GET", "/v1/entities/" + b.ID + "/integrations"},
			{"GET", "/v1/entities/" + b.ID + "/connections"},
		} {
			if st := h.do(p.method, p.path, adminA, nil, nil); st != 404 {
				t.Errorf("admin A %s %s: %d, want 404", p.method, p.path, st)
			}
		}
		for _, p := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/v1/connections/" + cb.ID + "/test", nil},
			{"DELETE", "/v1/connections/" + cb.ID, nil},
			{"PUT", "/v1/connections/" + cb.ID + "/credentials", map[string]any{"credentials": sandboxCreds(creds)}},
			{"POST", "/v1/entities/" + b.ID + "/connections", map[string]any{"connector": "stripe", "credentials": sandboxCreds(creds)}},
			{"POST", "/v1/api-keys", map[string]any{"name": "x", "role": "viewer", "entity_ids": []string{b.ID}}},
		} {
			if st := h.do(p.method, p.path, adminA, p.body, nil); st != 404 {
				t.Errorf("admin A %s %s: %d, want 404", p.method, p.path, st)
			}
		}
		var got connJSON
		h.do("GET", "/v1/connections/"+cb.ID, h.token, nil, &got)
		if got.State != "connected" {
			t.Fatalf("B's connection was changed: %+v", got)
		}
		// Roles.
		if st := h.do("POST", "/v1/entities/"+a.ID+"/connections", viewerA, map[string]any{"connector": "stripe", "credentials": sandboxCreds(creds)}, nil); st != 403 {
			t.Fatalf("viewer connect: %d", st)
		}
		if st := h.do("POST", "/v1/entities", adminA, map[string]string{"name": "x", "mode": "sandbox"}, nil); st != 403 {
			t.Fatalf("scoped admin created an entity: %d", st)
		}
		if st := h.do("POST", "/v1/api-keys", adminA, map[string]any{"name": "x", "role": "owner", "entity_ids": []string{a.ID}}, nil); st != 403 {
			t.Fatalf("admin made an owner key: %d", st)
		}
		if st := h.do("POST", "/v1/api-keys", adminA, map[string]any{"name": "x", "role": "viewer"}, nil); st != 403 {
			t.Fatalf("scoped admin made a global key: %d", st)
		}
		var audit struct {
			Data []struct {
				EntityID string `json:"entity_id"`
			}
		}
		h.do("GET", "/v1/audit?limit=100", viewerA, nil, &audit)
		for _, e := range audit.Data {
			if e.EntityID != a.ID {
				t.Fatalf("viewer A read an audit entry of %q", e.EntityID)
			}
		}
		// Revoke: at once.
		if st := h.do("DELETE", "/v1/api-keys/"+adminAID, h.token, nil, nil); st != 200 {
			t.Fatalf("revoke: %d", st)
		}
		if st := h.do("GET", "/v1/entities", adminA, nil, nil); st != 401 {
			t.Fatalf("revoked token: %d", st)
		}
	})
}

// TestOpenAPIMatchesRoutes: every registered API route is in the document and every
// documented operation is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	h.do("GET", "/v1/openapi.json", "", nil, &doc)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, p := range h.app.api.Patterns() {
		registered[p] = true
		if !documented[p] {
			t.Errorf("route %s is not documented", p)
		}
	}
	for p := range documented {
		if !registered[p] {
			t.Errorf("documented %s is not registered", p)
		}
	}
	if len(registered) < 15 {
		t.Fatalf("only %d routes registered", len(registered))
	}
}

// TestRecordBatch writes many ERP records in one call: each gets its version and its
// answer; a batch with one bad record writes nothing; answers match the OpenAPI document.
func TestRecordBatch(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			h := setup(t, b)
			e := h.entity("Batch Co", "sandbox")
			path := "/v1/entities/" + e.ID + "/records/variant/batch"
			var out struct {
				Results []struct {
					Record struct {
						ID      string
						Version int64
					}
					Outbound []any
				}
			}
			body := map[string]any{"records": []map[string]any{
				{"id": "v-1", "fields": map[string]string{"sku": "B-1", "price": "1.00"}},
				{"id": "v-2", "fields": map[string]string{"sku": "B-2", "price": "2.00"}},
				{"fields": map[string]string{"sku": "B-3", "price": "3.00"}},
			}}
			if st := h.do("POST", path, h.token, body, &out); st != 200 || len(out.Results) != 3 {
				t.Fatalf("batch: %d %+v", st, out)
			}
			if out.Results[0].Record.ID != "v-1" || out.Results[0].Record.Version != 1 || out.Results[2].Record.ID == "" {
				t.Fatalf("batch results %+v", out.Results)
			}
			// One bad record: nothing of the batch is written.
			bad := map[string]any{"records": []map[string]any{
				{"id": "v-1", "fields": map[string]string{"price": "9.00"}},
				{"id": "v-4", "fields": map[string]string{}},
			}}
			if st := h.do("POST", path, h.token, bad, nil); st != 400 {
				t.Errorf("a batch with an empty record: %d", st)
			}
			var rec struct {
				Version int64
				Fields  map[string]string
			}
			h.do("GET", "/v1/entities/"+e.ID+"/records/variant/v-1", h.token, nil, &rec)
			if rec.Version != 1 || rec.Fields["price"] != "1.00" {
				t.Errorf("a refused batch changed v-1: %+v", rec)
			}
			dup := map[string]any{"records": []map[string]any{
				{"id": "v-1", "fields": map[string]string{"price": "5.00"}}, {"id": "v-1", "fields": map[string]string{"price": "6.00"}}}}
			if st := h.do("POST", path, h.token, dup, nil); st != 400 {
				t.Errorf("the same record twice: %d", st)
			}
			many := make([]map[string]any, 501)
			for i := range many {
				many[i] = map[string]any{"fields": map[string]string{"sku": "x"}}
			}
			if st := h.do("POST", path, h.token, map[string]any{"records": many}, nil); st != 400 {
				t.Errorf("501 records: %d", st)
			}
			// A second write of the same records makes new versions.
			body["records"] = body["records"].([]map[string]any)[:2]
			body["records"].([]map[string]any)[0]["fields"] = map[string]string{"sku": "B-1", "price": "1.50"}
			if st := h.do("POST", path, h.token, body, &out); st != 200 || out.Results[0].Record.Version != 2 {
				t.Errorf("second batch: %d %+v", st, out.Results)
			}
		})
	}
}
