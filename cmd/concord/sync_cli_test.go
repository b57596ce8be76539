package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/store/storetest"
)

// connectShopify connects an entity of h to a fresh Shopify emulator.
func connectShopify(t *testing.T, h *harness, entityID string) (connJSON, string) {
	t.Helper()
	emu := shopifyemu.New(shopifyemu.Options{})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); emu.Close() })
	resp, err := http.Get(srv.URL + "/_emulator/credentials")
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&creds)
	resp.Body.Close()
	var c connJSON
	body := map[string]any{"connector": "shopify", "credentials": map[string]string{
		"access_token": creds["access_token"].(string), "client_id": creds["client_id"].(string), "client_secret": creds["client_secret"].(string)},
		"config": map[string]string{"shop": creds["shop"].(string), "api_base": srv.URL}}
	if st := h.do("POST", "/v1/entities/"+entityID+"/connections", h.token, body, &c); st != 201 {
		t.Fatalf("connect shopify: %d", st)
	}
	return c, srv.URL
}

// TestSyncAndDriftCLI drives `concord sync run|status` and `concord drift list|resolve`.
func TestSyncAndDriftCLI(t *testing.T) {
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	e := h.entity("CLI Shop", "sandbox")
	c, _ := connectShopify(t, h, e.ID)
	env := map[string]string{"CONCORD_SERVER": h.app.URL, "CONCORD_TOKEN": h.token}
	code, out, errs := runCLI(t, env, "sync", "run", "--connection", c.ID, "--full", "--every", "50ms")
	if code != 0 || strings.Count(out, "succeeded") < 4 || !strings.Contains(out, "moved") || !strings.Contains(out, "variant") {
		t.Fatalf("sync run: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCLI(t, env, "sync", "status", "--entity", e.ID)
	if code != 0 || !strings.Contains(out, c.ID) || !strings.Contains(out, "inbound") || !strings.Contains(out, "on_time") {
		t.Fatalf("sync status: %d\n%s", code, out)
	}
	// Map one variant with a different price: a drift to list and resolve.
	h.do("PUT", "/v1/entities/"+e.ID+"/records/variant/v1", h.token, map[string]any{"fields": map[string]string{"sku": "SKU-1-1", "price": "1.00"}}, nil)
	runCLI(t, env, "sync", "run", "--connection", c.ID, "--resource", "variant", "--full", "--every", "50ms")
	var inbox struct{ Data []mappingJSON }
	h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=suggested", h.token, nil, &inbox)
	if len(inbox.Data) != 1 {
		t.Fatalf("inbox %+v", inbox.Data)
	}
	h.do("POST", "/v1/connections/"+c.ID+"/mappings/actions", h.token, map[string]any{"actions": []map[string]string{{"mapping_id": inbox.Data[0].ID, "action": "approve"}}}, nil)
	var drifts struct{ Data []driftJSON }
	h.do("GET", "/v1/connections/"+c.ID+"/drift?state=open", h.token, nil, &drifts)
	if len(drifts.Data) != 1 || drifts.Data[0].Field != "price" {
		t.Fatalf("drift after approval %+v", drifts.Data)
	}
	code, out, _ = runCLI(t, env, "drift", "list", "--connection", c.ID)
	if code != 0 || !strings.Contains(out, drifts.Data[0].ID) || !strings.Contains(out, "1.00") {
		t.Fatalf("drift list: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "drift", "resolve", drifts.Data[0].ID, "--action", "pull")
	if code != 0 || !strings.Contains(out, "preview only") {
		t.Fatalf("drift resolve preview: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "drift", "resolve", drifts.Data[0].ID, "--action", "pull", "--yes")
	if code != 0 || !strings.Contains(out, "done") {
		t.Fatalf("drift resolve: %d\n%s", code, out)
	}
	var rec struct{ Fields map[string]string }
	h.do("GET", "/v1/entities/"+e.ID+"/records/variant/v1", h.token, nil, &rec)
	if rec.Fields["price"] == "1.00" {
		t.Fatalf("pull did not take the shop's price: %v", rec.Fields)
	}
}

// TestShopifyOrderWithManyLines: an order with more lines than an orders page asks for is
// read again whole, so the import never cuts it short.
func TestShopifyOrderWithManyLines(t *testing.T) {
	t.Parallel()
	b := storetest.Backends(t)[0]
	h := setup(t, b)
	e := h.entity("Big Order Co", "sandbox")
	c, base := connectShopify(t, h, e.ID)
	var lines []map[string]any
	for i := 0; i < 14; i++ {
		lines = append(lines, map[string]any{"sku": "SKU-1-1", "title": "Tee", "quantity": i + 1, "price": "9.99"})
	}
	emuPost(t, base+"/_emulator/records/orders", map[string]any{"email": "big@example.com", "financial_status": "paid", "line_items": lines})
	var started struct {
		Runs []struct{ ID string } `json:"runs"`
	}
	h.do("POST", "/v1/connections/"+c.ID+"/sync", h.token, map[string]any{"resource": "order", "direction": "inbound", "full": true}, &started)
	var run struct{ Status, Error string }
	eventually(t, "order import", func() bool {
		h.do("GET", "/v1/sync-runs/"+started.Runs[0].ID, h.token, nil, &run)
		return run.Status == "succeeded" || run.Status == "failed"
	})
	if run.Status != "succeeded" {
		t.Fatalf("run %+v", run)
	}
	var orders struct {
		Data []struct{ Fields map[string]string } `json:"data"`
	}
	h.do("GET", "/v1/entities/"+e.ID+"/records/order?limit=100", h.token, nil, &orders)
	found := false
	for _, o := range orders.Data {
		if o.Fields["email"] == "big@example.com" {
			var ls []json.RawMessage
			if err := json.Unmarshal([]byte(o.Fields["lines"]), &ls); err != nil || len(ls) != 14 {
				t.Fatalf("order lines %d (%v): %s", len(ls), err, o.Fields["lines"])
			}
			found = true
		}
	}
	if !found {
		t.Fatalf("the big order was not imported: %+v", orders.Data)
	}
}
