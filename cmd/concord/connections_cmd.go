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

type entityRow struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Mode string `json:"mode"`
}

type connectionRow struct {
	ID             string     `json:"id"`
	EntityID       string     `json:"entity_id"`
	Connector      string     `json:"connector"`
	Mode           string     `json:"mode"`
	State          string     `json:"state"`
	StateReason    string     `json:"state_reason"`
	AccountID      string     `json:"account_id"`
	LastActivityAt *time.Time `json:"last_activity_at"`
}

type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// listAll follows next_cursor to the end.
func listAll[T any](ctx context.Context, c *apiClient, path string) ([]T, error) {
	var out []T
	cursor := ""
	for {
		p := path + "?limit=500"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var pg page[T]
		if err := c.do(ctx, "GET", p, nil, &pg); err != nil {
			return nil, err
		}
		out = append(out, pg.Data...)
		if pg.NextCursor == "" {
			return out, nil
		}
		cursor = pg.NextCursor
	}
}

func runConnections(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("connections: list or test")
	}
	var c apiClient
	fs := flag.NewFlagSet("connections "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.bindFlags(fs)
	entity := fs.String("entity", "", "only this entity's connections (list)")
	allow := fs.Bool("allow-reversible", false, "let a production entity's workflow check run a reversible operation (diagnose)")
	ids, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return usageError(err.Error())
	}
	switch args[0] {
	case "list":
		return connectionsList(ctx, &c, *entity, stdout)
	case "test":
		if len(ids) == 0 {
			return usageError("connections test: give one or more connection ids")
		}
		return connectionsTest(ctx, &c, ids, stdout)
	case "diagnose":
		if len(ids) == 0 {
			return usageError("connections diagnose: give one or more connection ids")
		}
		var body any
		if *allow {
			body = map[string]bool{"allow_reversible": true}
		}
		return connectionsDiagnose(ctx, &c, ids, body, stdout)
	}
	return usageError(fmt.Sprintf("connections: unknown subcommand %q", args[0]))
}

// parseInterspersed parses flags given before, between or after the positional arguments
// (`connections diagnose ID --allow-reversible`) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func connectionsList(ctx context.Context, c *apiClient, only string, stdout io.Writer) error {
	entities, err := listAll[entityRow](ctx, c, "/v1/entities")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tENTITY\tENTITY MODE\tCONNECTOR\tMODE\tSTATE\tREASON\tACCOUNT\tLAST ACTIVITY")
	for _, e := range entities {
		if only != "" && e.ID != only {
			continue
		}
		conns, err := listAll[connectionRow](ctx, c, "/v1/entities/"+url.PathEscape(e.ID)+"/connections")
		if err != nil {
			return err
		}
		for _, cn := range conns {
			last := "-"
			if cn.LastActivityAt != nil {
				last = cn.LastActivityAt.Local().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cn.ID, e.Name, e.Mode, cn.Connector,
				dash(cn.Mode), cn.State, dash(cn.StateReason), dash(cn.AccountID), last)
		}
	}
	return tw.Flush()
}

type testOutcome struct {
	OK         bool   `json:"ok"`
	Mode       string `json:"mode"`
	AccountID  string `json:"account_id"`
	LatencyMS  int64  `json:"latency_ms"`
	ErrorClass string `json:"error_class"`
	Message    string `json:"message"`
	State      string `json:"state"`
}

// connectionsTest tests each connection; it fails (exit 1) if any test fails.
func connectionsTest(ctx context.Context, c *apiClient, ids []string, stdout io.Writer) error {
	failed := false
	for _, id := range ids {
		var out testOutcome
		if err := c.do(ctx, "POST", "/v1/connections/"+url.PathEscape(id)+"/test", nil, &out); err != nil {
			fmt.Fprintf(stdout, "%s: error: %v\n", id, err)
			failed = true
			continue
		}
		verdict := "ok"
		if !out.OK {
			verdict, failed = "FAILED ("+dash(out.ErrorClass)+")", true
		}
		fmt.Fprintf(stdout, "%s: %s  mode=%s account=%s state=%s latency=%dms  %s\n",
			id, verdict, dash(out.Mode), dash(out.AccountID), out.State, out.LatencyMS, out.Message)
	}
	if failed {
		return errFailedCheck
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
