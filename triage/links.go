package triage

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

// Evidence is one thing a step read, with where the operator sees it: the API path that
// answers with it and the dashboard page that shows it. Labels are short and never carry a
// secret: log excerpts are stored redacted, and labels quote no credential or request body.
type Evidence struct {
	// Kind is one of the Evidence* kinds.
	Kind string `json:"kind"`
	// ID is the row's own id (a log entry's, a drift's, an event's, a run's, a mapping's,
	// an audit entry's sequence number, a rejection's reason); empty for a link to a list.
	ID string `json:"id,omitempty"`
	// Label says what it is in a few words, e.g. "test 401 auth_expired 2m ago".
	Label string `json:"label"`
	// API is the path of the API call that shows it.
	API string `json:"api"`
	// UI is the path of the dashboard page that shows it.
	UI string `json:"ui"`
}

// Evidence kinds.
const (
	EvidenceLog        = "log"
	EvidenceDrift      = "drift"
	EvidenceEvent      = "webhook_event"
	EvidenceRejections = "webhook_rejections"
	EvidenceSyncRun    = "sync_run"
	EvidenceMapping    = "mapping"
	EvidenceAudit      = "audit"
)

const (
	// maxEvidence bounds the links of one kind a step carries.
	maxEvidence = 5
	// maxFixEvidence bounds the links of the fix step (the named failure's, from every step
	// that showed it).
	maxFixEvidence = 8
)

func (e Evidence) same(o Evidence) bool { return e.Kind == o.Kind && e.ID == o.ID && e.API == o.API }

func capEvidence(ev []Evidence, n int) []Evidence {
	if len(ev) > n {
		ev = ev[:n]
	}
	return ev
}

func apiConn(c concord.Connection) string { return "/v1/connections/" + url.PathEscape(c.ID) }
func uiConn(c concord.Connection) string  { return "/ui/c/" + url.PathEscape(c.ID) }

// logEvidence links one connector log entry: the error list starting at it (the cursor is
// exclusive, so id+1 makes it the first row).
func logEvidence(c concord.Connection, e concord.LogEntry, now time.Time) Evidence {
	label := orWord(e.Operation, e.Kind)
	if e.Status != 0 {
		label += " " + strconv.Itoa(e.Status)
	}
	if e.ErrorClass != "" {
		label += " " + string(e.ErrorClass)
	}
	label += " " + shortAgo(now, e.Time)
	at := "outcome=error&cursor=" + strconv.FormatInt(e.ID+1, 10)
	return Evidence{Kind: EvidenceLog, ID: strconv.FormatInt(e.ID, 10), Label: label,
		API: apiConn(c) + "/logs?" + at, UI: uiConn(c) + "?tab=logs&" + at}
}

// logsEvidence links up to maxEvidence of entries (newest first) that keep accepts.
func logsEvidence(c concord.Connection, entries []concord.LogEntry, now time.Time, keep func(concord.LogEntry) bool) []Evidence {
	var out []Evidence
	for _, e := range entries {
		if len(out) == maxEvidence {
			break
		}
		if keep == nil || keep(e) {
			out = append(out, logEvidence(c, e, now))
		}
	}
	return out
}

func ofClass(classes ...concord.ErrorClass) func(concord.LogEntry) bool {
	return func(e concord.LogEntry) bool {
		for _, cl := range classes {
			if e.ErrorClass == cl {
				return true
			}
		}
		return false
	}
}

func driftEvidence(c concord.Connection, d store.Drift) Evidence {
	return Evidence{Kind: EvidenceDrift, ID: d.ID,
		Label: fmt.Sprintf("%s %s.%s: ERP %q, service %q", d.Kind, cutWords(d.ExternalID, 60), d.Field,
			cutWords(d.ERPValue, 30), cutWords(d.ExternalValue, 30)),
		API: apiConn(c) + "/drift?state=open", UI: uiConn(c) + "/drift/" + url.PathEscape(d.ID)}
}

func staleEvidence(c concord.Connection, m store.Mapping) Evidence {
	label := fmt.Sprintf("stale %s %s (ERP %s)", m.Kind, cutWords(m.ExternalID, 60), cutWords(m.ERPID, 40))
	if m.Reason != "" {
		label += ": " + cutWords(m.Reason, 60)
	}
	return Evidence{Kind: EvidenceMapping, ID: m.ID, Label: label,
		API: apiConn(c) + "/mappings?state=stale", UI: uiConn(c) + "?tab=mapping&state=stale"}
}

func runEvidence(c concord.Connection, r store.SyncRun, now time.Time) Evidence {
	label := fmt.Sprintf("%s %s run %s", r.Direction, r.Kind, r.Status)
	at := r.StartedAt
	if r.FinishedAt != nil {
		at = *r.FinishedAt
	}
	label += " " + shortAgo(now, at)
	if r.Error != "" {
		label += ": " + cutWords(r.Error, 60)
	}
	return Evidence{Kind: EvidenceSyncRun, ID: r.ID, Label: label,
		API: "/v1/sync-runs/" + url.PathEscape(r.ID), UI: uiConn(c) + "?tab=sync"}
}

// flowEvidence links a flow of the Sync Dashboard that is behind without a failed run to
// show (its lag, or outbound changes failing).
func flowEvidence(c concord.Connection, f syncer.Flow) Evidence {
	label := fmt.Sprintf("%s %s: backlog %d, lag %s", f.Direction, f.State, f.Backlog,
		(time.Duration(f.LagSeconds) * time.Second).String())
	return Evidence{Kind: EvidenceSyncRun, Label: label,
		API: "/v1/entities/" + url.PathEscape(c.EntityID) + "/sync", UI: uiConn(c) + "?tab=sync"}
}

// countMismatchEvidence links the sync runs when a run reported success but moved fewer
// records than the service holds.
func countMismatchEvidence(c concord.Connection) Evidence {
	return Evidence{Kind: EvidenceSyncRun, Label: "a run moved fewer records than the service holds: " + cutWords(c.StateDetail, 80),
		API: "/v1/entities/" + url.PathEscape(c.EntityID) + "/sync", UI: uiConn(c) + "?tab=sync"}
}

func rejectionEvidence(c concord.Connection, reason string, n int, last *time.Time, now time.Time) Evidence {
	label := fmt.Sprintf("%d delivery(ies) refused in 24 h: %s", n, reason)
	if last != nil {
		label += ", last " + shortAgo(now, *last)
	}
	return Evidence{Kind: EvidenceRejections, ID: reason, Label: label,
		API: apiConn(c) + "/webhooks", UI: uiConn(c) + "?tab=webhooks"}
}

func eventEvidence(c concord.Connection, ev store.WebhookEvent, now time.Time) Evidence {
	label := fmt.Sprintf("%s %s %s after %d attempt(s)", orWord(ev.EventType, "event"), ev.ProviderEventID, ev.Status, ev.Attempts)
	label += ", received " + shortAgo(now, ev.ReceivedAt)
	if ev.Error != "" {
		label += ": " + cutWords(ev.Error, 60)
	}
	return Evidence{Kind: EvidenceEvent, ID: ev.ID, Label: label,
		API: apiConn(c) + "/webhook-events", UI: uiConn(c) + "?tab=webhooks"}
}

// gapEvidence links the events when polling found some no webhook delivered.
func gapEvidence(c concord.Connection) Evidence {
	return Evidence{Kind: EvidenceEvent, Label: "events no webhook delivered: " + cutWords(orWord(c.StateDetail, "found by polling"), 80),
		API: apiConn(c) + "/webhook-events", UI: uiConn(c) + "?tab=webhooks"}
}

// auditEvidence links the connection's audit history; seq is the entry's (0: the history).
func auditEvidence(c concord.Connection, seq int64, label string) Evidence {
	resource := "connection:" + url.QueryEscape(c.ID)
	e := Evidence{Kind: EvidenceAudit, Label: label, API: "/v1/audit?resource=" + resource, UI: "/ui/audit?resource=" + resource}
	if seq > 0 {
		e.ID = strconv.FormatInt(seq, 10)
	}
	return e
}

// shortAgo says how long ago t was in the largest whole unit: "40s ago", "2m ago", "3h ago".
func shortAgo(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}
