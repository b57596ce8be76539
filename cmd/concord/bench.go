package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/bench"
	"github.com/concordhub/concord/connections"
	stripeemu "github.com/concordhub/concord/emulator/stripe"
	"github.com/concordhub/concord/vault"
)

const benchActor connections.Actor = "bench"

// runBench runs one benchmark of BENCHMARKS.md in this process, against loopback only.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "import", "drift-scan", "outbound":
			return runSyncBench(ctx, args[0], args[1:], stdout, stderr)
		case "dashboard":
			return runDashboardBench(ctx, args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "webhook-intake" {
		return usageError("usage: concord bench webhook-intake [--db URL] [--duration 5s] [--senders 32] [--runs 3] [--cpuprofile F]\n" +
			"       concord bench import|drift-scan|outbound [--db URL] [--runs 3]\n       " + strings.TrimPrefix(dashboardUsage, "usage: "))
	}
	fs := flag.NewFlagSet("bench webhook-intake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database URL (default: a fresh SQLite file in a temp folder); PostgreSQL is migrated in place")
	duration := fs.Duration("duration", 5*time.Second, "length of each run")
	senders := fs.Int("senders", 32, "concurrent senders")
	runs := fs.Int("runs", 3, "runs per figure (the median is reported)")
	maxEvents := fs.Int("max-events", 0, "deliveries prepared per closed-loop run (0: 40,000 a second of --duration)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the first closed-loop run on concord to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	dir, err := os.MkdirTemp("", "concord-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *db == "" {
		*db = "sqlite://" + filepath.Join(dir, "concord.db")
	}
	srv, err := startBenchServer(ctx, *db, dir, stderr)
	if err != nil {
		return err
	}
	defer srv.close()
	cfg := bench.IntakeConfig{Backend: srv.app.db.Dialect(), HookURL: srv.hookURL, Secret: srv.secret,
		DB: srv.app.db, ConnectionID: srv.connID, Senders: *senders, Runs: *runs, Duration: *duration,
		MaxEvents: *maxEvents, Out: stdout, Progress: stderr}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.CPUProfile = f
	}
	err = bench.WebhookIntake(ctx, cfg)
	if errors.Is(err, bench.ErrLostAcked) {
		fmt.Fprintln(stderr, "concord:", err)
		return errFailedCheck
	}
	return err
}

// benchServer is a concord server wired as `serve` wires it, with one sandbox Stripe
// connection pointed at an in-process emulator and a webhook_secret the bench signs with.
type benchServer struct {
	app     *app
	hookURL string
	secret  string
	connID  string
	close   func()
}

func startBenchServer(ctx context.Context, dbURL, dir string, stderr io.Writer) (*benchServer, error) {
	keyFile := filepath.Join(dir, "master.key")
	if _, err := vault.CreateKeyFile(keyFile); err != nil {
		return nil, err
	}
	emu, err := startStripeEmulator()
	if err != nil {
		return nil, err
	}
	cfg := config{Addr: "127.0.0.1:0", DB: dbURL, MasterKeyFile: keyFile, LogRetention: concord.LogRetention,
		LogLevel: "error", AdminToken: "cct_bench_" + randomString(24)}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a, err := openApp(runCtx, cfg, stderr)
	if err != nil {
		cancel()
		emu.close()
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()
	s := &benchServer{app: a, secret: newWebhookSecret(), close: func() {
		cancel()
		<-done
		emu.close()
	}}
	if s.connID, err = seedStripeHook(ctx, a, emu.url, s.secret); err != nil {
		s.close()
		return nil, err
	}
	s.hookURL = a.URL + "/hooks/" + s.connID
	return s, nil
}

// seedStripeHook creates a sandbox entity and a Stripe connection to the emulator at base
// whose webhook_secret is secret, and returns the connection id.
func seedStripeHook(ctx context.Context, a *app, base, secret string) (string, error) {
	e, err := a.svc.CreateEntity(ctx, benchActor, "Bench Sandbox "+randomString(6), concord.ModeSandbox)
	if err != nil {
		return "", fmt.Errorf("create entity: %w", err)
	}
	stripeConn, _ := a.svc.Registry.Get("stripe")
	creds, _, err := emulatorCredentials(ctx, base, stripeConn.Describe())
	if err != nil {
		return "", fmt.Errorf("emulator credentials: %w", err)
	}
	creds["webhook_secret"] = secret
	v, err := a.svc.Connect(ctx, benchActor, e.ID, connections.ConnectInput{Connector: "stripe", Credentials: creds,
		Config: map[string]string{"api_base": base}})
	if err != nil {
		return "", fmt.Errorf("connect stripe: %w", err)
	}
	return v.ID, nil
}

// newWebhookSecret is a signing secret shaped like Stripe's: whsec_ and 32 base64 characters.
func newWebhookSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + strings.NewReplacer("+", "A", "/", "B").Replace(base64.StdEncoding.EncodeToString(b))
}

type loopbackEmulator struct {
	url   string
	close func()
}

// startStripeEmulator serves a Stripe emulator without rate limits on a loopback port.
func startStripeEmulator() (loopbackEmulator, error) {
	emu := stripeemu.New(stripeemu.Options{RateLimit: -1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		emu.Close()
		return loopbackEmulator{}, err
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return loopbackEmulator{url: "http://" + ln.Addr().String(), close: func() { _ = srv.Close(); emu.Close() }}, nil
}
