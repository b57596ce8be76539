package triage_test

import (
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
		if s := step(d, triage.StepTest); s.Status != triage.Fail || !strings.Contains(s.Finding, "auth_expired") {
			t.Fatalf("test step %+v", s)
		}
		// The test recorded the expiry: the next triage reads it from the state too.
		d = b.diagnose(triage.AuthorizationExpired, "reconnect or rotate credentials")
		if s := step(d, triage.StepState); s.Status != triage.Fail || !strings.Contains(s.Finding, "expired") {
			t.Fatalf("state step %+v", s)
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
		if s := step(d, triage.StepEntityMode); s.Status != triage.Fail {
			t.Fatalf("mode step %+v", s)
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
		d := b.diagnose(triage.WebhookFailure, "check URL, secret, event list, subscription status")
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
		b.tx(func(tx *store.Tx) error {
			if err := tx.PutMapping(b.ctx, &store.Mapping{ConnectionID: b.id, Kind: "product", ERPID: "e1", ExternalID: "x1", State: store.MappingStale}); err != nil {
				return err
			}
			return tx.OpenDrift(b.ctx, &store.Drift{ConnectionID: b.id, Kind: "product", ExternalID: "x2", Field: "stock",
				ERPValue: "4", ExternalValue: "9", Cause: "stock changed externally", Policy: "manual"})
		})
		d := b.diagnose(triage.StaleExternalRecord, "clear the stale id or re-import safely")
		if s := step(d, triage.StepSync); s.Status != triage.Fail || !strings.Contains(s.Finding, "1 stale mapping") || !strings.Contains(s.Finding, "1 open drift") {
			t.Fatalf("sync step %+v", s)
		}
	})
}

func TestSyncDrift(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		b.tx(func(tx *store.Tx) error {
			return tx.OpenDrift(b.ctx, &store.Drift{ConnectionID: b.id, Kind: "product", ExternalID: "x2", Field: "price",
				ERPValue: "10.00", ExternalValue: "12.00", Cause: "price changed on the marketplace", Policy: "manual"})
		})
		b.diagnose(triage.SyncDrift, "pick the source of truth, then re-sync or correct on purpose: 1 open drift(s), newest product x2.price")
		// A run that succeeded but lost records is drift as well.
		b = setup(t, db, nil)
		b.setState(concord.StateError, "sync_count_mismatch", "moved 8 of 10", "")
		b.diagnose(triage.SyncDrift, "pick the source of truth")
	})
}

func TestSyncDelay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, nil)
		b.tx(func(tx *store.Tx) error {
			r := &store.SyncRun{ConnectionID: b.id, Kind: "product", Direction: syncer.Inbound}
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
	})
}
