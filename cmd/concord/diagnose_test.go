package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

type diagnosisJSON struct {
	ConnectionID string `json:"connection_id"`
	FailureType  string `json:"failure_type"`
	Summary      string `json:"summary"`
	Steps        []struct {
		Step     string `json:"step"`
		Status   string `json:"status"`
		Finding  string `json:"finding"`
		Fix      string `json:"fix"`
		Evidence []struct {
			Kind, ID, Label, API, UI string
		} `json:"evidence"`
	} `json:"steps"`
}

// diagnose calls the triage over the API and checks the failure type it names.
func (h *harness) diagnose(id, token, failure string) diagnosisJSON {
	h.t.Helper()
	var d diagnosisJSON
	if st := h.do("POST", "/v1/connections/"+id+"/diagnose", token, nil, &d); st != 200 {
		h.t.Fatalf("diagnose %s: %d", id, st)
	}
	if d.FailureType != failure || d.ConnectionID != id || len(d.Steps) != 8 {
		h.t.Fatalf("diagnose %s: %q, want %q: %+v", id, d.FailureType, failure, d)
	}
	return d
}

// fix is the fix step's advice.
func (d diagnosisJSON) fix() string { return d.Steps[len(d.Steps)-1].Fix }

// diagnoseCLI runs `concord connections diagnose ID` against the harness's server (flags,
// not the environment: the test runs in parallel).
func (h *harness) diagnoseCLI(id string) (int, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"connections", "diagnose", "--server", h.app.URL, "--token", h.token, id}, &out, &errb)
	return code, out.String() + errb.String()
}

// TestDiagnoseEndToEnd walks a Stripe connection to the emulator through triage: healthy,
// an expired key, disconnected, and a live key stored on purpose in a sandbox entity; the
// CLI prints the checklist and fails when a failure type is named.
func TestDiagnoseEndToEnd(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Triage Co", "sandbox")
		creds := h.emulatorCreds(h.emuURL)
		c := h.connectStripe(e.ID, sandboxCreds(creds), h.emuURL)
		// Set up webhooks as the operator would: every event, the signing secret stored.
		ep := stripeForm(t, h.emuURL, creds["secret_key"], "/v1/webhook_endpoints", url.Values{"url": {c.WebhookURL},
			"enabled_events[]": {"*"}})
		if st := h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, map[string]any{
			"credentials": map[string]string{"webhook_secret": ep["secret"].(string)}}, nil); st != 200 {
			t.Fatalf("store webhook secret: %d", st)
		}

		d := h.diagnose(c.ID, h.token, "none")
		want := []string{"entity mode", "connection state", "logs", "sync dashboard", "webhooks", "test", "workflow check", "fix"}
		for i, s := range d.Steps {
			if s.Step != want[i] {
				t.Fatalf("step %d is %q, want %q", i, s.Step, want[i])
			}
			if s.Status == "fail" {
				t.Errorf("healthy connection: %s fails: %s", s.Step, s.Finding)
			}
		}
		// The workflow check ran Stripe's small safe record in this sandbox: a test hold
		// placed and released, and a card needing authentication came back requires_action.
		if wf := d.Steps[6]; wf.Status != "ok" || !strings.Contains(wf.Finding, "requires_capture") ||
			!strings.Contains(wf.Finding, "requires_action") || !strings.Contains(wf.Finding, "disputes") {
			t.Fatalf("workflow check: %+v", wf)
		}
		var audit struct{ Data []struct{ Action string } }
		h.do("GET", "/v1/audit?resource=connection:"+c.ID+"&limit=5", h.token, nil, &audit)
		if len(audit.Data) == 0 || audit.Data[0].Action != "connection.workflow_check" {
			t.Fatalf("the workflow check was not audited: %+v", audit.Data)
		}
		code, out := h.diagnoseCLI(c.ID)
		if code != 0 || !strings.Contains(out, "1. [ok]   entity mode") || !strings.Contains(out, "6. [ok]   test: passed") ||
			!strings.Contains(out, "Failure type: none") {
			t.Fatalf("CLI on a healthy connection: %d\n%s", code, out)
		}

		// Another entity's token sees no such connection.
		b := h.entity("Other Co", "sandbox")
		var k struct{ Token string }
		h.do("POST", "/v1/api-keys", h.token, map[string]any{"name": "op B", "role": "operator", "entity_ids": []string{b.ID}}, &k)
		if st := h.do("POST", "/v1/connections/"+c.ID+"/diagnose", k.Token, nil, nil); st != 404 {
			t.Fatalf("diagnose with another entity's token: %d", st)
		}

		// The service stops accepting the key.
		h.fault(h.emuURL, "expire_token", 0)
		d = h.diagnose(c.ID, h.token, "authorization expired")
		if !strings.Contains(d.fix(), "reconnect or rotate credentials") {
			t.Fatalf("fix for an expired key: %q", d.fix())
		}
		// The test step links the refused call in the connector log, by the API and the
		// dashboard; the fix step carries it too.
		test := d.Steps[5]
		if len(test.Evidence) == 0 || test.Evidence[0].Kind != "log" || !strings.HasPrefix(test.Evidence[0].Label, "test ") ||
			!strings.Contains(test.Evidence[0].Label, "auth_expired") ||
			!strings.HasPrefix(test.Evidence[0].API, "/v1/connections/"+c.ID+"/logs?outcome=error&cursor=") ||
			!strings.HasPrefix(test.Evidence[0].UI, "/ui/c/"+c.ID+"?tab=logs&outcome=error&cursor=") {
			t.Fatalf("test step evidence: %+v", test.Evidence)
		}
		if fix := d.Steps[7]; len(fix.Evidence) == 0 || fix.Evidence[0].ID == "" {
			t.Fatalf("fix step evidence: %+v", fix.Evidence)
		}
		// The API path lists the failing entry first.
		var logs struct {
			Data []struct {
				ID         int64  `json:"id"`
				ErrorClass string `json:"error_class"`
			}
		}
		if st := h.do("GET", test.Evidence[0].API, h.token, nil, &logs); st != 200 || len(logs.Data) == 0 ||
			fmt.Sprint(logs.Data[0].ID) != test.Evidence[0].ID || logs.Data[0].ErrorClass != "auth_expired" {
			t.Fatalf("GET %s: %d %+v", test.Evidence[0].API, st, logs.Data)
		}
		code, out = h.diagnoseCLI(c.ID)
		if code != 1 || !strings.Contains(out, "[FAIL] test: failed (auth_expired)") || !strings.Contains(out, "Failure type: authorization expired") ||
			!strings.Contains(out, "          evidence: test auth_expired") || !strings.Contains(out, "(GET /v1/connections/"+c.ID+"/logs?outcome=error&cursor=") {
			t.Fatalf("CLI on an expired key: %d\n%s", code, out)
		}
		resetEmulator(t, h.emuURL)

		// Disconnected: the fix names the recovery window; no call is made.
		if st := h.do("DELETE", "/v1/connections/"+c.ID, h.token, nil, nil); st != 200 {
			t.Fatalf("disconnect: %d", st)
		}
		d = h.diagnose(c.ID, h.token, "disconnected")
		if ev := d.Steps[1].Evidence; len(ev) != 1 || ev[0].Kind != "audit" || ev[0].API != "/v1/audit?resource=connection:"+c.ID {
			t.Fatalf("disconnected evidence: %+v", ev)
		} else if st := h.do("GET", ev[0].API, h.token, nil, nil); st != 200 {
			t.Fatalf("GET %s: %d", ev[0].API, st)
		}
		if !strings.Contains(d.fix(), "reconnect only after confirming the right external account and mode") ||
			!strings.Contains(d.fix(), "until") || d.Steps[5].Status != "skipped" {
			t.Fatalf("disconnected: %+v", d)
		}

		// A live key stored on purpose in a sandbox entity.
		live := map[string]any{"connector": "stripe", "credentials": map[string]string{"secret_key": creds["live_secret_key"]},
			"config": map[string]string{"api_base": h.emuURL}, "confirm_mode_mismatch": true}
		var m connJSON
		if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, live, &m); st != 201 {
			t.Fatalf("confirmed mismatched connect: %d", st)
		}
		d = h.diagnose(m.ID, h.token, "mode mismatch")
		if d.Steps[0].Status != "fail" || !strings.Contains(d.fix(), "stop outbound work, confirm the entity, reconnect with a sandbox credential") {
			t.Fatalf("mode mismatch: %+v", d)
		}
		if code, out = h.diagnoseCLI(m.ID); code != 1 || !strings.Contains(out, "[FAIL] entity mode") {
			t.Fatalf("CLI on a mode mismatch: %d\n%s", code, out)
		}
		for _, body := range h.seen {
			if bytes.Contains(body, []byte(creds["live_secret_key"])) || bytes.Contains(body, []byte(creds["secret_key"])) {
				t.Fatal("a response carries a secret key")
			}
		}
	})
}

// TestDiagnoseBodyIsOptional: the OpenAPI document says the diagnose body is optional (the
// handler takes none as {}), while bodies the handler needs stay required.
func TestDiagnoseBodyIsOptional(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		var doc struct {
			Paths map[string]map[string]struct {
				RequestBody *struct {
					Required bool `json:"required"`
				} `json:"requestBody"`
			} `json:"paths"`
		}
		var raw json.RawMessage
		if st := h.do("GET", "/v1/openapi.json", "", nil, &raw); st != 200 {
			t.Fatalf("openapi.json: %d", st)
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]bool{"/v1/connections/{id}/diagnose": false, "/v1/connections/{id}/sync": true,
			"/v1/connections/{id}/confirm": true, "/v1/mappings/{mapping_id}/reimport": true} {
			rb := doc.Paths[path]["post"].RequestBody
			if rb == nil || rb.Required != want {
				t.Errorf("POST %s requestBody %+v, want required %v", path, rb, want)
			}
		}
		// And so it is: no body, an empty one and {} all diagnose.
		e := h.entity("Body Co", "sandbox")
		c := h.connectStripe(e.ID, sandboxCreds(h.emulatorCreds(h.emuURL)), h.emuURL)
		for _, body := range []any{nil, map[string]any{}} {
			if st := h.do("POST", "/v1/connections/"+c.ID+"/diagnose", h.token, body, nil); st != 200 {
				t.Fatalf("diagnose with body %v: %d", body, st)
			}
		}
	})
}
