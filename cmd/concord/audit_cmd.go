package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/concordhub/concord/audit"
)

// runAudit verifies the audit hash chain straight from the database: the check must not
// depend on a server that could itself be the thing tampered with.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError("audit: the only subcommand is verify")
	}
	var cfg config
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	db, err := openStore(ctx, cfg.DB, cfg.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	v := &audit.Verifier{}
	var problems []audit.Problem
	if err := db.WalkAudit(ctx, func(e audit.Entry) error {
		problems = append(problems, v.Add(e)...)
		return nil
	}); err != nil {
		return err
	}
	seq, head := v.Head()
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "audit chain BROKEN: %d problem(s) in %d entries\n", len(problems), v.Count())
		for _, p := range problems {
			fmt.Fprintln(stdout, "  "+p.String())
		}
		return errFailedCheck
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries, head seq %d hash %s\n", v.Count(), seq, head)
	fmt.Fprintln(stdout, "(record the head hash elsewhere: a later verify that shows a different hash at this seq means the tail was rewritten)")
	return nil
}
