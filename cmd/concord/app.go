package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/connectors/all"
	"github.com/concordhub/concord/dashboard"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/webhook"
)

// app is one running concord server: database, job queue, lifecycle service and HTTP API.
// Tests run it on 127.0.0.1:0.
type app struct {
	cfg      config
	log      *slog.Logger
	db       *store.DB
	queue    *jobs.Queue
	svc      *connections.Service
	api      *httpapi.Server
	intake   *webhook.Intake
	proc     *webhook.Processor
	panel    *webhook.Panel
	sync     *syncer.Engine
	triage   *triage.Triage
	dash     *dashboard.Dashboard
	listener net.Listener
	http     *http.Server
	// URL is the server's base URL once listening.
	URL string
}

// openApp wires the server. It listens at once so the real address (for :0) is known.
func openApp(ctx context.Context, cfg config, stderr io.Writer) (*app, error) {
	a := &app{cfg: cfg, log: cfg.logger(stderr)}
	keys, _, err := cfg.keyring(a.log)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if a.db, err = cfg.openDB(ctx, a.log); err != nil {
		return nil, err
	}
	a.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.db.Close()
		return nil, err
	}
	addr := a.listener.Addr().String()
	a.URL = "http://" + addr

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registry := all.Registry()
	outbound := connector.NewOutbound(connector.OutboundOptions{
		Sink: a.db, Registerer: reg, Logger: a.log, AllowPrivateNetworks: cfg.AllowCustomAPIBase,
	})
	a.svc = &connections.Service{DB: a.db, Registry: registry, Keys: keys, Outbound: outbound, Log: a.log,
		AllowCustomAPIBase: cfg.AllowCustomAPIBase, PublicURL: cfg.publicURL(addr)}
	a.svc.OnChange = func(id string) { a.intake.Forget(id) }
	a.proc = &webhook.Processor{DB: a.db, Registry: registry, Log: a.log}
	a.panel = &webhook.Panel{DB: a.db, Svc: a.svc, Processor: a.proc}
	writers := 1
	if a.db.Dialect() == "postgres" {
		writers = 4
	}
	a.intake = webhook.NewIntake(webhook.Options{DB: a.db, Opener: a.svc, Log: a.log, Registerer: reg,
		OnCommit: a.proc.Kick, Writers: writers})
	a.sync = &syncer.Engine{DB: a.db, Svc: a.svc, Log: a.log}
	a.triage = &triage.Triage{DB: a.db, Svc: a.svc, Webhooks: a.panel, Sync: a.sync}
	a.proc.ApplyRecords = func(ctx context.Context, tx *store.Tx, id string, recs []connector.SyncRecord) error {
		_, err := a.sync.ApplyDelivered(ctx, tx, id, recs)
		return err
	}
	a.proc.Evidence = a.svc.NoteEvidence
	a.proc.Busy = a.intake.Busy
	workers := river.NewWorkers()
	periodic := a.svc.Workers(workers, cfg.LogRetention)
	periodic = append(periodic, a.sync.Workers(workers, 15*time.Minute)...)
	periodic = append(periodic, a.proc.Workers(workers)...)
	periodic = append(periodic, a.panel.Workers(workers, 10*time.Minute)...)
	if a.queue, err = jobs.New(a.db, jobs.Options{Workers: workers, PeriodicJobs: periodic, Logger: a.log}); err != nil {
		a.close()
		return nil, err
	}
	a.svc.Jobs = a.queue
	a.sync.Jobs = a.queue
	a.dash, err = dashboard.New(&dashboard.Dashboard{DB: a.db, Svc: a.svc, Registry: registry, Sync: a.sync,
		Webhooks: a.panel, Triage: a.triage, Log: a.log, SecureCookies: strings.HasPrefix(cfg.publicURL(addr), "https://")})
	if err != nil {
		a.close()
		return nil, err
	}
	a.api = httpapi.New(&httpapi.Server{DB: a.db, Svc: a.svc, Registry: registry, Jobs: a.queue, Webhooks: a.panel, Sync: a.sync,
		Log: a.log, Gatherer: reg, Registerer: reg,
		Mounts: map[string]http.Handler{"POST /hooks/{connection_id}": a.intake, "GET /hooks/{connection_id}": a.intake,
			"GET /oauth/callback": httpapi.OAuthCallback(a.svc, a.log),
			"/ui/":                a.dash, "GET /{$}": a.dash},
		Triage: a.triage,
	}, httpapi.Options{AdminToken: cfg.AdminToken})
	a.dash.Auth = a.api
	a.http = &http.Server{Handler: a.api, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.http.RegisterOnShutdown(a.dash.Stop) // live streams end, so shutdown need not wait for open browsers
	return a, nil
}

// run works jobs and serves HTTP until ctx ends, then shuts down cleanly: stop taking
// requests, let running jobs finish (bounded), close the database.
func (a *app) run(ctx context.Context) error {
	if err := a.queue.Start(ctx); err != nil {
		if ctx.Err() != nil { // stopped while starting: a clean shutdown, not a failure
			a.intake.Close()
			a.close()
			return nil
		}
		return fmt.Errorf("start job queue: %w", err)
	}
	procCtx, stopProc := context.WithCancel(context.WithoutCancel(ctx))
	go a.proc.Run(procCtx)
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.listener) }()
	a.log.Info("concord serving", "url", a.URL, "db", a.db.Dialect())
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	// Stop taking deliveries first; every one already acknowledged is committed.
	_ = a.http.Shutdown(shutdownCtx)
	a.intake.Close()
	stopProc()
	a.proc.Wait()
	if serr := a.queue.Stop(shutdownCtx); serr != nil && !errors.Is(serr, context.Canceled) {
		a.log.Warn("job queue stop", "err", serr)
	}
	a.close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (a *app) close() {
	if a.listener != nil {
		a.listener.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}
