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

type runJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Direction string     `json:"direction"`
	Status    string     `json:"status"`
	Moved     int        `json:"moved"`
	Failed    int        `json:"failed"`
	Total     int        `json:"total"`
	Warning   string     `json:"warning"`
	Error     string     `json:"error"`
	StartedAt time.Time  `json:"started_at"`
	Finished  *time.Time `json:"finished_at"`
}

// runSync implements `concord sync run|status`.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("sync: run or status")
	}
	var c apiClient
	fs := flag.NewFlagSet("sync "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.bindFlags(fs)
	conn := fs.String("connection", "", "connection id (run)")
	entity := fs.String("entity", "", "entity id (status)")
	resource := fs.String("resource", "", "one record kind (default: all the connector syncs)")
	direction := fs.String("direction", "inbound", "inbound, outbound (run); all, inbound, outbound (status)")
	full := fs.Bool("full", false, "from the beginning instead of since the last checkpoint")
	every := fs.Duration("every", 500*time.Millisecond, "how often progress is shown")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	switch args[0] {
	case "run":
		if *conn == "" {
			return usageError("sync run: --connection is required")
		}
		return syncRun(ctx, &c, *conn, *resource, *direction, *full, *every, stdout)
	case "status":
		if *entity == "" {
			return usageError("sync status: --entity is required")
		}
		return syncStatus(ctx, &c, *entity, *direction, stdout)
	}
	return usageError(fmt.Sprintf("sync: unknown subcommand %q", args[0]))
}

// syncRun starts runs and shows live progress: records moved, rate, time left when the
// service gave a total. Ctrl-C asks the server to stop after the current page; the next
// run resumes from the checkpoint, so an interrupt loses nothing and repeats nothing.
func syncRun(ctx context.Context, c *apiClient, conn, resource, direction string, full bool, every time.Duration, out io.Writer) error {
	var started struct {
		runJSON
		Runs []runJSON `json:"runs"`
	}
	// Starting the run must not be cut short by Ctrl-C arriving meanwhile.
	if err := c.do(context.WithoutCancel(ctx), "POST", "/v1/connections/"+url.PathEscape(conn)+"/sync",
		map[string]any{"resource": resource, "direction": direction, "full": full}, &started); err != nil {
		return err
	}
	failed := false
	for _, r := range started.Runs {
		final, err := watchRun(ctx, c, r, every, out)
		if err != nil {
			return err
		}
		if final.Status == "interrupted" {
			return errFailedCheck
		}
		failed = failed || final.Status != "succeeded"
	}
	if failed {
		return errFailedCheck
	}
	return nil
}

func watchRun(ctx context.Context, c *apiClient, r runJSON, every time.Duration, out io.Writer) (runJSON, error) {
	t := time.NewTicker(every)
	defer t.Stop()
	interrupted := false
	for {
		var cur runJSON
		if err := c.do(context.WithoutCancel(ctx), "GET", "/v1/sync-runs/"+url.PathEscape(r.ID), nil, &cur); err != nil {
			return cur, err
		}
		fmt.Fprintf(out, "\r%-12s %s", cur.Kind, progress(cur))
		switch cur.Status {
		case "succeeded", "failed", "interrupted":
			fmt.Fprintln(out)
			if cur.Warning != "" {
				fmt.Fprintf(out, "  warning: %s\n", cur.Warning)
			}
			if cur.Error != "" {
				fmt.Fprintf(out, "  %s\n", cur.Error)
			}
			return cur, nil
		}
		select {
		case <-ctx.Done():
			if !interrupted {
				interrupted = true
				_ = c.do(context.WithoutCancel(ctx), "POST", "/v1/sync-runs/"+url.PathEscape(r.ID)+"/cancel", nil, nil)
				fmt.Fprintf(out, "\ninterrupting %s: it stops after the current page; the next run resumes from there\n", r.ID)
			}
			time.Sleep(every)
		case <-t.C:
		}
	}
}

// progress renders one run's status line.
func progress(r runJSON) string {
	elapsed := time.Since(r.StartedAt)
	if r.Finished != nil {
		elapsed = r.Finished.Sub(r.StartedAt)
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(r.Moved) / s
	}
	line := fmt.Sprintf("%-11s moved %d", r.Status, r.Moved)
	if r.Total >= 0 {
		line += fmt.Sprintf(" of %d", r.Total)
	}
	if r.Failed > 0 {
		line += fmt.Sprintf(", failed %d", r.Failed)
	}
	line += fmt.Sprintf("  %.0f/s  %s", rate, elapsed.Truncate(100*time.Millisecond))
	if r.Total > r.Moved && rate > 0 && r.Finished == nil {
		left := time.Duration(float64(r.Total-r.Moved) / rate * float64(time.Second))
		line += fmt.Sprintf("  ~%s left", left.Truncate(time.Second))
	}
	return line + "   "
}

func syncStatus(ctx context.Context, c *apiClient, entity, direction string, out io.Writer) error {
	var d struct {
		Flows []struct {
			ConnectionID  string                                 `json:"connection_id"`
			Connector     string                                 `json:"connector"`
			Direction     string                                 `json:"direction"`
			State         string                                 `json:"state"`
			LastSuccessAt *time.Time                             `json:"last_success_at"`
			Windows       map[string]struct{ Moved, Failed int } `json:"windows"`
			Backlog       int                                    `json:"backlog"`
			LagSeconds    float64                                `json:"lag_seconds"`
			LastError     string                                 `json:"last_error"`
		} `json:"flows"`
	}
	if err := c.do(ctx, "GET", "/v1/entities/"+url.PathEscape(entity)+"/sync?direction="+url.QueryEscape(direction), nil, &d); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tCONNECTOR\tDIRECTION\tSTATE\tLAST SUCCESS\tMOVED 1H\tFAILED 1H\tBACKLOG\tLAG")
	for _, f := range d.Flows {
		last := "-"
		if f.LastSuccessAt != nil {
			last = f.LastSuccessAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", f.ConnectionID, f.Connector, f.Direction, f.State, last,
			f.Windows["1h"].Moved, f.Windows["1h"].Failed, f.Backlog, (time.Duration(f.LagSeconds) * time.Second).String())
	}
	return tw.Flush()
}
