package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/bench"
	"github.com/concordhub/concord/connections"
	emulators "github.com/concordhub/concord/emulator/all"
	"github.com/concordhub/concord/vault"
)

const dashboardUsage = "usage: concord bench dashboard [--db URL] [--logs 10000000] [--mappings 1000000] [--requests 500] [--paths entity_api,integrations_api,...]"

// runDashboardBench runs the dashboard benchmark of BENCHMARKS.md: a real server on
// 127.0.0.1:0 with Stripe and Shopify connections to in-process emulators, a seeded
// history, and timed GETs of the dashboard's API answers and pages.
func runDashboardBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database URL (default: a fresh SQLite file in a temp folder); PostgreSQL is migrated in place (use a fresh schema: ?search_path=...)")
	cfg := bench.DashboardConfig{Out: stdout, Progress: stderr}
	fs.IntVar(&cfg.Logs, "logs", 10_000_000, "connector-log rows over 30 days")
	fs.IntVar(&cfg.Mappings, "mappings", 1_000_000, "mappings of the Shopify connection")
	fs.IntVar(&cfg.Events, "events", 200_000, "webhook events over 30 days")
	fs.IntVar(&cfg.Outbox, "outbox", 100_000, "outbox rows of the Shopify connection")
	fs.IntVar(&cfg.Requests, "requests", 500, "GETs per path and mode")
	fs.IntVar(&cfg.Clients, "clients", 4, "clients of the concurrent mode")
	fs.IntVar(&cfg.Runs, "runs", 1, "runs per figure (the median of the runs' percentiles is reported)")
	paths := fs.String("paths", strings.Join(bench.DefaultDashboardPaths, ","), "comma-separated names ("+dashboardPathNames()+") or paths with {entity} and {connection}")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measured requests to this file")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error() + "\n" + dashboardUsage)
	}
	for _, p := range strings.Split(*paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.Paths = append(cfg.Paths, p)
		}
	}
	dir, err := os.MkdirTemp("", "concord-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *db == "" {
		*db = "sqlite://" + filepath.Join(dir, "concord.db")
	}
	a, conns, entityID, token, stop, err := startDashboardServer(ctx, *db, dir, stderr)
	if err != nil {
		return err
	}
	defer stop()
	cfg.DB, cfg.DBURL, cfg.BaseURL, cfg.Token, cfg.EntityID, cfg.Connections = a.db, *db, a.URL, token, entityID, conns
	if err := bench.SeedDashboard(ctx, cfg); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return bench.MeasureDashboard(ctx, cfg)
}

func dashboardPathNames() string {
	names := make([]string, 0, len(bench.DashboardPaths))
	for _, n := range []string{"entity_api", "integrations_api", "sync_api", "logs_api", "integrations_page", "sync_page", "logs_page", "logs_errors_page", "mapping_page"} {
		if _, ok := bench.DashboardPaths[n]; ok {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// startDashboardServer runs a concord server as `serve` wires it (log retention beyond the
// seeded 30 days, so the prune job leaves the history alone) with a sandbox entity holding
// a Stripe and a Shopify connection, each pointed at its emulator as the demo does.
func startDashboardServer(ctx context.Context, dbURL, dir string, stderr io.Writer) (a *app, conns []bench.DashboardConnection,
	entityID, token string, stop func(), err error) {
	keyFile := filepath.Join(dir, "master.key")
	if _, err := vault.CreateKeyFile(keyFile); err != nil {
		return nil, nil, "", "", nil, err
	}
	var emus []*runningEmulator
	closeEmus := func() {
		for _, e := range emus {
			e.close()
		}
	}
	for _, f := range emulators.Factories() {
		if f.Connector != "stripe" && f.Connector != "shopify" {
			continue
		}
		r, err := startEmulator(f, "127.0.0.1:0")
		if err != nil {
			closeEmus()
			return nil, nil, "", "", nil, err
		}
		emus = append(emus, r)
	}
	token = "cct_bench_" + randomString(24)
	cfg := config{Addr: "127.0.0.1:0", DB: dbURL, MasterKeyFile: keyFile, LogRetention: 2 * concord.LogRetention,
		LogLevel: "error", AdminToken: token}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a, err = openApp(runCtx, cfg, stderr)
	if err != nil {
		cancel()
		closeEmus()
		return nil, nil, "", "", nil, err
	}
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()
	stop = func() {
		cancel()
		<-done
		closeEmus()
	}
	e, err := a.svc.CreateEntity(ctx, benchActor, "Bench Dashboard "+randomString(6), concord.ModeSandbox)
	if err != nil {
		stop()
		return nil, nil, "", "", nil, fmt.Errorf("create entity: %w", err)
	}
	for _, emu := range emus {
		c, _ := a.svc.Registry.Get(emu.Connector)
		creds, ccfg, err := emulatorCredentials(ctx, emu.URL, c.Describe())
		if err != nil {
			stop()
			return nil, nil, "", "", nil, fmt.Errorf("emulator credentials: %w", err)
		}
		ccfg["api_base"] = emu.URL
		v, err := a.svc.Connect(ctx, benchActor, e.ID, connections.ConnectInput{Connector: emu.Connector, Credentials: creds, Config: ccfg})
		if err != nil {
			stop()
			return nil, nil, "", "", nil, fmt.Errorf("connect %s: %w", emu.Connector, err)
		}
		conns = append(conns, bench.DashboardConnection{ID: v.ID, Connector: emu.Connector})
	}
	// Let the first background passes (the connect-time import, the first schedule)
	// settle before the history is written beside them.
	time.Sleep(500 * time.Millisecond)
	return a, conns, e.ID, token, stop, nil
}
