package shopify

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	shopifyemu "github.com/concordhub/concord/emulator/shopify"
)

// emulatorSession starts the Shopify emulator and returns a sandbox session on its first
// shop, with the credentials it hands out.
func emulatorSession(t *testing.T) (*shopifyemu.Emulator, *connector.Session) {
	t.Helper()
	e := shopifyemu.New(shopifyemu.Options{})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() { e.Close(); srv.Close() })
	cr := e.Credentials()
	creds := map[string]string{FieldAccessToken: cr.AccessToken, FieldClientID: cr.ClientID, FieldClientSecret: cr.ClientSecret}
	if cr.RefreshToken != "" {
		creds[FieldRefreshToken] = cr.RefreshToken
		creds[FieldTokenExpiresAt] = time.Now().Add(time.Duration(cr.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	return e, &connector.Session{ConnectionID: "conn_emu_" + t.Name(), EntityMode: concord.ModeSandbox, Credentials: creds,
		Config: map[string]string{FieldShop: cr.Shop}, APIBase: srv.URL, HTTP: srv.Client()}
}

// importAll reads every page of kind with small pages.
func importAll(t *testing.T, c *Connector, s *connector.Session, kind string) []connector.SyncRecord {
	t.Helper()
	var all []connector.SyncRecord
	cursor := ""
	for range 100 {
		page, err := c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: kind, Cursor: cursor, PageSize: 2})
		if err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
		all = append(all, page.Records...)
		if cursor = page.NextCursor; cursor == "" {
			return all
		}
	}
	t.Fatalf("import %s does not end", kind)
	return nil
}

func TestAgainstEmulator(t *testing.T) {
	t.Parallel()
	_, s := emulatorSession(t)
	c, ctx := New(), context.Background()
	if _, _, err := c.CheckCredentials(s.Credentials); err != nil {
		t.Fatalf("emulator credentials refused: %v", err)
	}
	res, err := c.Test(ctx, s)
	if err != nil || res.Mode != concord.ModeSandbox || res.AccountID != s.Config[FieldShop] {
		t.Fatalf("test = %+v, %v", res, err)
	}
	got := map[string][]connector.SyncRecord{}
	for _, kind := range c.SyncKinds() {
		got[kind] = importAll(t, c, s, kind)
	}
	for _, kind := range []string{connector.KindLocation, connector.KindVariant, connector.KindOrder} {
		n, err := c.CountRecords(ctx, s, kind)
		if kind == connector.KindVariant && undefinedField(err) {
			t.Log("the emulator has no productVariantsCount (it is in the 2025-01 schema); variant count not checked")
			continue
		}
		if err != nil || n != len(got[kind]) || n == 0 {
			t.Errorf("count %s = %d, %v; imported %d", kind, n, err, len(got[kind]))
		}
	}
	if len(got[connector.KindStock]) != len(got[connector.KindVariant])*len(got[connector.KindLocation]) {
		t.Errorf("stock records %d, want variants × locations", len(got[connector.KindStock]))
	}

	v := got[connector.KindVariant][0]
	stock := got[connector.KindStock][0]
	results, err := c.Export(ctx, s, []connector.FieldChange{
		{Kind: connector.KindVariant, ExternalID: v.ExternalID, Field: "price", Value: "12.5"},
		{Kind: connector.KindStock, ExternalID: stock.ExternalID, Field: "available", Value: "42"},
		{Kind: connector.KindStock, ExternalID: "gid://shopify/InventoryItem/999999|" + stock.Fields["location_id"], Field: "available", Value: "1"},
	})
	if err != nil || results[0].Err != nil || results[1].Err != nil {
		t.Fatalf("export: %v %+v", err, results)
	}
	if results[2].Err == nil {
		t.Errorf("an unknown inventory item was accepted")
	}
	if r, err := c.FetchRecord(ctx, s, connector.KindVariant, v.ExternalID); err != nil || r.Fields["price"] != "12.50" {
		t.Errorf("price after export = %+v, %v", r.Fields, err)
	}
	if r, err := c.FetchRecord(ctx, s, connector.KindStock, stock.ExternalID); err != nil || r.Fields["available"] != "42" {
		t.Errorf("stock after export = %+v, %v", r.Fields, err)
	}
	if _, err := c.FetchRecord(ctx, s, connector.KindVariant, "gid://shopify/ProductVariant/999999"); connector.ClassOf(err) != concord.ClassNotFound {
		t.Errorf("fetch missing variant: %v", err)
	}
	o := got[connector.KindOrder][0]
	if r, err := c.FetchRecord(ctx, s, connector.KindOrder, o.ExternalID); err != nil || r.Fields["lines"] != o.Fields["lines"] {
		t.Errorf("fetch order = %+v, %v", r, err)
	}

	url := "https://hub.example/hooks/conn_emu"
	created, err := c.RegisterWebhooks(ctx, s, url)
	if err != nil || len(created) != len(requiredTopics) {
		t.Fatalf("register: %v, %v", created, err)
	}
	sub, err := c.WebhookSubscription(ctx, s, url)
	if err != nil || !sub.Found || len(sub.MissingEvents) != 0 {
		t.Fatalf("subscription = %+v, %v", sub, err)
	}
	if again, err := c.RegisterWebhooks(ctx, s, url); err != nil || len(again) != 0 {
		t.Fatalf("second register: %v, %v", again, err)
	}
}

func TestEmulatorRefresh(t *testing.T) {
	t.Parallel()
	_, s := emulatorSession(t)
	if s.Credentials[FieldRefreshToken] == "" {
		t.Skip("the emulator handed out a non-expiring token")
	}
	s.Credentials[FieldTokenExpiresAt] = time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	c := New()
	creds, ok, err := c.RefreshIfDue(context.Background(), s)
	if err != nil || !ok || creds[FieldAccessToken] == s.Credentials[FieldAccessToken] {
		t.Fatalf("refresh: %v %v", ok, err)
	}
	s.Credentials = creds
	if _, err := c.Test(context.Background(), s); err != nil {
		t.Fatalf("the refreshed token does not work: %v", err)
	}
}
