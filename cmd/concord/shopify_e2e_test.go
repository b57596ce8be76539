package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	shopifyemu "github.com/concordhub/concord/emulator/shopify"
)

type mappingJSON struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	ERPID      string `json:"erp_id"`
	ExternalID string `json:"external_id"`
	State      string `json:"state"`
	Reason     string `json:"reason"`
}

type driftJSON struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	ExternalID    string `json:"external_id"`
	Field         string `json:"field"`
	ERPValue      string `json:"erp_value"`
	ExternalValue string `json:"external_value"`
	Cause         string `json:"cause"`
}

func emuPost(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %v", url, resp.StatusCode, out)
	}
	return out
}

// gidNum is the numeric part of a Shopify GID.
func gidNum(gid string) string { return gid[strings.LastIndex(gid, "/")+1:] }

// TestShopifyEndToEnd: connect to the Shopify emulator, import, map through the inbox,
// push stock, see drift arrive by webhook and resolve it, and a product deleted on the
// marketplace turn its mapping stale; on SQLite and PostgreSQL.
func TestShopifyEndToEnd(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		emu := shopifyemu.New(shopifyemu.Options{})
		srv := httptest.NewServer(emu.Handler())
		t.Cleanup(func() { srv.Close(); emu.Close() })
		var creds map[string]any
		resp, err := http.Get(srv.URL + "/_emulator/credentials")
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&creds)
		resp.Body.Close()

		e := h.entity("Shop Sandbox", "sandbox")
		var c connJSON
		body := map[string]any{"connector": "shopify", "credentials": map[string]string{
			"access_token": creds["access_token"].(string), "client_id": creds["client_id"].(string), "client_secret": creds["client_secret"].(string)},
			"config": map[string]string{"shop": creds["shop"].(string), "api_base": srv.URL}}
		if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, body, &c); st != 201 || c.State != "connected" || c.Mode != "sandbox" {
			t.Fatalf("connect: %d %+v", st, c)
		}
		// A custom storefront domain is refused.
		bad := map[string]any{"connector": "shopify", "credentials": body["credentials"], "config": map[string]string{"shop": "shop.example.com", "api_base": srv.URL}}
		if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, bad, nil); st != 400 {
			t.Fatalf("custom domain: %d", st)
		}
		var reg struct{ Created []string }
		if st := h.do("POST", "/v1/connections/"+c.ID+"/webhooks/register", h.token, nil, &reg); st != 200 || len(reg.Created) == 0 {
			t.Fatalf("register webhooks: %d %+v", st, reg)
		}

		// The ERP knows two variants and the warehouse.
		h.do("PUT", "/v1/entities/"+e.ID+"/records/variant/var-1", h.token, map[string]any{"fields": map[string]string{"sku": "SKU-1-1", "price": "9.99", "title": "one"}}, nil)
		h.do("PUT", "/v1/entities/"+e.ID+"/records/variant/var-2", h.token, map[string]any{"fields": map[string]string{"sku": "SKU-1-2", "price": "10.49", "title": "two"}}, nil)
		h.do("PUT", "/v1/entities/"+e.ID+"/records/location/wh", h.token, map[string]any{"fields": map[string]string{"name": "Main Warehouse"}}, nil)

		syncAll := func() {
			t.Helper()
			var started struct {
				Runs []struct{ ID string } `json:"runs"`
			}
			if st := h.do("POST", "/v1/connections/"+c.ID+"/sync", h.token, map[string]any{"direction": "inbound", "full": true}, &started); st != 202 {
				t.Fatalf("sync: %d", st)
			}
			for _, r := range started.Runs {
				var run struct{ Status, Error string }
				eventually(t, "sync run "+r.ID, func() bool {
					h.do("GET", "/v1/sync-runs/"+r.ID, h.token, nil, &run)
					return run.Status == "succeeded" || run.Status == "failed"
				})
				if run.Status != "succeeded" {
					t.Fatalf("run %s: %s %s", r.ID, run.Status, run.Error)
				}
			}
		}
		syncAll()
		var inbox struct{ Data []mappingJSON }
		h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=suggested&limit=100", h.token, nil, &inbox)
		var acts []map[string]string
		for _, m := range inbox.Data {
			acts = append(acts, map[string]string{"mapping_id": m.ID, "action": "approve"})
		}
		if len(acts) != 3 { // two variants by SKU, one location by name
			t.Fatalf("suggestions %+v", inbox.Data)
		}
		var outcomes struct{ Data []struct{ OK bool } }
		h.do("POST", "/v1/connections/"+c.ID+"/mappings/actions", h.token, map[string]any{"actions": acts}, &outcomes)
		for _, o := range outcomes.Data {
			if !o.OK {
				t.Fatalf("approve: %+v", outcomes)
			}
		}
		var unmapped struct{ Data []mappingJSON }
		h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=unmapped&kind=variant&limit=100", h.token, nil, &unmapped)
		if len(unmapped.Data) != 8 {
			t.Fatalf("unmapped listings %d", len(unmapped.Data))
		}
		syncAll()
		var stock struct {
			Data []struct {
				ID     string            `json:"id"`
				Fields map[string]string `json:"fields"`
			}
		}
		h.do("GET", "/v1/entities/"+e.ID+"/records/stock", h.token, nil, &stock)
		if len(stock.Data) != 2 {
			t.Fatalf("ERP stock after mapping %+v", stock.Data)
		}
		var orders struct{ Data []json.RawMessage }
		h.do("GET", "/v1/entities/"+e.ID+"/records/order", h.token, nil, &orders)
		if len(orders.Data) != 3 {
			t.Fatalf("orders imported %d", len(orders.Data))
		}

		// Push: the ERP sets stock; the change goes out and the shop has it.
		stockID := stock.Data[0].ID
		var ans struct {
			Outbound []struct {
				Queued     bool   `json:"queued"`
				ExternalID string `json:"external_id"`
			} `json:"outbound"`
		}
		h.do("PUT", "/v1/entities/"+e.ID+"/records/stock/"+stockID, h.token, map[string]any{"fields": map[string]string{"available": "77"}}, &ans)
		if len(ans.Outbound) != 1 || !ans.Outbound[0].Queued {
			t.Fatalf("push not queued: %+v", ans)
		}
		ext := ans.Outbound[0].ExternalID // "gid://shopify/InventoryItem/N|gid://shopify/Location/M"
		parts := strings.Split(ext, "|")
		eventually(t, "stock pushed", func() bool {
			var dash struct {
				Flows []struct {
					Direction string `json:"direction"`
					Backlog   int    `json:"backlog"`
					Windows   map[string]struct{ Moved int }
				} `json:"flows"`
			}
			h.do("GET", "/v1/entities/"+e.ID+"/sync?direction=outbound", h.token, nil, &dash)
			return len(dash.Flows) == 1 && dash.Flows[0].Backlog == 0 && dash.Flows[0].Windows["1h"].Moved >= 1
		})
		// The shop echoes our own change back by webhook; let that arrive first (Shopify's
		// updated_at has whole seconds, so two changes in one second cannot be ordered).
		eventually(t, "the echo of the push", func() bool {
			var evs struct {
				Data []struct {
					EventType string `json:"event_type"`
					Status    string `json:"status"`
				} `json:"data"`
			}
			h.do("GET", "/v1/connections/"+c.ID+"/webhook-events?limit=50", h.token, nil, &evs)
			for _, e := range evs.Data {
				if e.EventType == "inventory_levels/update" && e.Status == "processed" {
					return true
				}
			}
			return false
		})
		time.Sleep(1100 * time.Millisecond)
		// Stock changed on the shop: the webhook brings it in as a drift.
		emuPost(t, srv.URL+"/_emulator/records/inventory_levels", map[string]any{"inventory_item_id": gidNum(parts[0]), "location_id": gidNum(parts[1]), "available": 5})
		var drifts struct{ Data []driftJSON }
		waitFor(t, "stock drift from the webhook", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/drift?state=open", h.token, nil, &drifts)
			return len(drifts.Data) == 1
		}, func() {
			var evs struct{ Data []json.RawMessage }
			h.do("GET", "/v1/connections/"+c.ID+"/webhook-events?limit=20", h.token, nil, &evs)
			for _, e := range evs.Data {
				t.Logf("event %s", e)
			}
			var all struct{ Data []json.RawMessage }
			h.do("GET", "/v1/connections/"+c.ID+"/drift", h.token, nil, &all)
			t.Logf("drifts %s", all.Data)
		})
		d := drifts.Data[0]
		if d.Kind != "stock" || d.ERPValue != "77" || d.ExternalValue != "5" || d.Cause != "stock changed externally" {
			t.Fatalf("drift %+v", d)
		}
		var preview struct {
			Change  string `json:"change"`
			Allowed bool   `json:"allowed"`
		}
		h.do("POST", "/v1/drift/"+d.ID+"/resolve", h.token, map[string]any{"action": "push", "preview": true}, &preview)
		if !preview.Allowed || !strings.Contains(preview.Change, `"77"`) {
			t.Fatalf("preview %+v", preview)
		}
		if st := h.do("POST", "/v1/drift/"+d.ID+"/resolve", h.token, map[string]any{"action": "push"}, nil); st != 200 {
			t.Fatalf("resolve: %d", st)
		}
		eventually(t, "drift closed and nothing new", func() bool {
			h.do("GET", "/v1/connections/"+c.ID+"/drift?state=open", h.token, nil, &drifts)
			return len(drifts.Data) == 0
		})
		// Confirm agreement: both sides re-read live now hold the ERP's 77.
		var agree struct {
			Agree   bool              `json:"agree"`
			Differs []json.RawMessage `json:"differs"`
		}
		eventually(t, "both sides agree", func() bool {
			h.do("POST", "/v1/connections/"+c.ID+"/confirm", h.token, map[string]string{"kind": "stock", "external_id": ext}, &agree)
			return agree.Agree
		})

		// The product is deleted on the shop: its variants' mappings go stale, pushes stop.
		var st map[string]any
		r2, _ := http.Get(srv.URL + "/_emulator/state")
		_ = json.NewDecoder(r2.Body).Decode(&st)
		r2.Body.Close()
		productGID := findProductOf(st, "SKU-1-1")
		if productGID == "" {
			t.Fatalf("product of SKU-1-1 not found in emulator state")
		}
		req, _ := http.NewRequest("DELETE", srv.URL+"/_emulator/records/products/"+productGID, nil)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("delete product: %v %v", resp, err)
		}
		eventually(t, "mappings stale after the delete webhook", func() bool {
			var stale struct{ Data []mappingJSON }
			h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=stale&kind=variant", h.token, nil, &stale)
			return len(stale.Data) == 2
		})
		h.do("PUT", "/v1/entities/"+e.ID+"/records/variant/var-1", h.token, map[string]any{"fields": map[string]string{"price": "12.00"}}, &ans)
		if len(ans.Outbound) != 1 || ans.Outbound[0].Queued {
			t.Fatalf("a price push went to a stale listing: %+v", ans)
		}
	})
}

// findProductOf finds the numeric id of the product holding a variant with sku in the
// emulator's state dump.
func findProductOf(v any, sku string) string {
	switch x := v.(type) {
	case map[string]any:
		if vs, ok := x["variants"].([]any); ok {
			for _, vv := range vs {
				if m, ok := vv.(map[string]any); ok && m["sku"] == sku {
					if id, ok := x["id"]; ok {
						if f, isNum := id.(float64); isNum {
							return strconv.FormatFloat(f, 'f', -1, 64)
						}
						return gidNum(fmt.Sprint(id))
					}
				}
			}
		}
		for _, vv := range x {
			if id := findProductOf(vv, sku); id != "" {
				return id
			}
		}
	case []any:
		for _, vv := range x {
			if id := findProductOf(vv, sku); id != "" {
				return id
			}
		}
	}
	return ""
}

// waitFor is eventually with a report of the evidence when it times out.
func waitFor(t *testing.T, what string, cond func() bool, report func()) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	report()
	t.Fatalf("timed out waiting for %s", what)
}
