package triage_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
)

func TestHealthy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		// Errors in the log are shown, grouped by class, but name no failure on their own.
		for _, class := range []concord.ErrorClass{concord.ClassRateLimited, concord.ClassRateLimited, concord.ClassValidation} {
			db.RecordCall(b.ctx, concord.LogEntry{ConnectionID: b.id, Direction: concord.DirectionOutbound, Kind: concord.KindAPICall,
				Operation: "order.get", Outcome: concord.OutcomeError, ErrorClass: class, Excerpt: "said " + string(class)})
		}
		d := b.diagnose(triage.None, "nothing to fix")
		want := []string{triage.StepEntityMode, triage.StepState, triage.StepLogs, triage.StepSync, triage.StepWebhooks,
			triage.StepTest, triage.StepWorkflow, triage.StepFix}
		if len(d.Steps) != len(want) {
			t.Fatalf("steps:\n%s", dump(d))
		}
		for i, s := range d.Steps {
			if s.Step != want[i] {
				t.Fatalf("step %d is %q, want %q", i, s.Step, want[i])
			}
		}
		logs := step(d, triage.StepLogs)
		if logs.Status != triage.Warn || !strings.Contains(logs.Finding, "rate_limited ×2") || !strings.Contains(logs.Finding, "said validation") {
			t.Fatalf("logs step %+v", logs)
		}
		for _, name := range []string{triage.StepEntityMode, triage.StepState, triage.StepSync, triage.StepWebhooks, triage.StepTest} {
			if s := step(d, name); s.Status != triage.OK {
				t.Errorf("%s: %+v", name, s)
			}
			// A passing step links nothing, and its JSON has no evidence key.
			if s := step(d, name); len(s.Evidence) != 0 {
				t.Errorf("%s links evidence on a healthy connection: %s", name, dumpEvidence(s))
			}
		}
		if raw, _ := json.Marshal(step(d, triage.StepState)); strings.Contains(string(raw), "evidence") {
			t.Errorf("a step without evidence marshals it: %s", raw)
		}
		// The logs step links the failing entries, newest first, to the error list starting
		// at each one.
		if ev := evidence(logs, "log"); len(ev) != 3 || !strings.HasPrefix(ev[0].Label, "order.get validation ") ||
			!strings.HasSuffix(ev[0].Label, " ago") && !strings.HasSuffix(ev[0].Label, "just now") ||
			ev[0].API != "/v1/connections/"+b.id+"/logs?outcome=error&cursor="+bump(ev[0].ID) ||
			ev[0].UI != "/ui/c/"+b.id+"?tab=logs&outcome=error&cursor="+bump(ev[0].ID) || !descending(ev) {
			t.Errorf("logs evidence: %s", dumpEvidence(logs))
		}
		// The workflow check is skipped for this connector: nothing audited, nothing linked.
		if s := step(d, triage.StepFix); len(s.Evidence) != 0 {
			t.Errorf("fix step of a healthy connection: %s", dumpEvidence(s))
		}
		if s := step(d, triage.StepWorkflow); s.Status != triage.Skipped || s.Finding != "no workflow check for this connector yet" {
			t.Errorf("workflow: %+v", s)
		}
		if d.ConnectionID != b.id || d.CheckedAt.IsZero() || d.Summary == "" {
			t.Fatalf("diagnosis %+v", d)
		}
	})
}

func TestAuthorizationExpired(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		b.fake.err = &connector.ExternalError{Class: concord.ClassAuthExpired, StatusCode: 401}
		d := b.diagnose(triage.AuthorizationExpired, "reconnect or rotate credentials")
		test := step(d, triage.StepTest)
		if test.Status != triage.Fail || !strings.Contains(test.Finding, "auth_expired") {
			t.Fatalf("test step %+v", test)
		}
		// The test step links the failing call it just made; the fix step carries it.
		if !hasEvidence(test, "log", "", "test auth_expired", "/v1/connections/"+b.id+"/logs?outcome=error", "/ui/c/"+b.id+"?tab=logs&outcome=error") ||
			len(test.Evidence) != 1 {
			t.Fatalf("test evidence: %s", dumpEvidence(test))
		}
		first := test.Evidence[0].ID
		if !hasEvidence(step(d, triage.StepFix), "log", first, "auth_expired", "", "") {
			t.Fatalf("fix evidence: %s", dumpEvidence(step(d, triage.StepFix)))
		}
		// The test recorded the expiry: the next triage reads it from the state too, and the
		// state step links the failing entry that recorded it.
		d = b.diagnose(triage.AuthorizationExpired, "reconnect or rotate credentials")
		state := step(d, triage.StepState)
		if state.Status != triage.Fail || !strings.Contains(state.Finding, "expired") {
			t.Fatalf("state step %+v", state)
		}
		if !hasEvidence(state, "log", first, "auth_expired", "", "") {
			t.Fatalf("state evidence: %s", dumpEvidence(state))
		}
		if fix := step(d, triage.StepFix); len(evidence(fix, "log")) != 2 || fix.Evidence[0].ID != first {
			t.Fatalf("fix evidence after two tests: %s", dumpEvidence(fix))
		}
		// A credential that works again clears it: the stored state was older evidence.
		b.fake.err = nil
		b.diagnose(triage.None, "nothing to fix")
	})
}

func TestModeMismatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		b.fake.mode = concord.ModeSandbox
		b.setState(concord.StateError, connections.ReasonModeMismatch, "a sandbox credential in a production entity", concord.ModeSandbox)
		// Even with a stale mapping and a disconnection-free state, mode mismatch comes first.
		b.tx(func(tx *store.Tx) error {
			return tx.PutMapping(b.ctx, &store.Mapping{ConnectionID: b.id, Kind: "product", ERPID: "e1", ExternalID: "x1", State: store.MappingStale})
		})
		d := b.diagnose(triage.ModeMismatch, "stop outbound work, confirm the entity, reconnect with a production credential")
		if s := step(d, triage.StepEntityMode); s.Status != triage.Fail ||
			!hasEvidence(s, "audit", "", "who stored this credential", "/v1/audit?resource=connection:"+b.id, "/ui/audit?resource=connection:"+b.id) {
			t.Fatalf("mode step %+v", s)
		}
		// The fix links the mode's evidence, not the stale mapping's.
		if s := step(d, triage.StepFix); len(evidence(s, "audit")) != 1 || len(evidence(s, "mapping")) != 0 {
			t.Fatalf("fix evidence: %s", dumpEvidence(s))
		}
	})
}

func TestDisconnected(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		if _, err := b.svc.Disconnect(b.ctx, "t", b.id); err != nil {
			t.Fatal(err)
		}
		// An open drift shows, but the disconnection is named first.
		b.tx(func(tx *store.Tx) error {
			return tx.OpenDrift(b.ctx, &store.Drift{ConnectionID: b.id, Kind: "product", ExternalID: "x1", Field: "price",
				ERPValue: "10", ExternalValue: "12", Cause: "price changed", Policy: "manual"})
		})
		d := b.diagnose(triage.Disconnected, "reconnect only after confirming the right external account and mode")
		if s := step(d, triage.StepFix); !strings.Contains(s.Fix, "until "+time.Now().UTC().Add(concord.RecoveryWindow).Format("2006-01-02")) {
			t.Fatalf("fix does not name the recovery window's end: %+v", s)
		}
		if s := step(d, triage.StepTest); s.Status != triage.Skipped {
			t.Fatalf("test step on a disconnected connection %+v", s)
		}
		if s := step(d, triage.StepState); !hasEvidence(s, "audit", "", "who disconnected it", "/v1/audit?resource=connection:"+b.id, "/ui/audit") {
			t.Fatalf("state evidence: %s", dumpEvidence(s))
		}
		// The drift shows on the sync step, but the fix links only the disconnection.
		if s := step(d, triage.StepSync); len(evidence(s, "drift")) != 1 {
			t.Fatalf("sync evidence: %s", dumpEvidence(s))
		}
		if s := step(d, triage.StepFix); len(s.Evidence) != 1 || s.Evidence[0].Kind != "audit" {
			t.Fatalf("fix evidence: %s", dumpEvidence(s))
		}
		if !strings.Contains(d.Summary, "other failure type") {
			t.Fatalf("summary %q does not say the drift also shows", d.Summary)
		}
		b.setState(concord.StateDisconnected, connections.ReasonPurged, "credentials destroyed", "")
		b.diagnose(triage.Disconnected, "credentials were destroyed")
	})
}

func TestWebhookFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, map[string]string{"token": "tok"})
		b.fake.sub = connector.Subscription{Found: true, Status: "disabled", MissingEvents: []string{"order.created"}}
		// Deliveries refused for their signature, and a stored event that failed processing.
		now := time.Now()
		if err := db.AddRejections(b.ctx, []store.Rejection{{ConnectionID: b.id, Minute: now, Reason: "bad_signature", Count: 3, LastAt: now}}); err != nil {
			t.Fatal(err)
		}
		ev := &store.WebhookEvent{ConnectionID: b.id, ProviderEventID: "evt_1", EventType: "order.created", ReceivedAt: now, Body: []byte(`{}`), Verified: true}
		b.tx(func(tx *store.Tx) error {
			if _, err := tx.InsertWebhookEvents(b.ctx, []*store.WebhookEvent{ev}); err != nil {
				return err
			}
			return tx.FinishWebhookEvent(b.ctx, ev.ID, store.EventFailed, "order ord_9 has no mapped customer")
		})
		d := b.diagnose(triage.WebhookFailure, "check URL, secret, event list, subscription status")
		hooks := step(d, triage.StepWebhooks)
		if !hasEvidence(hooks, "webhook_rejections", "bad_signature", "3 delivery(ies) refused in 24 h: bad_signature, last ",
			"/v1/connections/"+b.id+"/webhooks", "/ui/c/"+b.id+"?tab=webhooks") ||
			!hasEvidence(hooks, "webhook_event", ev.ID, "order.created evt_1 failed after 0 attempt(s), received ", "/v1/connections/"+b.id+"/webhook-events", "/ui/c/"+b.id+"?tab=webhooks") ||
			!strings.Contains(evidence(hooks, "webhook_event")[0].Label, "no mapped customer") {
			t.Fatalf("webhooks evidence: %s", dumpEvidence(hooks))
		}
		if s := step(d, triage.StepFix); len(s.Evidence) != 2 {
			t.Fatalf("fix evidence: %s", dumpEvidence(s))
		}
		fix := step(d, triage.StepWebhooks).Fix
		for _, want := range []string{"no signing secret", "subscription is disabled", "lacks events order.created"} {
			if !strings.Contains(fix, want) {
				t.Errorf("webhooks fix %q does not say %q", fix, want)
			}
		}
		// A gap found by polling is a webhook failure too, even once the secret is right.
		b = setup(t, db, nil)
		if err := b.svc.NoteEvidence(b.ctx, b.id, concord.StateError, connections.ReasonWebhookGap, "3 events arrived only by polling"); err != nil {
			t.Fatal(err)
		}
		d = b.diagnose(triage.WebhookFailure, "3 events arrived only by polling")
		for _, name := range []string{triage.StepState, triage.StepWebhooks, triage.StepFix} {
			if s := step(d, name); !hasEvidence(s, "webhook_event", "", "events no webhook delivered: 3 events arrived only by polling",
				"/v1/connections/"+b.id+"/webhook-events", "/ui/c/"+b.id+"?tab=webhooks") {
				t.Fatalf("gap evidence: %s", dumpEvidence(s))
			}
		}
		if s := step(d, triage.StepTest); s.Status != triage.OK || !strings.Contains(s.Finding, "from other evidence") {
			t.Fatalf("test step with a webhook gap %+v", s)
		}
		b.fake.sub = connector.Subscription{Found: false}
		b.diagnose(triage.WebhookFailure, "no subscription on the service points at http://hub.test/hooks/"+b.id)
	})
}

func TestStaleExternalRecord(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		m := &store.Mapping{ConnectionID: b.id, Kind: "product", ERPID: "e1", ExternalID: "x1", State: store.MappingStale, Reason: "deleted on the service"}
		b.tx(func(tx *store.Tx) error {
			if err := tx.PutMapping(b.ctx, m); err != nil {
				return err
			}
			return tx.OpenDrift(b.ctx, &store.Drift{ConnectionID: b.id, Kind: "product", ExternalID: "x2", Field: "stock",
				ERPValue: "4", ExternalValue: "9", Cause: "stock changed externally", Policy: "manual"})
		})
		d := b.diagnose(triage.StaleExternalRecord, "clear the stale id or re-import safely")
		sync := step(d, triage.StepSync)
		if sync.Status != triage.Fail || !strings.Contains(sync.Finding, "1 stale mapping") || !strings.Contains(sync.Finding, "1 open drift") {
			t.Fatalf("sync step %+v", sync)
		}
		if !hasEvidence(sync, "mapping", m.ID, "stale product x1 (ERP e1): deleted on the service", "/v1/connections/"+b.id+"/mappings?state=stale",
			"/ui/c/"+b.id+"?tab=mapping&state=stale") || len(evidence(sync, "drift")) != 1 {
			t.Fatalf("sync evidence: %s", dumpEvidence(sync))
		}
		// The fix links the stale mapping, not the drift that shows too.
		if s := step(d, triage.StepFix); len(s.Evidence) != 1 || s.Evidence[0].ID != m.ID {
			t.Fatalf("fix evidence: %s", dumpEvidence(s))
		}
	})
}

func TestSyncDrift(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		drift := &store.Drift{ConnectionID: b.id, Kind: "product", ExternalID: "x2", Field: "price",
			ERPValue: "10.00", ExternalValue: "12.00", Cause: "price changed on the marketplace", Policy: "manual"}
		b.tx(func(tx *store.Tx) error { return tx.OpenDrift(b.ctx, drift) })
		d := b.diagnose(triage.SyncDrift, "pick the source of truth, then re-sync or correct on purpose: 1 open drift(s), newest product x2.price")
		for _, name := range []string{triage.StepSync, triage.StepFix} {
			if s := step(d, name); drift.ID == "" || !hasEvidence(s, "drift", drift.ID, `product x2.price: ERP "10.00", service "12.00"`,
				"/v1/connections/"+b.id+"/drift?state=open", "/ui/c/"+b.id+"/drift/"+drift.ID) {
				t.Fatalf("drift evidence: %s", dumpEvidence(s))
			}
		}
		// A run that succeeded but lost records is drift as well.
		b = setup(t, db, nil)
		b.setState(concord.StateError, "sync_count_mismatch", "moved 8 of 10", "")
		d = b.diagnose(triage.SyncDrift, "pick the source of truth")
		if s := step(d, triage.StepState); !hasEvidence(s, "sync_run", "", "moved 8 of 10", "/sync", "/ui/c/"+b.id+"?tab=sync") {
			t.Fatalf("count mismatch evidence: %s", dumpEvidence(s))
		}
	})
}

func TestSyncDelay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		r := &store.SyncRun{ConnectionID: b.id, Kind: "product", Direction: syncer.Inbound}
		b.tx(func(tx *store.Tx) error {
			if err := tx.CreateSyncRun(b.ctx, r); err != nil {
				return err
			}
			now := time.Now()
			r.Status, r.Error, r.FinishedAt = store.RunFailed, "page 3 timed out", &now
			return tx.UpdateSyncRun(b.ctx, r)
		})
		d := b.diagnose(triage.SyncDelay, "compare inbound and outbound backlog and lag: inbound failing")
		if s := step(d, triage.StepSync); !strings.Contains(s.Finding, "page 3 timed out") {
			t.Fatalf("sync step does not show the last error: %+v", s)
		}
		for _, name := range []string{triage.StepSync, triage.StepFix} {
			if s := step(d, name); !hasEvidence(s, "sync_run", r.ID, "inbound product run failed ", "/v1/sync-runs/"+r.ID, "/ui/c/"+b.id+"?tab=sync") ||
				!strings.Contains(s.Evidence[0].Label, ": page 3 timed out") {
				t.Fatalf("sync run evidence: %s", dumpEvidence(s))
			}
		}
	})
}

// TestEvidenceIsCapped: a step links at most five rows, newest first.
func TestEvidenceIsCapped(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		for i := range 7 {
			db.RecordCall(b.ctx, concord.LogEntry{ConnectionID: b.id, Direction: concord.DirectionOutbound, Kind: concord.KindAPICall,
				Operation: "order.get", Outcome: concord.OutcomeError, Status: 500 + i, ErrorClass: concord.ClassUnavailable, Excerpt: "down"})
		}
		d := b.diagnose(triage.None, "nothing to fix")
		logs := step(d, triage.StepLogs)
		if len(logs.Evidence) != 5 || !descending(logs.Evidence) || !strings.HasPrefix(logs.Evidence[0].Label, "order.get 506 ") ||
			!strings.HasPrefix(logs.Evidence[4].Label, "order.get 502 ") {
			t.Fatalf("logs evidence: %s", dumpEvidence(logs))
		}
	})
}

// descending reports whether the log ids of ev go newest first.
func descending(ev []triage.Evidence) bool {
	for i := 1; i < len(ev); i++ {
		a, _ := strconv.ParseInt(ev[i-1].ID, 10, 64)
		b, _ := strconv.ParseInt(ev[i].ID, 10, 64)
		if a <= b {
			return false
		}
	}
	return true
}

// bump is a log id plus one: the exclusive cursor that lists from that entry.
func bump(id string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	return strconv.FormatInt(n+1, 10)
}
