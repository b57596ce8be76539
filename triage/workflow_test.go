package triage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/triage"
)

// checkingConnector is the fake with a workflow check that reports what the hub told it:
// whether it may write, its mapped stock, and whether the webhook its "write" causes came.
type checkingConnector struct {
	*fakeConnector
	env    connector.WorkflowEnv
	during func() // runs between ExpectWebhook and the wait, as the write would
}

func (c *checkingConnector) CheckWorkflow(ctx context.Context, _ *connector.Session, env connector.WorkflowEnv) ([]connector.WorkflowFinding, error) {
	c.env = env
	m, ok, err := env.Mapped(ctx, connector.KindStock, "available")
	if err != nil {
		return nil, err
	}
	if !ok {
		return []connector.WorkflowFinding{{Check: "stock", Status: "warn", Finding: "no mapped product", Fix: "approve a mapping first"}}, nil
	}
	out := []connector.WorkflowFinding{{Check: "stock", Status: "ok", Finding: m.ExternalID + " ERP " + m.ERPValue}}
	if !env.Reversible {
		return append(out, connector.WorkflowFinding{Check: "write-back", Status: "ok", Finding: "not run"}), nil
	}
	wait := env.ExpectWebhook("inventory_levels/update", func(b []byte) bool { return bytes.Contains(b, []byte(`"item":"i1"`)) })
	if c.during != nil {
		c.during()
	}
	arrived, err := wait(ctx)
	if err != nil {
		return out, err
	}
	out = append(out, connector.WorkflowFinding{Check: "write-back", Status: "ok", Finding: "written back", Reversible: true})
	if !arrived {
		return append(out, connector.WorkflowFinding{Check: "webhook", Status: "fail", Finding: "no webhook", Fix: "re-register webhooks"}), nil
	}
	return append(out, connector.WorkflowFinding{Check: "webhook", Status: "ok", Finding: "arrived"}), nil
}

func checking(b **checkingConnector) func(*fakeConnector) connector.Connector {
	return func(f *fakeConnector) connector.Connector {
		*b = &checkingConnector{fakeConnector: f}
		return *b
	}
}

// lastCheckAudit is the newest workflow-check audit entry of the connection.
func (b *bundle) lastCheckAudit() (audit.Entry, map[string]any) {
	b.t.Helper()
	es, _, err := b.db.ListAudit(b.ctx, store.AuditFilter{Resource: "connection:" + b.id}, store.Page{Limit: 20})
	for _, e := range es { // newest first
		if e.Action == "connection.workflow_check" {
			var after map[string]any
			_ = json.Unmarshal(e.After, &after)
			return e, after
		}
	}
	b.t.Fatalf("no workflow check audited: %v", err)
	return audit.Entry{}, nil
}

// hook stores a webhook delivery of the connection as the intake would.
func (b *bundle) hook(topic, body string) {
	b.t.Helper()
	b.tx(func(tx *store.Tx) error {
		_, err := tx.InsertWebhookEvents(b.ctx, []*store.WebhookEvent{{ConnectionID: b.id, ProviderEventID: store.NewID("ev"),
			EventType: topic, ReceivedAt: b.db.Now(), Body: []byte(body), Verified: true}})
		return err
	})
}

func TestWorkflowOptInAndAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wc *checkingConnector
		b := setupWith(t, db, nil, concord.ModeProduction, checking(&wc))
		b.tri.WebhookWait = 2 * time.Second

		// Nothing mapped yet: the check says so.
		d := b.diagnose(triage.None, "nothing to fix")
		if s := step(d, triage.StepWorkflow); s.Status != triage.Warn || s.Fix != "approve a mapping first" {
			t.Fatalf("workflow without a mapping: %+v", s)
		}
		c, _ := db.GetConnection(b.ctx, b.id)
		b.tx(func(tx *store.Tx) error {
			if err := tx.PutMapping(b.ctx, &store.Mapping{ConnectionID: b.id, Kind: connector.KindStock, ERPID: "v1|wh",
				ExternalID: "i1|l1", State: store.MappingActive}); err != nil {
				return err
			}
			_, err := tx.PutERPRecord(b.ctx, &store.ERPRecord{EntityID: c.EntityID, Kind: connector.KindStock, ID: "v1|wh",
				Fields: map[string]string{"available": "7"}, Source: "test"})
			return err
		})

		// Production without the opt-in: read-only, and the audit says so.
		d = b.diagnose(triage.None, "nothing to fix")
		s := step(d, triage.StepWorkflow)
		if wc.env.Reversible || s.Status != triage.OK || !strings.Contains(s.Finding, "stock: i1|l1 ERP 7; write-back: not run") {
			t.Fatalf("read-only workflow: %+v (env %+v)", s, wc.env)
		}
		if wc.env.WebhookURL != "http://hub.test/hooks/"+b.id {
			t.Fatalf("webhook URL %q", wc.env.WebhookURL)
		}
		e, after := b.lastCheckAudit()
		if !strings.HasPrefix(e.Detail, "read-only (production entity; a reversible check was not allowed); no reversible check ran") ||
			after["reversible_allowed"] != false || after["allowed_by_operator"] != false {
			t.Fatalf("read-only audit: %q %v", e.Detail, after)
		}
		// The step links the audit entry it wrote.
		if !hasEvidence(s, "audit", strconv.FormatInt(e.Seq, 10), "workflow check audited: no reversible check ran",
			"/v1/audit?resource=connection:"+b.id, "/ui/audit?resource=connection:"+b.id) {
			t.Fatalf("workflow evidence: %s", dumpEvidence(s))
		}

		// Allowed by the operator: the check may write, and waits for its webhook; one of
		// another item and one of another topic do not count.
		wc.during = func() {
			go func() {
				b.hook("inventory_levels/update", `{"item":"i2"}`)
				b.hook("products/update", `{"item":"i1"}`)
				time.Sleep(300 * time.Millisecond)
				b.hook("inventory_levels/update", `{"item":"i1"}`)
			}()
		}
		d, err := b.tri.DiagnoseWith(b.ctx, "api_key:ak_op", b.id, triage.Options{AllowReversible: true})
		if err != nil {
			t.Fatal(err)
		}
		s = step(d, triage.StepWorkflow)
		if !wc.env.Reversible || s.Status != triage.OK || !strings.Contains(s.Finding, "webhook: arrived") {
			t.Fatalf("allowed workflow: %+v\n%s", s, dump(d))
		}
		e, after = b.lastCheckAudit()
		if e.Actor != "api_key:ak_op" || !strings.HasPrefix(e.Detail, "reversible allowed by the operator (production entity); a reversible check ran: write-back") ||
			after["allowed_by_operator"] != true || after["reversible_allowed"] != true {
			t.Fatalf("allowed audit: %+v %v", e, after)
		}

		// The webhook never comes: the wait ends at the bound and the check fails.
		wc.during = nil
		b.tri.WebhookWait = 300 * time.Millisecond
		start := time.Now()
		d, err = b.tri.DiagnoseWith(b.ctx, connections.System, b.id, triage.Options{AllowReversible: true})
		if err != nil {
			t.Fatal(err)
		}
		if s := step(d, triage.StepWorkflow); s.Status != triage.Fail || s.Fix != "re-register webhooks" || time.Since(start) > 5*time.Second {
			t.Fatalf("no webhook: %+v after %s", s, time.Since(start))
		}
	})
}

func TestWorkflowSandboxAlwaysReversible(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wc *checkingConnector
		b := setupWith(t, db, nil, concord.ModeSandbox, checking(&wc))
		b.tx(func(tx *store.Tx) error {
			return tx.PutMapping(b.ctx, &store.Mapping{ConnectionID: b.id, Kind: connector.KindStock, ERPID: "v1|wh",
				ExternalID: "i1|l1", State: store.MappingActive})
		})
		b.tri.WebhookWait = 200 * time.Millisecond
		d := b.diagnose(triage.None, "nothing to fix")
		if !wc.env.Reversible {
			t.Fatalf("a sandbox entity's check was not allowed to write: %+v", d)
		}
		// The ERP has no stock figure for the mapping: the value is empty, not an error.
		if s := step(d, triage.StepWorkflow); !strings.Contains(s.Finding, "stock: i1|l1 ERP ;") {
			t.Fatalf("workflow: %+v", s)
		}
		e, after := b.lastCheckAudit()
		if !strings.HasPrefix(e.Detail, "reversible allowed (sandbox entity); a reversible check ran: write-back") || after["allowed_by_operator"] != false {
			t.Fatalf("sandbox audit: %q %v", e.Detail, after)
		}
	})
}
