package triage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/webhook"
)

// Status is how one step came out.
type Status string

// Step statuses.
const (
	OK      Status = "ok"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Skipped Status = "skipped"
)

// Failure types the triage names, from BRIEF's table; None when nothing is wrong.
const (
	None                 = "none"
	AuthorizationExpired = "authorization expired"
	Disconnected         = "disconnected"
	WebhookFailure       = "webhook failure"
	SyncDelay            = "sync delay"
	SyncDrift            = "sync drift"
	StaleExternalRecord  = "stale external record"
	ModeMismatch         = "mode mismatch"
)

// precedence orders failure types, most urgent first: the one named is the first found.
var precedence = []string{ModeMismatch, Disconnected, AuthorizationExpired, WebhookFailure,
	StaleExternalRecord, SyncDrift, SyncDelay}

// Step names, in the order they run.
const (
	StepEntityMode = "entity mode"
	StepState      = "connection state"
	StepLogs       = "logs"
	StepSync       = "sync dashboard"
	StepWebhooks   = "webhooks"
	StepTest       = "test"
	StepWorkflow   = "workflow check"
	StepFix        = "fix"
)

// Step is one line of the triage checklist.
type Step struct {
	Step    string `json:"step"`
	Status  Status `json:"status"`
	Finding string `json:"finding"`
	Fix     string `json:"fix,omitempty"`
	// Evidence links what the step read: log entries, drift rows, webhook failures, sync
	// runs, mappings, audit entries. Omitted when the step read nothing worth showing.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Diagnosis is the triage report of POST /v1/connections/{id}/diagnose.
type Diagnosis struct {
	ConnectionID string    `json:"connection_id"`
	FailureType  string    `json:"failure_type"`
	Summary      string    `json:"summary"`
	Steps        []Step    `json:"steps"`
	CheckedAt    time.Time `json:"checked_at"`
}

// Triage diagnoses connections from the evidence the hub keeps.
type Triage struct {
	DB       *store.DB
	Svc      *connections.Service
	Webhooks *webhook.Panel
	Sync     *syncer.Engine
	// WebhookWait bounds how long a workflow check waits for the webhook its write should
	// cause (0: DefaultWebhookWait).
	WebhookWait time.Duration
}

// Options are the operator's choices for one triage.
type Options struct {
	// AllowReversible lets the workflow check of a production entity run a reversible
	// operation (a record written on the service and put back). A sandbox entity always
	// allows it; without it a production entity gets the read-only checks only.
	AllowReversible bool
}

// report collects steps and the failures they are evidence for, each with its first fix.
type report struct {
	steps    []Step
	failures map[string]string // failure type -> fix
	// evidence is, per failure type, what the steps that named it linked to; the fix step
	// carries the named type's.
	evidence map[string][]Evidence
}

func (r *report) add(s Step) { r.steps = append(r.steps, s) }

// blame records that the evidence shows failure f with fix; the first fix for a type stays.
func (r *report) blame(f, fix string) {
	if _, ok := r.failures[f]; !ok {
		r.failures[f] = fix
	}
}

// refine records failure f with fix, replacing a vaguer fix an earlier step gave for it:
// the step that read the evidence closest names exactly what is wrong.
func (r *report) refine(f, fix string) { r.failures[f] = fix }

// cite records ev as evidence of failure f (each link once).
func (r *report) cite(f string, ev ...Evidence) {
	for _, e := range ev {
		if !slices.ContainsFunc(r.evidence[f], func(x Evidence) bool { return x.same(e) }) {
			r.evidence[f] = append(r.evidence[f], e)
		}
	}
}

// Diagnose runs the triage of one connection as the system actor.
func (t *Triage) Diagnose(ctx context.Context, connectionID string) (Diagnosis, error) {
	return t.DiagnoseAs(ctx, connections.System, connectionID)
}

// DiagnoseAs runs the triage of one connection; actor is recorded if the test step changes
// the connection's state. A production entity gets read-only workflow checks.
func (t *Triage) DiagnoseAs(ctx context.Context, actor connections.Actor, connectionID string) (Diagnosis, error) {
	return t.DiagnoseWith(ctx, actor, connectionID, Options{})
}

// DiagnoseWith runs the triage of one connection with the operator's options.
func (t *Triage) DiagnoseWith(ctx context.Context, actor connections.Actor, connectionID string, opts Options) (Diagnosis, error) {
	c, err := t.DB.GetConnection(ctx, connectionID)
	if err != nil {
		return Diagnosis{}, err
	}
	entity, err := t.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return Diagnosis{}, err
	}
	now := t.DB.Now()
	r := &report{failures: map[string]string{}, evidence: map[string][]Evidence{}}
	errs, more, err := t.DB.ListLogs(ctx, c.ID, store.LogFilter{Outcome: concord.OutcomeError, Since: now.Add(-logWindow)},
		store.Page{Limit: 500})
	if err != nil {
		return Diagnosis{}, fmt.Errorf("triage: read connector log: %w", err)
	}
	r.add(checkMode(r, c, entity, errs, now))
	r.add(checkState(r, c, errs, now))
	r.add(checkLogs(r, c, errs, more, now))
	sync, err := t.checkSync(ctx, r, c, now)
	if err != nil {
		return Diagnosis{}, err
	}
	r.add(sync)
	r.add(t.checkWebhooks(ctx, r, c))
	r.add(t.checkTest(ctx, r, actor, c, entity))
	r.add(t.checkWorkflow(ctx, actor, c, entity, opts))

	d := Diagnosis{ConnectionID: c.ID, FailureType: None, CheckedAt: now}
	for _, f := range precedence {
		if fix, ok := r.failures[f]; ok {
			d.FailureType = f
			r.add(Step{Step: StepFix, Status: Fail, Finding: "failure type: " + f,
				Fix: fix + "; then diagnose again and confirm both sides agree", Evidence: capEvidence(r.evidence[f], maxFixEvidence)})
			break
		}
	}
	if d.FailureType == None {
		r.add(Step{Step: StepFix, Status: OK, Finding: "no failure found; nothing to fix"})
	}
	d.Steps = r.steps
	d.Summary = summarize(d, r)
	return d, nil
}

// summarize says the outcome in one line: the failure named and how many steps were not ok.
func summarize(d Diagnosis, r *report) string {
	fails, warns := 0, 0
	for _, s := range r.steps[:len(r.steps)-1] {
		switch s.Status {
		case Fail:
			fails++
		case Warn:
			warns++
		}
	}
	if d.FailureType == None {
		if warns > 0 {
			return fmt.Sprintf("healthy, with %d warning(s)", warns)
		}
		return "healthy: every check passed"
	}
	also := ""
	if n := len(r.failures) - 1; n > 0 {
		also = fmt.Sprintf("; %d other failure type(s) also show, fix this one first", n)
	}
	return fmt.Sprintf("%s (%d failing step(s), %d warning(s))%s", d.FailureType, fails, warns, also)
}
