package connector

import "context"

// WorkflowFinding is one result of a workflow check.
type WorkflowFinding struct {
	Check   string `json:"check"`
	Status  string `json:"status"` // ok, warn, fail
	Finding string `json:"finding"`
	Fix     string `json:"fix,omitempty"`
}

// WorkflowChecker tests the real workflow with a small safe record: a connection can
// authenticate and the workflow still fail. With reversible false only read-only checks
// run (production, unless the operator explicitly allows a reversible one).
type WorkflowChecker interface {
	CheckWorkflow(ctx context.Context, s *Session, reversible bool) ([]WorkflowFinding, error)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(WorkflowChecker); return "workflow_check", ok })
}
