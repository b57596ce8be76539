package stripe

import (
	"context"
	"strings"
	"testing"

	"github.com/concordhub/concord/connector"
)

// TestWorkflowCheck runs the small safe record against the emulator: with a test key and a
// reversible check allowed, two holds are placed and released; read-only, or with a live
// key even when allowed, no hold is placed and the read-only checks still run.
func TestWorkflowCheck(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	c, ctx := New(), context.Background()
	byCheck := func(fs []connector.WorkflowFinding) map[string]connector.WorkflowFinding {
		out := map[string]connector.WorkflowFinding{}
		for _, f := range fs {
			out[f.Check] = f
		}
		return out
	}

	fs, err := c.CheckWorkflow(ctx, m.sess, connector.WorkflowEnv{Reversible: true})
	if err != nil {
		t.Fatal(err)
	}
	got := byCheck(fs)
	if f := got["payment result"]; f.Status != "ok" || !f.Reversible || !strings.Contains(f.Finding, "requires_capture and was released") {
		t.Fatalf("payment result: %+v", f)
	}
	if f := got["authentication required"]; f.Status != "ok" || !f.Reversible || !strings.Contains(f.Finding, "requires_action") {
		t.Fatalf("authentication required: %+v", f)
	}
	if got["disputes"].Status != "ok" || got["payouts"].Status != "ok" {
		t.Fatalf("read-only checks: %+v", fs)
	}

	fs, err = c.CheckWorkflow(ctx, m.sess, connector.WorkflowEnv{})
	if err != nil {
		t.Fatal(err)
	}
	got = byCheck(fs)
	if f := got["payment result"]; f.Reversible || !strings.HasPrefix(f.Finding, "not run") || len(fs) != 3 {
		t.Fatalf("read-only: %+v", fs)
	}

	live := emuSession(m.srv, m.creds.LiveSecretKey)
	fs, err = c.CheckWorkflow(ctx, live, connector.WorkflowEnv{Reversible: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := byCheck(fs)["payment result"]; f.Reversible || !strings.Contains(f.Finding, "a live key never places a test hold") {
		t.Fatalf("live key, reversible allowed: %+v", fs)
	}
}
