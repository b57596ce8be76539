package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// diagnosis is the CLI's reading of POST /v1/connections/{id}/diagnose.
type diagnosis struct {
	ConnectionID string    `json:"connection_id"`
	FailureType  string    `json:"failure_type"`
	Summary      string    `json:"summary"`
	CheckedAt    time.Time `json:"checked_at"`
	Steps        []struct {
		Step     string `json:"step"`
		Status   string `json:"status"`
		Finding  string `json:"finding"`
		Fix      string `json:"fix"`
		Evidence []struct {
			Kind  string `json:"kind"`
			ID    string `json:"id"`
			Label string `json:"label"`
			API   string `json:"api"`
			UI    string `json:"ui"`
		} `json:"evidence"`
	} `json:"steps"`
}

// statusMarks are the checklist's boxes, readable without colour.
var statusMarks = map[string]string{"ok": "[ok]  ", "warn": "[warn]", "fail": "[FAIL]", "skipped": "[skip]"}

// connectionsDiagnose prints each connection's triage as a checklist; it fails (exit 1)
// when a failure type is named for any of them. body is the request's (nil: none).
func connectionsDiagnose(ctx context.Context, c *apiClient, ids []string, body any, stdout io.Writer) error {
	failed := false
	for i, id := range ids {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		var d diagnosis
		if err := c.do(ctx, "POST", "/v1/connections/"+url.PathEscape(id)+"/diagnose", body, &d); err != nil {
			fmt.Fprintf(stdout, "%s: error: %v\n", id, err)
			failed = true
			continue
		}
		printDiagnosis(stdout, d)
		if d.FailureType != "none" {
			failed = true
		}
	}
	if failed {
		return errFailedCheck
	}
	return nil
}

func printDiagnosis(w io.Writer, d diagnosis) {
	fmt.Fprintf(w, "Diagnosis of %s (checked %s)\n", d.ConnectionID, d.CheckedAt.Local().Format(time.DateTime))
	for i, s := range d.Steps {
		mark, ok := statusMarks[s.Status]
		if !ok {
			mark = "[" + s.Status + "]"
		}
		fmt.Fprintf(w, "%d. %s %s: %s\n", i+1, mark, s.Step, s.Finding)
		indent := "   " + strings.Repeat(" ", len(mark))
		if s.Fix != "" {
			fmt.Fprintf(w, "%s fix: %s\n", indent, s.Fix)
		}
		// What the step read, each with the API call that shows it (the dashboard links
		// are in the JSON and on the triage page).
		for _, e := range s.Evidence {
			fmt.Fprintf(w, "%s evidence: %s (GET %s)\n", indent, e.Label, e.API)
		}
	}
	fmt.Fprintf(w, "Failure type: %s\n%s\n", d.FailureType, d.Summary)
}
