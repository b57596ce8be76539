package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// TestCredentialStaysInVault plants a credential and looks for it everywhere outside the
// vault: API responses (success and error), the server's logs, /metrics, the connector log
// and audit rows, and the database files themselves, in clear and in common encodings.
func TestCredentialStaysInVault(t *testing.T) {
	t.Parallel()
	b := storetest.Backends(t)[0] // the SQLite file can be read byte by byte
	h := setup(t, b)
	e := h.entity("Secret Co", "sandbox")
	creds := h.emulatorCreds(h.emuURL)
	secret := creds["secret_key"]
	c := h.connectStripe(e.ID, sandboxCreds(creds), h.emuURL)

	// Exercise every path that handles the credential, including failures that quote the
	// request and an echo of the key in an error body.
	h.do("POST", "/v1/connections/"+c.ID+"/test", h.token, nil, nil)
	h.fault(h.emuURL, "revoke_token", 1)
	h.do("POST", "/v1/connections/"+c.ID+"/test", h.token, nil, nil)
	h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, map[string]any{"credentials": map[string]string{"secret_key": secret}}, nil)
	h.do("PUT", "/v1/connections/"+c.ID+"/credentials", h.token, map[string]any{"credentials": map[string]string{"secret_key": secret + " "}}, nil)
	h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, map[string]any{"connector": "stripe",
		"credentials": map[string]string{"secret_key": secret, "publishable_key": "pk_live_" + strings.Repeat("x", 30)}}, nil)
	h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, `{"connector":"stripe","credentials":{"secret_key":"`+secret+`"`, nil)
	h.do("GET", "/v1/connections/"+c.ID, h.token, nil, nil)
	h.do("GET", "/v1/connections/"+c.ID+"/logs?limit=500", h.token, nil, nil)
	h.do("GET", "/v1/audit?limit=500", h.token, nil, nil)
	h.do("GET", "/v1/entities/"+e.ID+"/integrations", h.token, nil, nil)
	h.do("DELETE", "/v1/connections/"+c.ID, h.token, nil, nil)
	// A new API token, created with an Idempotency-Key: the token is shown once and its
	// replay copy in the database is masked.
	var key struct {
		Token string `json:"token"`
	}
	h.do("POST", "/v1/api-keys", h.token, map[string]any{"name": "ci", "role": "viewer", "entity_ids": []string{e.ID}}, &key, "Idempotency-Key", "key-once")
	var replay struct {
		Token string `json:"token"`
	}
	h.do("POST", "/v1/api-keys", h.token, map[string]any{"name": "ci", "role": "viewer", "entity_ids": []string{e.ID}}, &replay, "Idempotency-Key", "key-once")
	if key.Token == "" || replay.Token == key.Token || !strings.Contains(replay.Token, "••••") {
		t.Fatalf("token %q, replay %q: the replay must not show the token again", key.Token, replay.Token)
	}
	_, metrics := h.raw("GET", "/metrics", "", nil)

	forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte(secret + ":")),
		url.QueryEscape(secret), secret[8:]}
	check := func(where string, data []byte) {
		t.Helper()
		for _, f := range append(forms, key.Token) {
			if bytes.Contains(data, []byte(f)) {
				t.Errorf("the credential appears in %s", where)
				return
			}
		}
	}
	h.mu.Lock()
	for i, body := range h.seen {
		if bytes.Contains(body, []byte(key.Token)) && bytes.Contains(body, []byte(`"token"`)) && !bytes.Contains(body, []byte(secret)) {
			continue // the one answer that shows the new token, once
		}
		check("API response #"+strconv.Itoa(i), body)
	}
	h.mu.Unlock()
	check("server logs", []byte(h.logs.String()))
	check("/metrics", metrics)
	if !strings.Contains(string(metrics), "concord_http_requests_total") || !strings.Contains(string(metrics), "concord_external_calls_total") {
		t.Fatalf("metrics missing families:\n%s", cut(string(metrics), 400))
	}

	// Read every database file raw: the main file and the write-ahead log.
	path := strings.TrimPrefix(b.URL, "sqlite://")
	files, _ := filepath.Glob(path + "*")
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check("database file "+filepath.Base(f), data)
	}
	// And the sealed value really is there (the scan above would pass on an empty DB).
	var n int
	if err := h.app.db.InTx(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.AllCredentials(context.Background())
		n = len(rows)
		return err
	}); err != nil || n == 0 {
		t.Fatalf("expected sealed credentials in the vault, found %d (%v)", n, err)
	}
}
