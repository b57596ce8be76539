package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
	"time"
)

// runDrift implements `concord drift list|resolve`.
func runDrift(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("drift: list or resolve")
	}
	var c apiClient
	fs := flag.NewFlagSet("drift "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.bindFlags(fs)
	conn := fs.String("connection", "", "connection id (list)")
	state := fs.String("state", "open", "open, resolved, auto_resolved, cleared or all (list)")
	action := fs.String("action", "", "push, pull or accept (resolve)")
	yes := fs.Bool("yes", false, "apply the resolution (without it, resolve only shows the preview)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	switch args[0] {
	case "list":
		if *conn == "" {
			return usageError("drift list: --connection is required")
		}
		st := *state
		if st == "all" {
			st = ""
		}
		var page struct {
			Data []struct {
				ID, Kind, ExternalID, Field, Cause, State, Policy string
				ERPValue                                          string    `json:"erp_value"`
				ExternalValue                                     string    `json:"external_value"`
				DetectedAt                                        time.Time `json:"detected_at"`
			} `json:"data"`
		}
		if err := c.do(ctx, "GET", "/v1/connections/"+url.PathEscape(*conn)+"/drift?limit=500&state="+url.QueryEscape(st), nil, &page); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DRIFT\tRECORD\tFIELD\tERP\tSERVICE\tCAUSE\tPOLICY\tAGE")
		for _, d := range page.Data {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Kind, d.ExternalID, d.Field, d.ERPValue, d.ExternalValue,
				d.Cause, d.Policy, time.Since(d.DetectedAt).Truncate(time.Second))
		}
		return tw.Flush()
	case "resolve":
		// Flags may come after the id too: `drift resolve drf_1 --action pull`.
		var id string
		if fs.NArg() > 0 {
			id = fs.Arg(0)
			if err := fs.Parse(fs.Args()[1:]); err != nil {
				return usageError(err.Error())
			}
		}
		if id == "" || fs.NArg() != 0 || *action == "" {
			return usageError("drift resolve: give one drift id and --action push|pull|accept")
		}
		var p struct {
			Change  string `json:"change"`
			Allowed bool   `json:"allowed"`
			Why     string `json:"why"`
		}
		id = url.PathEscape(id)
		if err := c.do(ctx, "POST", "/v1/drift/"+id+"/resolve", map[string]any{"action": *action, "preview": true}, &p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "would %s\n", p.Change)
		if !p.Allowed {
			fmt.Fprintf(stdout, "not allowed: %s\n", p.Why)
			return errFailedCheck
		}
		if !*yes {
			fmt.Fprintln(stdout, "(preview only; add --yes to do it)")
			return nil
		}
		if err := c.do(ctx, "POST", "/v1/drift/"+id+"/resolve", map[string]any{"action": *action}, &p); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "done; the audit history has the entry")
		return nil
	}
	return usageError(fmt.Sprintf("drift: unknown subcommand %q", args[0]))
}
