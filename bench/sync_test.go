package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The smoke benchmarks run each sync benchmark once at a tiny size on SQLite (CI's
// `go test -run '^$' -bench . -benchtime 1x`); the figures come from `concord bench`.

func smokeConfig(b *testing.B) (SyncConfig, *strings.Builder) {
	out := &strings.Builder{}
	cfg := SyncConfig{DB: "sqlite://" + filepath.Join(b.TempDir(), "concord.db"), Runs: 1, Out: out}
	if testing.Verbose() {
		cfg.Progress = os.Stderr
	}
	return cfg, out
}

func BenchmarkImportSmoke(b *testing.B) {
	for b.Loop() {
		cfg, out := smokeConfig(b)
		cfg.Orders, cfg.Variants, cfg.EngineOrders = 40, 50, 250
		if err := Import(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
	}
}

func BenchmarkDriftScanSmoke(b *testing.B) {
	for b.Loop() {
		cfg, out := smokeConfig(b)
		cfg.Mapped, cfg.Drifted, cfg.Changed = 20000, 20, 100
		if err := DriftScan(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
	}
}

func BenchmarkOutboundSmoke(b *testing.B) {
	for b.Loop() {
		cfg, out := smokeConfig(b)
		cfg.Changes, cfg.SKUs = 300, 100
		if err := Outbound(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
	}
}
