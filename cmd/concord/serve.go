package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "concord serving on %s\n", a.URL)
	return a.run(ctx)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	log := cfg.logger(stderr)
	db, err := openStore(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %s: schema version %s (%d concord migrations and %d queue migrations applied now)\n",
		db.Dialect(), res.Version, len(res.Applied), len(res.RiverApplied))
	return nil
}
