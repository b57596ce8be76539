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

// checkLogs is step 3: the connector log's errors of the last day, grouped by error class,
// each with its newest excerpt.
func (t *Triage) checkLogs(ctx context.Context, r *report, c concord.Connection, now time.Time) (Step, error) {
	s := Step{Step: StepLogs}
	entries, more, err := t.DB.ListLogs(ctx, c.ID, store.LogFilter{Outcome: concord.OutcomeError, Since: now.Add(-logWindow)},
		store.Page{Limit: 500})
	if err != nil {
		return s, fmt.Errorf("triage: read connector log: %w", err)
	}
	if len(entries) == 0 {
		s.Status, s.Finding = OK, "no errors in the connector log in the last 24 h"
		return s, nil
	}
	counts := map[string]int{}
	newest := map[string]concord.LogEntry{}
	staleCalls := 0
	for _, e := range entries { // newest first
		class := orWord(string(e.ErrorClass), "unclassified")
		if _, seen := newest[class]; !seen {
			newest[class] = e
		}
		counts[class]++
		if e.ErrorClass == concord.ClassNotFound && e.Direction == concord.DirectionOutbound {
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
	}
	return s, nil
}

// checkSync is step 4: the connection's flows on the Sync Dashboard, its stale mappings and
// its open drifts.
func (t *Triage) checkSync(ctx context.Context, r *report, c concord.Connection) (Step, error) {
	s := Step{Step: StepSync, Status: OK}
	var parts, fixes []string
	if t.Sync != nil {
		dash, err := t.Sync.Dashboard(ctx, c.EntityID, "all")
		if err != nil {
			return s, fmt.Errorf("triage: sync dashboard: %w", err)
		}
		var behind []string
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
			}
		}
		if len(behind) > 0 {
			fix := "compare inbound and outbound backlog and lag: " + strings.Join(behind, "; ")
			fixes = append(fixes, fix)
			r.blame(SyncDelay, fix)
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
	}
	if len(fixes) > 0 {
		s.Status, s.Fix = Fail, strings.Join(fixes, "; ")
	}
	s.Finding = strings.Join(parts, "; ")
	return s, nil
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
	var wrong, notes []string
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
	}
	if v.FailedEvents > 0 {
		notes = append(notes, fmt.Sprintf("%d stored event(s) failed processing", v.FailedEvents))
	}
	received := "nothing received yet"
	if v.LastReceivedAt != nil {
		received = fmt.Sprintf("%d received in 24 h, last %s", v.Received24h, ago(t.DB.Now(), *v.LastReceivedAt))
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
	case len(notes) > 0:
		s.Status = Warn
	default:
		s.Status = OK
	}
	return s
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
