package triage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/webhook"
)

// logWindow is how far back the logs step reads.
const logWindow = 24 * time.Hour

// checkLogs is step 3: the connector log's errors of the last day (entries, newest first;
// more is set when there were more to read), grouped by error class, each with its newest
// excerpt. Its evidence is the newest failing entries.
func checkLogs(r *report, c concord.Connection, entries []concord.LogEntry, more string, now time.Time) Step {
	s := Step{Step: StepLogs}
	if len(entries) == 0 {
		s.Status, s.Finding = OK, "no errors in the connector log in the last 24 h"
		return s
	}
	s.Evidence = logsEvidence(c, entries, now, nil)
	counts := map[string]int{}
	newest := map[string]concord.LogEntry{}
	staleCalls := 0
	for _, e := range entries { // newest first
		class := orWord(string(e.ErrorClass), "unclassified")
		if _, seen := newest[class]; !seen {
			newest[class] = e
		}
		counts[class]++
		if isStaleCall(e) {
			staleCalls++
		}
	}
	classes := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return counts[b] - counts[a] })
	parts := make([]string, 0, len(classes))
	for _, class := range classes {
		e := newest[class]
		parts = append(parts, fmt.Sprintf("%s ×%d (newest %s, %s: %q)", class, counts[class], ago(now, e.Time),
			orWord(e.Operation, e.Kind), cutWords(e.Excerpt, 160)))
	}
	total := fmt.Sprint(len(entries))
	if more != "" {
		total += "+"
	}
	s.Status = Warn
	s.Finding = total + " error(s) in the last 24 h: " + strings.Join(parts, "; ")
	if staleCalls > 0 {
		s.Fix = "calls found external records missing: clear the stale id or re-import safely, from logs and mapping"
		r.blame(StaleExternalRecord, s.Fix)
		r.cite(StaleExternalRecord, logsEvidence(c, entries, now, isStaleCall)...)
	}
	return s
}

func isStaleCall(e concord.LogEntry) bool {
	return e.ErrorClass == concord.ClassNotFound && e.Direction == concord.DirectionOutbound
}

// checkSync is step 4: the connection's flows on the Sync Dashboard, its stale mappings and
// its open drifts.
func (t *Triage) checkSync(ctx context.Context, r *report, c concord.Connection, now time.Time) (Step, error) {
	s := Step{Step: StepSync, Status: OK}
	var parts, fixes []string
	if t.Sync != nil {
		dash, err := t.Sync.Dashboard(ctx, c.EntityID, "all")
		if err != nil {
			return s, fmt.Errorf("triage: sync dashboard: %w", err)
		}
		var behind []string
		var behindFlows []syncer.Flow
		for _, f := range dash.Flows {
			if f.ConnectionID != c.ID {
				continue
			}
			line := fmt.Sprintf("%s %s (backlog %d, lag %s)", f.Direction, f.State, f.Backlog,
				(time.Duration(f.LagSeconds) * time.Second).String())
			if f.LastError != "" {
				line += " last error: " + cutWords(f.LastError, 120)
			}
			parts = append(parts, line)
			if f.State == syncer.Delayed || f.State == syncer.Failing {
				behind = append(behind, line)
				behindFlows = append(behindFlows, f)
			}
		}
		if len(behind) > 0 {
			fix := "compare inbound and outbound backlog and lag: " + strings.Join(behind, "; ")
			fixes = append(fixes, fix)
			r.blame(SyncDelay, fix)
			ev, err := t.flowsEvidence(ctx, c, behindFlows, now)
			if err != nil {
				return s, err
			}
			s.Evidence = append(s.Evidence, ev...)
			r.cite(SyncDelay, ev...)
		}
	}
	counts, err := t.DB.CountMappings(ctx, c.ID)
	if err != nil {
		return s, fmt.Errorf("triage: count mappings: %w", err)
	}
	parts = append(parts, fmt.Sprintf("%d stale mapping(s)", counts[store.MappingStale]))
	if n := counts[store.MappingStale]; n > 0 {
		fix := fmt.Sprintf("%d mapped external record(s) no longer exist or changed: clear the stale id or re-import safely (GET /v1/connections/%s/mappings?state=stale)", n, c.ID)
		fixes = append(fixes, fix)
		r.blame(StaleExternalRecord, fix)
		stale, _, err := t.DB.ListMappings(ctx, c.ID, store.MappingStale, "", store.Page{Limit: maxEvidence})
		if err != nil {
			return s, fmt.Errorf("triage: stale mappings: %w", err)
		}
		for _, m := range stale {
			ev := staleEvidence(c, m)
			s.Evidence = append(s.Evidence, ev)
			r.cite(StaleExternalRecord, ev)
		}
	}
	drifts, more, err := t.DB.ListDrifts(ctx, c.ID, store.DriftOpen, store.Page{Limit: 100})
	if err != nil {
		return s, fmt.Errorf("triage: open drifts: %w", err)
	}
	open := fmt.Sprint(len(drifts))
	if more != "" {
		open += "+"
	}
	parts = append(parts, open+" open drift(s)")
	if len(drifts) > 0 {
		d := drifts[0]
		fix := fmt.Sprintf("pick the source of truth, then re-sync or correct on purpose: %s open drift(s), newest %s %s.%s (ERP %q, service %q); resolve with POST /v1/drift/{id}/resolve",
			open, d.Kind, d.ExternalID, d.Field, cutWords(d.ERPValue, 40), cutWords(d.ExternalValue, 40))
		fixes = append(fixes, fix)
		r.blame(SyncDrift, fix)
		for _, d := range capEvidenceRows(drifts, maxEvidence) {
			ev := driftEvidence(c, d)
			s.Evidence = append(s.Evidence, ev)
			r.cite(SyncDrift, ev)
		}
	}
	if len(fixes) > 0 {
		s.Status, s.Fix = Fail, strings.Join(fixes, "; ")
	}
	s.Finding = strings.Join(parts, "; ")
	return s, nil
}

// flowsEvidence links each flow that is behind to its newest failed run of the last day, or,
// without one, to the flow on the Sync Dashboard.
func (t *Triage) flowsEvidence(ctx context.Context, c concord.Connection, flows []syncer.Flow, now time.Time) ([]Evidence, error) {
	runs, err := t.DB.ListSyncRuns(ctx, c.ID, now.Add(-logWindow), 100)
	if err != nil {
		return nil, fmt.Errorf("triage: sync runs: %w", err)
	}
	var out []Evidence
	for _, f := range flows {
		kinds := map[string]bool{} // the newest failed run of each kind
		for _, run := range runs { // newest first
			if run.Direction == f.Direction && run.Status == store.RunFailed && !kinds[run.Kind] && len(kinds) < maxEvidence {
				out = append(out, runEvidence(c, run, now))
				kinds[run.Kind] = true
			}
		}
		if len(kinds) == 0 {
			out = append(out, flowEvidence(c, f))
		}
	}
	return out, nil
}

func capEvidenceRows[T any](rows []T, n int) []T {
	if len(rows) > n {
		return rows[:n]
	}
	return rows
}

// checkWebhooks is step 5: the webhooks panel — secret, verification failures, the
// subscription on the service side — and any gap found by polling.
func (t *Triage) checkWebhooks(ctx context.Context, r *report, c concord.Connection) Step {
	s := Step{Step: StepWebhooks}
	if t.Webhooks == nil {
		s.Status, s.Finding = Skipped, "no webhooks panel configured"
		return s
	}
	if c.State == concord.StateDisconnected {
		s.Status, s.Finding = Skipped, "not checked: the connection is disconnected, so no event is processed"
		return s
	}
	v, err := t.Webhooks.View(ctx, c.ID)
	if err != nil {
		s.Status, s.Finding = Warn, "the webhooks panel could not be read: "+concord.ErrorMessage(err)
		return s
	}
	if !v.Supported {
		s.Status, s.Finding = Skipped, v.Note
		return s
	}
	now := t.DB.Now()
	var wrong, notes []string
	for _, reason := range slices.Sorted(maps.Keys(v.FailureReasons)) {
		s.Evidence = append(s.Evidence, rejectionEvidence(c, reason, v.FailureReasons[reason], v.LastFailureAt, now))
	}
	switch v.SecretStatus {
	case webhook.SecretMissing:
		wrong = append(wrong, "no signing secret is stored")
	case webhook.SecretFailing:
		wrong = append(wrong, "the signing secret is failing: the latest deliveries do not verify")
	}
	if v.Failures24h > 0 {
		msg := fmt.Sprintf("%d verification failure(s) in 24 h (%s)", v.Failures24h, reasons(v.FailureReasons))
		if v.SecretStatus == webhook.SecretFailing {
			wrong = append(wrong, msg)
		} else {
			notes = append(notes, msg)
		}
	}
	switch sub := v.Subscription; {
	case sub != nil && !sub.Found:
		wrong = append(wrong, "no subscription on the service points at "+v.URL)
	case sub != nil:
		if st := strings.ToLower(sub.Status); st != "" && st != "enabled" && st != "active" {
			wrong = append(wrong, "the subscription is "+sub.Status)
		}
		if len(sub.MissingEvents) > 0 {
			wrong = append(wrong, "the subscription lacks events "+strings.Join(sub.MissingEvents, ", "))
		}
	}
	if v.SubscriptionError != "" {
		notes = append(notes, "the subscription could not be read: "+v.SubscriptionError)
	}
	gap := c.StateReason == connections.ReasonWebhookGap
	if gap {
		wrong = append(wrong, "events went missing: "+orWord(c.StateDetail, "polling found events no webhook delivered"))
		s.Evidence = append(s.Evidence, gapEvidence(c))
	}
	if v.FailedEvents > 0 {
		notes = append(notes, fmt.Sprintf("%d stored event(s) failed processing", v.FailedEvents))
		s.Evidence = append(s.Evidence, t.failedEvents(ctx, c, now)...)
	}
	received := "nothing received yet"
	if v.LastReceivedAt != nil {
		received = fmt.Sprintf("%d received in 24 h, last %s", v.Received24h, ago(now, *v.LastReceivedAt))
	}
	s.Finding = "secret " + v.SecretStatus + "; " + received
	if len(wrong)+len(notes) > 0 {
		s.Finding += "; " + strings.Join(append(slices.Clone(wrong), notes...), "; ")
	}
	switch {
	case len(wrong) > 0:
		s.Status = Fail
		s.Fix = "check URL, secret, event list, subscription status: " + strings.Join(wrong, "; ")
		if gap {
			s.Fix += "; then take in the missed events (POST /v1/connections/{id}/webhooks/recover)"
		}
		r.refine(WebhookFailure, s.Fix)
		r.cite(WebhookFailure, s.Evidence...)
	case len(notes) > 0:
		s.Status = Warn
	default:
		s.Status = OK
	}
	return s
}

// failedEvents links the newest stored events that failed processing, read from the
// connection's latest events.
func (t *Triage) failedEvents(ctx context.Context, c concord.Connection, now time.Time) []Evidence {
	evs, _, err := t.DB.ListWebhookEvents(ctx, c.ID, store.Page{Limit: 200})
	if err != nil {
		return nil // the count is shown; the links are a convenience
	}
	var out []Evidence
	for _, ev := range evs {
		if ev.Status == store.EventFailed && len(out) < maxEvidence {
			out = append(out, eventEvidence(c, ev, now))
		}
	}
	return out
}

func reasons(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// cutWords shortens s to about n bytes on a rune boundary.
func cutWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
