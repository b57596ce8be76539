package main

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/concordhub/concord/bench"
)

// BenchmarkDashboardSmoke runs `concord bench dashboard` once at a tiny size on SQLite
// (CI's `go test -run '^$' -bench . -benchtime 1x`): the seed's SQL on a real server's
// database, and every path answering 200 (or 404 for a page not built yet).
func BenchmarkDashboardSmoke(b *testing.B) {
	for b.Loop() {
		ctx := context.Background()
		dir := b.TempDir()
		dbURL := "sqlite://" + filepath.Join(dir, "concord.db")
		a, conns, entityID, token, stop, err := startDashboardServer(ctx, dbURL, dir, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		out := &strings.Builder{}
		cfg := bench.DashboardConfig{DB: a.db, DBURL: dbURL, BaseURL: a.URL, Token: token, EntityID: entityID,
			Connections: conns, Logs: 20_000, Mappings: 5000, Events: 500, Outbox: 300, Requests: 20, Clients: 4, Out: out}
		for name := range bench.DashboardPaths {
			cfg.Paths = append(cfg.Paths, name)
		}
		slices.Sort(cfg.Paths)
		err = bench.Dashboard(ctx, cfg)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
	}
}
