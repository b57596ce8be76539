package audit

import (
	"encoding/json"
	"strings"
	"testing"
)

const planted = "sk_live_51HfakeSecretValue9999"

type connection struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Mode     string            `json:"mode"`
	APIKey   string            `json:"api_key"`
	Settings map[string]any    `json:"settings,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
}

func decode(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	if raw == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return m
}

func TestDiffKeepsOnlyChangedKeys(t *testing.T) {
	t.Parallel()
	before := connection{ID: "con_1", Name: "Shop", Mode: "sandbox", APIKey: "sk_test_aaaaaaaaaaaaaaa1111",
		Settings: map[string]any{"interval": 60, "region": "eu"}}
	after := before
	after.Name = "Shop EU"
	after.Settings = map[string]any{"region": "eu", "interval": 60} // same value, another map
	b, a, err := Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"name":"Shop"}` || string(a) != `{"name":"Shop EU"}` {
		t.Errorf("diff = %s -> %s", b, a)
	}

	after.Settings = map[string]any{"region": "us", "interval": 60}
	b, a, _ = Diff(before, after)
	if got := decode(t, a)["settings"]; got == nil || decode(t, b)["settings"] == nil {
		t.Errorf("changed nested object left out: %s -> %s", b, a)
	}

	if b, a, err := Diff(before, before); b != nil || a != nil || err != nil {
		t.Errorf("no change: %s -> %s, %v", b, a, err)
	}
}

func TestDiffMasksSecrets(t *testing.T) {
	t.Parallel()
	before := map[string]any{
		"name":           "Shop",
		"api_key":        "sk_live_51HoldSecretValue0000",
		"webhookSecret":  "whsec_" + planted,
		"access_token":   planted,
		"password":       planted,
		"note":           planted, // a credential under an innocent key
		"pin":            1234,
		"credentials":    map[string]any{"client_secret": planted, "client_id": "cid_1"},
		"refresh_tokens": []any{planted, planted},
	}
	after := map[string]any{
		"name":           "Shop 2",
		"api_key":        planted,
		"webhookSecret":  "whsec_other" + planted,
		"access_token":   planted + "x",
		"password":       planted + "x",
		"note":           planted + "x",
		"pin":            4321,
		"credentials":    map[string]any{"client_secret": planted + "x", "client_id": "cid_1"},
		"refresh_tokens": []any{planted + "x"},
	}
	b, a, err := Diff(before, after, "PIN")
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range []json.RawMessage{b, a} {
		if strings.Contains(string(side), "HfakeSecretValue") || strings.Contains(string(side), "HoldSecret") {
			t.Fatalf("secret in clear: %s", side)
		}
		if strings.Contains(string(side), "1234") || strings.Contains(string(side), "4321") {
			t.Errorf("named secret field in clear: %s", side)
		}
	}
	am := decode(t, a)
	if len(am) != len(after) {
		t.Errorf("every key changed, got %d of %d: %s", len(am), len(after), a)
	}
	if am["api_key"] != "sk_live_••••9999" || am["name"] != "Shop 2" {
		t.Errorf("after = %s", a)
	}
	if creds := am["credentials"].(map[string]any); creds["client_id"] != "cid_1" {
		t.Errorf("non-secret nested value masked: %v", creds)
	}
}

func TestDiffCreateAndDelete(t *testing.T) {
	t.Parallel()
	c := connection{ID: "con_1", Name: "Shop", Mode: "live", APIKey: planted}
	b, a, err := Diff(nil, c)
	if err != nil || b != nil {
		t.Fatalf("create: %s, %v", b, err)
	}
	if m := decode(t, a); m["id"] != "con_1" || m["api_key"] != "sk_live_••••9999" {
		t.Errorf("create after = %s", a)
	}
	var gone *connection
	b, a, err = Diff(&c, gone)
	if err != nil || a != nil || decode(t, b)["name"] != "Shop" || strings.Contains(string(b), planted) {
		t.Errorf("delete: %s -> %s, %v", b, a, err)
	}
	if b, a, err := Diff(nil, nil); b != nil || a != nil || err != nil {
		t.Errorf("nothing: %s -> %s, %v", b, a, err)
	}
	b, a, _ = Diff(nil, map[string]any{})
	if b != nil || string(a) != "{}" {
		t.Errorf("create of an empty object: %s -> %s", b, a)
	}
}

func TestDiffRecordsRotatedSecret(t *testing.T) {
	t.Parallel()
	// Both masks read "sk_live_••••9999", but the value changed and the entry must say so.
	b, a, err := Diff(map[string]string{"api_key": "sk_live_AAAAAAAAAAAAAAAA9999"},
		map[string]string{"api_key": "sk_live_BBBBBBBBBBBBBBBB9999"})
	if err != nil || b == nil || a == nil {
		t.Fatalf("rotation not recorded: %s -> %s, %v", b, a, err)
	}
}

func TestDiffRejectsNonObjects(t *testing.T) {
	t.Parallel()
	for _, v := range []any{[]string{planted}, planted, 42, make(chan int)} {
		_, _, err := Diff(v, nil)
		if err == nil {
			t.Errorf("Diff(%T) accepted", v)
			continue
		}
		if strings.Contains(err.Error(), planted) {
			t.Errorf("error leaks the value: %v", err)
		}
	}
}

func TestDiffOutputChainsCleanly(t *testing.T) {
	t.Parallel()
	b, a, err := Diff(map[string]any{"name": "<old>", "n": json.Number("1.50")}, map[string]any{"name": "<new>", "n": 2})
	if err != nil {
		t.Fatal(err)
	}
	e := Chain(nil, Entry{Time: epoch, Actor: "system", Action: "x", Resource: "y", Outcome: OutcomeOK, Before: b, After: a})
	if string(e.Before) != string(b) || string(e.After) != string(a) {
		t.Errorf("Diff output is not canonical: %s vs %s", b, e.Before)
	}
	if !strings.Contains(string(b), `"n":1.50`) || !strings.Contains(string(b), "<old>") {
		t.Errorf("before = %s, want number text and < kept", b)
	}
}
