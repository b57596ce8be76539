package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"

	"github.com/concordhub/concord/bench"
)

// runSyncBench runs the import, drift-scan or outbound benchmark of BENCHMARKS.md in this
// process: an engine on the database, a Shopify emulator on loopback, bounded in size.
func runSyncBench(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database URL (default: a fresh SQLite file in a temp folder); PostgreSQL is migrated in place")
	runs := fs.Int("runs", 3, "runs per figure (the median is reported)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the first measured run to this file")
	cfg := bench.SyncConfig{Out: stdout, Progress: stderr}
	switch name {
	case "import":
		fs.IntVar(&cfg.Orders, "orders", 2000, "orders seeded in the emulator")
		fs.IntVar(&cfg.Variants, "variants", 2000, "variants seeded in the emulator")
		fs.IntVar(&cfg.EngineOrders, "engine-orders", 2000, "pre-built orders for the engine-only figure")
		fs.IntVar(&cfg.EngineLines, "engine-lines", 5, "lines of each pre-built order")
	case "drift-scan":
		fs.IntVar(&cfg.Mapped, "mapped", 1_000_000, "mapped records")
		fs.IntVar(&cfg.Drifted, "drifted", 1000, "mapped records whose fingerprints differ")
		fs.IntVar(&cfg.Changed, "changed", 1000, "records changed for the incremental case")
	case "outbound":
		fs.IntVar(&cfg.Changes, "changes", 20_000, "ERP stock changes written")
		fs.IntVar(&cfg.SKUs, "skus", 2000, "SKUs (stock records) the changes fall on")
	}
	if err := fs.Parse(args); err != nil {
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
	cfg.DB, cfg.Runs = *db, *runs
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.CPUProfile = f
	}
	switch name {
	case "import":
		return bench.Import(ctx, cfg)
	case "drift-scan":
		return bench.DriftScan(ctx, cfg)
	}
	return bench.Outbound(ctx, cfg)
}
