package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/bench"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/vault"
)

// TestWebhookCrashLosesNoAckedEvent kills `concord serve` with SIGKILL while 16 senders
// deliver signed Stripe events, restarts it on the same database and checks that every
// delivery that was answered 2xx is stored exactly once. Every delivery is then sent again:
// each must be answered 2xx, as a duplicate when it had been acknowledged, and still be
// stored once.
func TestWebhookCrashLosesNoAckedEvent(t *testing.T) {
	t.Parallel()
	bin := buildConcord(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			crashDuringDeliveries(t, bin, b.URL)
		})
	}
}

func crashDuringDeliveries(t *testing.T, bin, dbURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "master.key")
	if _, err := vault.CreateKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	emu, err := startStripeEmulator()
	if err != nil {
		t.Fatal(err)
	}
	defer emu.close()
	secret := newWebhookSecret()
	connID := prepareCrashDB(t, ctx, dbURL, keyFile, emu.url, secret)

	first := startServe(t, bin, dbURL, keyFile)
	hook := first.url + "/hooks/" + connID
	ds := bench.StripeDeliveries(secret, "crash_"+randomString(8), 20000, time.Now())
	c := bench.NewClient(16)
	loadCtx, stopLoad := context.WithCancel(ctx)
	results := make(chan bench.Result, 1)
	go func() {
		results <- bench.Closed(loadCtx, c, 5*time.Second, bench.Group{URL: hook, Deliveries: ds, Senders: 16})[0]
	}()
	time.Sleep(300 * time.Millisecond)
	first.kill(t)
	stopLoad()
	res := <-results
	t.Logf("before the kill: %d sent, %d acknowledged, %d refused, %d unanswered", res.Sent, res.Accepted, res.Refused, res.Failed)
	if res.Accepted == 0 {
		t.Fatalf("no delivery was acknowledged before the kill; the test proves nothing\n%s", first.logs.String())
	}
	if res.Refused > 0 {
		t.Errorf("%d signed deliveries were refused", res.Refused)
	}
	c.CloseIdleConnections()

	second := startServe(t, bin, dbURL, keyFile)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("second server's log:\n%s", second.logs.String())
		}
	})
	resend(t, ctx, c, second.url+"/hooks/"+connID, res.Tried, res.Acked)
	second.stop(t)

	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := bench.StoredCounts(ctx, db, connID)
	if err != nil {
		t.Fatal(err)
	}
	lost, doubled := bench.Audit(res.Acked, counts)
	if len(lost) > 0 || len(doubled) > 0 {
		t.Fatalf("of %d acknowledged events, %d are lost (%v) and %d stored twice (%v)",
			len(res.Acked), len(lost), head(lost), len(doubled), head(doubled))
	}
	for _, d := range res.Tried {
		if counts[d.EventID] != 1 {
			t.Fatalf("after the resend, %s is stored %d times", d.EventID, counts[d.EventID])
		}
	}
}

// prepareCrashDB migrates the database in-process and stores a sandbox Stripe connection
// whose webhook_secret is secret, then stops that server.
func prepareCrashDB(t *testing.T, ctx context.Context, dbURL, keyFile, emuURL, secret string) string {
	t.Helper()
	cfg := config{Addr: "127.0.0.1:0", DB: dbURL, MasterKeyFile: keyFile, LogRetention: concord.LogRetention, LogLevel: "error"}
	runCtx, stop := context.WithCancel(ctx)
	a, err := openApp(runCtx, cfg, io.Discard)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()
	connID, err := seedStripeHook(ctx, a, emuURL, secret)
	stop()
	if rerr := <-done; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return connID
}

// resend delivers every tried delivery again, 16 at a time: each must be answered 2xx, and
// one that was acknowledged before must be reported a duplicate.
func resend(t *testing.T, ctx context.Context, c *http.Client, hook string, tried []bench.Delivery, acked []string) {
	t.Helper()
	wasAcked := make(map[string]bool, len(acked))
	for _, id := range acked {
		wasAcked[id] = true
	}
	var mu sync.Mutex
	var problems []string
	work := make(chan bench.Delivery)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				rep, err := bench.Send(ctx, c, hook, d)
				var p string
				switch {
				case err != nil:
					p = fmt.Sprintf("%s: %v", d.EventID, err)
				case !rep.OK():
					p = fmt.Sprintf("%s: answered %d", d.EventID, rep.Status)
				case wasAcked[d.EventID] && !rep.Duplicate:
					p = fmt.Sprintf("%s was acknowledged before the kill but is not a duplicate now", d.EventID)
				}
				if p != "" {
					mu.Lock()
					problems = append(problems, p)
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range tried {
		work <- d
	}
	close(work)
	wg.Wait()
	if len(problems) > 0 {
		t.Fatalf("%d of %d resends went wrong, e.g. %v", len(problems), len(tried), head(problems))
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// buildConcord builds this command once for the test, from the module root.
func buildConcord(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "concord")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/concord")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	return bin
}

// child is a `concord serve` process.
type child struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan error
}

// startServe starts `concord serve` on a free loopback port and waits until it is ready.
func startServe(t *testing.T, bin, dbURL, keyFile string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &child{url: "http://" + addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd = exec.Command(bin, "serve", "--db", dbURL, "--addr", addr, "--master-key-file", keyFile, "--log-level", "warn")
	c.cmd.Env = append(os.Environ(), "CONCORD_ADMIN_TOKEN=cct_crash_"+randomString(20))
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() { _ = c.cmd.Process.Kill(); <-c.done; c.done <- nil })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(c.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		select {
		case err := <-c.done:
			t.Fatalf("concord serve exited early: %v\n%s", err, c.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("concord serve not ready in 10 s\n%s", c.logs.String())
	return nil
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-c.done
	c.done <- err
}

// stop ends the process cleanly and requires a clean exit.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		c.done <- err
		if err != nil {
			t.Fatalf("concord serve stopped with %v\n%s", err, c.logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("concord serve did not stop in 15 s")
	}
}
