// Command concord is the integrations hub: the server, its operator CLI, the sandbox
// emulators and the one-command demo. Everything here is wiring; the work is in the
// packages it wires.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `concord — integrations hub for commerce ERPs

Usage:
  concord demo [--addr host:port]          server + emulators + seeded sandbox entity + live traffic
  concord serve [flags]                    the production server
  concord migrate [--db URL]               apply schema migrations and exit
  concord emulate <connector>|all [--addr host:port]
                                           run sandbox emulators standalone
  concord connections list|test ...        operator CLI (talks to a server: --server, --token)
  concord sync run --connection ID [--resource KIND] [--direction inbound|outbound] [--full]
                                           run a sync with live progress (Ctrl-C stops it safely)
  concord sync status --entity ID          the Sync Dashboard in the terminal
  concord drift list --connection ID       open drifts, both values side by side
  concord drift resolve ID --action push|pull|accept [--yes]
                                           preview, then resolve one drift
  concord audit verify [--db URL]          check the audit hash chain
  concord vault rotate-key [--db URL] [--new-key-file F]
                                           reseal every credential under a new master key
  concord bench webhook-intake [--db URL] [--duration 5s] [--senders 32] [--runs 3]

Run "concord <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(code)
}

// run dispatches a command; it returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout, stderr)
	case "emulate":
		err = runEmulate(ctx, args[1:], stdout, stderr)
	case "connections":
		err = runConnections(ctx, args[1:], stdout, stderr)
	case "sync":
		err = runSync(ctx, args[1:], stdout, stderr)
	case "drift":
		err = runDrift(ctx, args[1:], stdout, stderr)
	case "audit":
		err = runAudit(ctx, args[1:], stdout, stderr)
	case "vault":
		err = runVault(ctx, args[1:], stdout, stderr)
	case "bench":
		err = runBench(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "concord: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "concord:", err)
		return 2
	case errors.Is(err, errFailedCheck):
		return 1
	}
	fmt.Fprintln(stderr, "concord:", err)
	return 1
}

// usageError is a mistake in how the command was called (exit 2).
type usageError string

func (e usageError) Error() string { return string(e) }

// errFailedCheck ends a command whose check failed after it said why (exit 1).
var errFailedCheck = errors.New("check failed")
