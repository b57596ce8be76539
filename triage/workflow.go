package triage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// DefaultWebhookWait is how long a workflow check waits for the webhook its write causes:
// Shopify and Stripe usually deliver within a second or two.
const DefaultWebhookWait = 10 * time.Second

// webhookPoll is how often the wait looks for the webhook in the store.
const webhookPoll = 100 * time.Millisecond

// checkWorkflow is step 7: the connector's own workflow check with a small safe record.
// A sandbox entity allows reversible checks (a test hold placed and released, a stock
// figure written back unchanged); a production entity gets the read-only ones unless the
// operator allowed a reversible one for this triage. Every check is logged (its calls go
// through the shared client) and audited, saying whether a reversible operation ran and who
// allowed it. A connector without one says so rather than pass silently.
func (t *Triage) checkWorkflow(ctx context.Context, actor connections.Actor, c concord.Connection, e concord.Entity, opts Options) Step {
	s := Step{Step: StepWorkflow, Status: Skipped, Finding: "no workflow check for this connector yet"}
	conn, ok := t.Svc.Registry.Get(c.Connector)
	wc, can := conn.(connector.WorkflowChecker)
	if !ok || !can {
		return s
	}
	if c.State == concord.StateDisconnected || c.State == concord.StateExpired || c.StateReason == connections.ReasonModeMismatch {
		s.Finding = "not run: the connection is " + string(c.State) + " (" + c.StateReason + ")"
		return s
	}
	o, err := t.Svc.Open(ctx, c.ID)
	if err != nil {
		s.Status, s.Finding = Warn, "could not open the connection: "+concord.ErrorMessage(err)
		return s
	}
	env := t.workflowEnv(c, e, opts)
	findings, err := wc.CheckWorkflow(connector.WithOperation(ctx, "workflow.check"), o.Session, env)
	s.Status = OK
	var parts, ran []string
	for _, f := range findings {
		parts = append(parts, f.Check+": "+f.Finding)
		if f.Reversible {
			ran = append(ran, f.Check)
		}
		switch {
		case f.Status == "fail" && s.Status != Fail:
			s.Status = Fail
			s.Fix = f.Fix
		case f.Status == "warn" && s.Status == OK:
			s.Status = Warn
			s.Fix = f.Fix
		}
	}
	if err != nil {
		if s.Status == OK {
			s.Status = Warn
		}
		parts = append(parts, "the check could not finish: "+err.Error())
	}
	s.Finding = strings.Join(parts, "; ")

	sandbox := e.Mode == concord.ModeSandbox
	var mode string
	switch {
	case sandbox:
		mode = "reversible allowed (sandbox entity)"
	case env.Reversible:
		mode = "reversible allowed by the operator (production entity)"
	default:
		mode = "read-only (production entity; a reversible check was not allowed)"
	}
	what := "no reversible check ran"
	if len(ran) > 0 {
		what = "a reversible check ran: " + strings.Join(ran, ", ")
	}
	after, _ := json.Marshal(map[string]any{"reversible_allowed": env.Reversible,
		"allowed_by_operator": !sandbox && opts.AllowReversible, "reversible_ran": ran, "status": s.Status})
	if a, err := t.DB.AppendAudit(ctx, audit.Entry{Actor: string(actor), Action: "connection.workflow_check", Resource: "connection:" + c.ID,
		EntityID: c.EntityID, Outcome: audit.OutcomeOK, After: after, Detail: mode + "; " + what + ": " + cut(s.Finding, 400)}); err == nil {
		s.Evidence = append(s.Evidence, auditEvidence(c, a.Seq, "workflow check audited: "+what))
	}
	return s
}

// workflowEnv is what the hub tells connector c's workflow check: whether it may write,
// its mapped records and the webhooks it received.
func (t *Triage) workflowEnv(c concord.Connection, e concord.Entity, opts Options) connector.WorkflowEnv {
	wait := t.WebhookWait
	if wait <= 0 {
		wait = DefaultWebhookWait
	}
	return connector.WorkflowEnv{
		Reversible: e.Mode == concord.ModeSandbox || opts.AllowReversible,
		WebhookURL: strings.TrimRight(t.Svc.PublicURL, "/") + "/hooks/" + c.ID,
		Mapped: func(ctx context.Context, kind, field string) (connector.MappedRecord, bool, error) {
			ms, _, err := t.DB.ListMappings(ctx, c.ID, store.MappingActive, kind, store.Page{Limit: 1})
			if err != nil || len(ms) == 0 {
				return connector.MappedRecord{}, false, err
			}
			m := connector.MappedRecord{ExternalID: ms[0].ExternalID, ERPID: ms[0].ERPID}
			r, err := t.DB.GetERPRecord(ctx, c.EntityID, kind, ms[0].ERPID)
			switch {
			case concord.ErrorCode(err) == concord.ENOTFOUND:
			case err != nil:
				return m, true, err
			default:
				m.ERPValue = r.Fields[field]
			}
			return m, true, nil
		},
		ExpectWebhook: func(topic string, match func([]byte) bool) func(context.Context) (bool, error) {
			since := t.DB.Now()
			return func(ctx context.Context) (bool, error) {
				return t.awaitWebhook(ctx, c.ID, topic, since, wait, match)
			}
		},
		Objects: func(ctx context.Context, kind string) ([]connector.Object, error) {
			return t.DB.ListObjects(ctx, c.ID, kind)
		},
		LastWebhook: func(ctx context.Context) (*time.Time, error) {
			st, err := t.DB.WebhookStats(ctx, c.ID, t.DB.Now().Add(-24*time.Hour))
			return st.LastReceivedAt, err
		},
	}
}

// awaitWebhook polls the store until connection id received a webhook of topic at or after
// since that match accepts, or wait passes.
func (t *Triage) awaitWebhook(ctx context.Context, id, topic string, since time.Time, wait time.Duration, match func([]byte) bool) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	after := ""
	tick := time.NewTicker(webhookPoll)
	defer tick.Stop()
	for {
		evs, err := t.DB.WebhookEventsAfter(ctx, id, topic, since, after, 100)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		for _, ev := range evs {
			after = ev.ID
			if match == nil || match(ev.Body) {
				return true, nil
			}
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-tick.C:
		}
	}
}
