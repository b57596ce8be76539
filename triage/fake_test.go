package triage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/vault"
	"github.com/concordhub/concord/webhook"
)

// fakeConnector answers the test call and the webhook subscription as the test scripts
// them, and imports one kind so it has an inbound flow on the Sync Dashboard.
type fakeConnector struct {
	mode concord.Mode
	err  error
	sub  connector.Subscription
}

func (f *fakeConnector) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "fake", Title: "Fake", Kind: "test", DefaultAPIBase: "https://fake.invalid",
		Credentials: []connector.Field{{Name: "token", Secret: true, Required: true},
			{Name: "webhook_secret", Secret: true, Webhook: true}}}
}

func (f *fakeConnector) Test(context.Context, *connector.Session) (connector.TestResult, error) {
	return connector.TestResult{Mode: f.mode, AccountID: "acct_1"}, f.err
}

func (f *fakeConnector) VerifyWebhook(context.Context, *connector.Session, *connector.WebhookRequest) (connector.WebhookEvent, error) {
	return connector.WebhookEvent{}, nil
}

func (f *fakeConnector) RequiredEvents() []string { return []string{"order.created"} }

func (f *fakeConnector) WebhookSubscription(_ context.Context, _ *connector.Session, url string) (connector.Subscription, error) {
	s := f.sub
	s.URL = url
	return s, nil
}

func (f *fakeConnector) SyncKinds() []string { return []string{"product"} }

// bundle is one test's world: a production entity with one healthy fake connection.
type bundle struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	svc  *connections.Service
	fake *fakeConnector
	tri  *triage.Triage
	id   string
}

func setup(t *testing.T, db *store.DB, creds map[string]string) *bundle {
	t.Helper()
	return setupWith(t, db, creds, concord.ModeProduction, nil)
}

// setupWith is setup with the entity in mode and, when wrap is set, the connector wrap
// makes of the fake (one with more capabilities).
func setupWith(t *testing.T, db *store.DB, creds map[string]string, mode concord.Mode, wrap func(*fakeConnector) connector.Connector) *bundle {
	t.Helper()
	key, _ := vault.GenerateKey()
	keys, err := vault.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeConnector{mode: mode, sub: connector.Subscription{Found: true, Status: "enabled",
		Events: []string{"order.created"}}}
	var conn connector.Connector = fake
	if wrap != nil {
		conn = wrap(fake)
	}
	svc := &connections.Service{DB: db, Registry: connector.NewRegistry(conn), Keys: keys,
		Outbound: connector.NewOutbound(connector.OutboundOptions{Sink: db}), PublicURL: "http://hub.test"}
	b := &bundle{t: t, ctx: context.Background(), db: db, svc: svc, fake: fake}
	b.tri = &triage.Triage{DB: db, Svc: svc, Webhooks: &webhook.Panel{DB: db, Svc: svc}, Sync: &syncer.Engine{DB: db, Svc: svc}}
	e, err := svc.CreateEntity(b.ctx, "t", "Prod Co", mode)
	if err != nil {
		t.Fatal(err)
	}
	if creds == nil {
		creds = map[string]string{"token": "tok", "webhook_secret": "whsec_1"}
	}
	v, err := svc.Connect(b.ctx, "t", e.ID, connections.ConnectInput{Connector: "fake", Credentials: creds})
	if err != nil || v.State != concord.StateConnected {
		t.Fatalf("connect: %+v %v", v, err)
	}
	b.id = v.ID
	return b
}

// tx runs fn in a store transaction, failing the test on error.
func (b *bundle) tx(fn func(tx *store.Tx) error) {
	b.t.Helper()
	if err := b.db.InTx(b.ctx, fn); err != nil {
		b.t.Fatal(err)
	}
}

// setState scripts the connection's state as the hub would have recorded it.
func (b *bundle) setState(state concord.State, reason, detail string, mode concord.Mode) {
	b.t.Helper()
	b.tx(func(tx *store.Tx) error {
		c, err := tx.GetConnection(b.ctx, b.id)
		if err != nil {
			return err
		}
		c.State, c.StateReason, c.StateDetail = state, reason, detail
		if mode != "" {
			c.Mode = mode
		}
		return tx.UpdateConnection(b.ctx, &c)
	})
}

// diagnose runs the triage and checks the failure type and that the fix names want.
func (b *bundle) diagnose(failure, wantFix string) triage.Diagnosis {
	b.t.Helper()
	d, err := b.tri.Diagnose(b.ctx, b.id)
	if err != nil {
		b.t.Fatal(err)
	}
	if d.FailureType != failure {
		b.t.Fatalf("failure type %q, want %q\n%s", d.FailureType, failure, dump(d))
	}
	last := d.Steps[len(d.Steps)-1]
	if last.Step != triage.StepFix || !strings.Contains(last.Finding+" "+last.Fix, wantFix) {
		b.t.Fatalf("fix step %+v, want it to say %q\n%s", last, wantFix, dump(d))
	}
	return d
}

func dump(d triage.Diagnosis) string {
	var sb strings.Builder
	sb.WriteString(d.Summary + "\n")
	for _, s := range d.Steps {
		sb.WriteString("  " + s.Step + " [" + string(s.Status) + "] " + s.Finding + " | " + s.Fix + "\n")
	}
	return sb.String()
}

func step(d triage.Diagnosis, name string) triage.Step {
	for _, s := range d.Steps {
		if s.Step == name {
			return s
		}
	}
	return triage.Step{}
}

// evidence is the step's evidence of kind.
func evidence(s triage.Step, kind string) []triage.Evidence {
	var out []triage.Evidence
	for _, e := range s.Evidence {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// hasEvidence reports whether s links a row of kind with id (any id when id is "") whose
// label, API and UI paths hold label, api and ui.
func hasEvidence(s triage.Step, kind, id, label, api, ui string) bool {
	for _, e := range evidence(s, kind) {
		if (id == "" || e.ID == id) && strings.Contains(e.Label, label) && strings.Contains(e.API, api) && strings.Contains(e.UI, ui) {
			return true
		}
	}
	return false
}

func dumpEvidence(s triage.Step) string {
	var sb strings.Builder
	for _, e := range s.Evidence {
		sb.WriteString("\n    " + e.Kind + " " + e.ID + " " + e.Label + " | " + e.API + " | " + e.UI)
	}
	return s.Step + ":" + sb.String()
}
