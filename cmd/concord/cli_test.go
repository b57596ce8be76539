package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/concordhub/concord/store/storetest"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestOperatorCLI drives `concord connections list|test` against a running server.
func TestOperatorCLI(t *testing.T) {
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	e := h.entity("CLI Co", "sandbox")
	c := h.connectStripe(e.ID, sandboxCreds(h.emulatorCreds(h.emuURL)), h.emuURL)
	env := map[string]string{"CONCORD_SERVER": h.app.URL, "CONCORD_TOKEN": h.token}

	code, out, errs := runCLI(t, env, "connections", "list")
	if code != 0 || !strings.Contains(out, c.ID) || !strings.Contains(out, "connected") || !strings.Contains(out, "CLI Co") {
		t.Fatalf("list: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCLI(t, env, "connections", "test", c.ID)
	if code != 0 || !strings.Contains(out, c.ID+": ok") {
		t.Fatalf("test: %d %s", code, out)
	}
	h.fault(h.emuURL, "expire_token", 0)
	code, out, _ = runCLI(t, env, "connections", "test", c.ID)
	if code != 1 || !strings.Contains(out, "auth_expired") {
		t.Fatalf("failing test: %d %s", code, out)
	}
	if code, _, errs = runCLI(t, map[string]string{"CONCORD_TOKEN": ""}, "connections", "list", "--server", h.app.URL); code != 2 || !strings.Contains(errs, "token") {
		t.Fatalf("no token: %d %s", code, errs)
	}
	if code, _, _ = runCLI(t, nil, "nonsense"); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}

// TestAuditVerifyDetectsTampering: `concord audit verify` passes on an intact history and
// fails on an edited or removed entry.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	for i := 0; i < 3; i++ {
		e := h.entity("Audited "+string(rune('A'+i)), "sandbox")
		h.connectStripe(e.ID, sandboxCreds(h.emulatorCreds(h.emuURL)), h.emuURL)
	}
	code, out, errs := runCLI(t, nil, "audit", "verify", "--db", b.URL)
	if code != 0 || !strings.Contains(out, "intact: 6 entries") {
		t.Fatalf("intact: %d %s %s", code, out, errs)
	}
	raw, err := sql.Open("sqlite", strings.TrimPrefix(b.URL, "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_log SET actor = 'api_key:someone_else' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, nil, "audit", "verify", "--db", b.URL)
	if code != 1 || !strings.Contains(out, "seq 3: hash_mismatch") {
		t.Fatalf("edited: %d %s", code, out)
	}
	if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, nil, "audit", "verify", "--db", b.URL)
	if code != 1 || !strings.Contains(out, "BROKEN") {
		t.Fatalf("removed: %d %s", code, out)
	}
}

// TestVaultRotateKey: every credential is resealed under a new key; the old key file is
// retired; the server then reads the credentials with the new key alone.
func TestVaultRotateKey(t *testing.T) {
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	e := h.entity("Rotate Key Co", "sandbox")
	c := h.connectStripe(e.ID, sandboxCreds(h.emulatorCreds(h.emuURL)), h.emuURL)
	before, _ := os.ReadFile(h.cfg.MasterKeyFile)

	code, out, errs := runCLI(t, nil, "vault", "rotate-key", "--db", b.URL, "--master-key-file", h.cfg.MasterKeyFile)
	if code != 0 || !strings.Contains(out, "resealed 2 credential values") {
		t.Fatalf("rotate: %d %s %s", code, out, errs)
	}
	after, _ := os.ReadFile(h.cfg.MasterKeyFile)
	if bytes.Equal(before, after) {
		t.Fatal("key file unchanged")
	}
	retired, _ := filepath.Glob(h.cfg.MasterKeyFile + ".retired-*")
	if len(retired) != 1 {
		t.Fatalf("retired key files: %v", retired)
	}
	// A new server with only the new key reads and uses the credential.
	cfg := h.cfg
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a2, err := openApp(ctx, cfg, &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a2.run(ctx) }()
	out2, err := a2.svc.Test(ctx, "test", c.ID)
	if err != nil || !out2.OK {
		t.Fatalf("test after rotation: %+v %v", out2, err)
	}
	v, err := a2.svc.Get(ctx, c.ID)
	if err != nil || !strings.HasPrefix(v.CredentialsMasked["secret_key"], "sk_test_••••") {
		t.Fatalf("view after rotation: %+v %v", v.CredentialsMasked, err)
	}
	cancel()
	<-done
}

// TestCredentialsDestroyedAfterRecoveryWindow: a disconnected connection keeps its
// credentials for 7 days; the periodic purge then destroys them and reconnect is refused.
func TestCredentialsDestroyedAfterRecoveryWindow(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		e := h.entity("Purge Co", "sandbox")
		c := h.connectStripe(e.ID, sandboxCreds(h.emulatorCreds(h.emuURL)), h.emuURL)
		h.do("DELETE", "/v1/connections/"+c.ID, h.token, nil, nil)
		ctx := context.Background()
		if n, err := h.app.svc.PurgeExpiredCredentials(ctx); err != nil || n != 0 {
			t.Fatalf("purged inside the window: %d %v", n, err)
		}
		h.app.svc.Now = func() time.Time { return time.Now().Add(7*24*time.Hour + time.Minute) }
		if n, err := h.app.svc.PurgeExpiredCredentials(ctx); err != nil || n != 1 {
			t.Fatalf("purge after the window: %d %v", n, err)
		}
		var got connJSON
		h.do("GET", "/v1/connections/"+c.ID, h.token, nil, &got)
		if len(got.Credentials) != 0 || got.State != "disconnected" || got.StateReason != "credentials_destroyed" {
			t.Fatalf("after purge %+v", got)
		}
		var ej errJSON
		if st := h.do("POST", "/v1/connections/"+c.ID+"/reconnect", h.token, nil, &ej); st != 409 {
			t.Fatalf("reconnect after purge: %d %+v", st, ej)
		}
		var audit struct{ Data []struct{ Action string } }
		h.do("GET", "/v1/audit?resource=connection:"+c.ID, h.token, nil, &audit)
		if len(audit.Data) == 0 || audit.Data[0].Action != "connection.credentials_destroyed" {
			t.Fatalf("audit %+v", audit.Data)
		}
	})
}

// TestMigrateCommand applies migrations once and is a no-op the second time.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	url := "sqlite://" + filepath.Join(t.TempDir(), "m.db")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--db", url}, &out, &out); code != 0 || strings.Contains(out.String(), " 0 concord migrations") || !strings.Contains(out.String(), "schema version 0") {
		t.Fatalf("first migrate: %d %s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"migrate", "--db", url}, &out, &out); code != 0 || !strings.Contains(out.String(), "0 concord migrations and 0 queue") {
		t.Fatalf("second migrate: %d %s", code, out.String())
	}
}
