package connector

import (
	"context"
	"time"
)

// WorkflowFinding is one result of a workflow check.
type WorkflowFinding struct {
	Check   string `json:"check"`
	Status  string `json:"status"` // ok, warn, fail
	Finding string `json:"finding"`
	Fix     string `json:"fix,omitempty"`
	// Reversible marks a finding of a reversible operation that was really run (a record
	// written on the service and put back, a hold placed and released): the audit says so.
	Reversible bool `json:"reversible,omitempty"`
}

// WorkflowChecker tests the real workflow with a small safe record: a connection can
// authenticate and the workflow still fail. With env.Reversible false only read-only checks
// run (production, unless the operator explicitly allows a reversible one).
type WorkflowChecker interface {
	CheckWorkflow(ctx context.Context, s *Session, env WorkflowEnv) ([]WorkflowFinding, error)
}

// WorkflowEnv is what the hub knows and the connector does not, handed to a workflow check:
// whether it may write, which records are mapped, and which webhooks arrived. The hub sets
// every field; a check written for an older hub treats a nil function as "not known".
type WorkflowEnv struct {
	// Reversible allows an operation that changes a record on the service and puts it back
	// (a sandbox entity always; a production entity only when the operator allowed it).
	Reversible bool
	// WebhookURL is where the service must deliver this connection's webhooks.
	WebhookURL string
	// Mapped returns one active mapping of kind (the connection's own), with the ERP's
	// current value of field for it; ok is false when nothing of kind is mapped.
	Mapped func(ctx context.Context, kind, field string) (m MappedRecord, ok bool, err error)
	// ExpectWebhook starts watching for a webhook of this connection on topic whose raw
	// body match accepts (nil: any), received from now on. Call it before the operation
	// that should cause the webhook; the returned wait blocks until one arrives (true) or
	// the hub's bound (about 10 s) or ctx ends (false).
	ExpectWebhook func(topic string, match func(body []byte) bool) (wait func(ctx context.Context) (bool, error))
	// LastWebhook is when the connection last received a webhook delivery (nil: never).
	LastWebhook func(ctx context.Context) (*time.Time, error)
	// Objects lists the objects of kind the hub holds for the connection, as the service
	// last reported them (e.g. saved payment methods with their health).
	Objects func(ctx context.Context, kind string) ([]Object, error)
}

// MappedRecord is one mapped record as the hub holds it.
type MappedRecord struct {
	ExternalID string // the service's id of the record
	ERPID      string // the ERP record it is mapped to
	ERPValue   string // the ERP's value of the field asked for ("" when the ERP has none)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(WorkflowChecker); return "workflow_check", ok })
}
