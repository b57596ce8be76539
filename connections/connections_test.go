package connections_test

import (
	"context"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/vault"
)

// fakeConnector reports whatever mode and account the test sets, so the lifecycle rules
// can be checked without a service: a credential that does not declare its mode (like a
// Shopify token) and whose test reveals a mode other than the entity's.
type fakeConnector struct {
	mode    concord.Mode
	account string
	err     error
}

func (f *fakeConnector) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "fake", Title: "Fake", Kind: "test",
		Credentials:    []connector.Field{{Name: "token", Secret: true, Required: true}},
		DefaultAPIBase: "https://fake.invalid"}
}

func (f *fakeConnector) Test(context.Context, *connector.Session) (connector.TestResult, error) {
	return connector.TestResult{Mode: f.mode, AccountID: f.account}, f.err
}

func newService(t *testing.T, db *store.DB, c connector.Connector) *connections.Service {
	t.Helper()
	key, _ := vault.GenerateKey()
	keys, err := vault.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return &connections.Service{DB: db, Registry: connector.NewRegistry(c), Keys: keys,
		Outbound: connector.NewOutbound(connector.OutboundOptions{Sink: db}), PublicURL: "http://hub.test"}
}

func TestTestRevealsModeMismatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fake := &fakeConnector{mode: concord.ModeSandbox, account: "shop-1"}
		svc := newService(t, db, fake)
		e, err := svc.CreateEntity(ctx, "t", "Prod Co", concord.ModeProduction)
		if err != nil {
			t.Fatal(err)
		}
		// The credential does not say its mode, and the test says sandbox: refused.
		_, err = svc.Connect(ctx, "t", e.ID, connections.ConnectInput{Connector: "fake", Credentials: map[string]string{"token": "abc"}})
		if concord.ErrorCode(err) != concord.EMODEMISMATCH {
			t.Fatalf("connect with a sandbox credential into production: %v", err)
		}
		// Now the service says production: connected.
		fake.mode = concord.ModeProduction
		v, err := svc.Connect(ctx, "t", e.ID, connections.ConnectInput{Connector: "fake", Credentials: map[string]string{"token": "abc"}})
		if err != nil || v.State != concord.StateConnected {
			t.Fatalf("connect: %+v %v", v, err)
		}
		// Later the same credential turns out to be a development store: error, mode_mismatch.
		fake.mode = concord.ModeSandbox
		out, err := svc.Test(ctx, "t", v.ID)
		if err != nil || out.OK || out.State != concord.StateError || out.Reason != "mode_mismatch" || out.ErrorClass != concord.ClassModeMismatch {
			t.Fatalf("test revealing sandbox: %+v %v", out, err)
		}
		// And a different account behind the same credential is stopped too.
		fake.mode, fake.account = concord.ModeProduction, "shop-2"
		out, _ = svc.Test(ctx, "t", v.ID)
		if out.OK || out.Reason != "account_changed" {
			t.Fatalf("test revealing another account: %+v", out)
		}
		got, _ := svc.Get(ctx, v.ID)
		if got.AccountID != "shop-1" {
			t.Fatalf("account silently switched to %s", got.AccountID)
		}
		// A failing test by class: auth_expired -> expired.
		fake.account, fake.err = "shop-1", &connector.ExternalError{Class: concord.ClassAuthExpired, StatusCode: 401}
		out, _ = svc.Test(ctx, "t", v.ID)
		if out.State != concord.StateExpired || out.ErrorClass != concord.ClassAuthExpired {
			t.Fatalf("expired: %+v", out)
		}
	})
}

func TestConfigGuards(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fake := &fakeConnector{mode: concord.ModeProduction, account: "a"}
		svc := newService(t, db, fake)
		e, _ := svc.CreateEntity(ctx, "t", "Prod Co", concord.ModeProduction)
		_, err := svc.Connect(ctx, "t", e.ID, connections.ConnectInput{Connector: "fake",
			Credentials: map[string]string{"token": "abc"}, Config: map[string]string{"colour": "red"}})
		if concord.ErrorCode(err) != concord.EINVALID {
			t.Fatalf("unknown config field: %v", err)
		}
		if _, err := svc.CreateEntity(ctx, "t", " ", concord.ModeSandbox); concord.ErrorCode(err) != concord.EINVALID {
			t.Fatalf("blank entity name: %v", err)
		}
		if _, err := svc.CreateEntity(ctx, "t", "x", "staging"); concord.ErrorCode(err) != concord.EINVALID {
			t.Fatalf("bad mode: %v", err)
		}
	})
}
