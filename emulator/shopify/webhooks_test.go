package shopifyemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is a webhook endpoint that records what arrives.
type receiver struct {
	mu  sync.Mutex
	got []received
	srv *httptest.Server
}

type received struct {
	h    http.Header
	body []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), b})
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// wait returns the first delivery of topic, failing after 5 s.
func (r *receiver) wait(t *testing.T, topic string) (http.Header, map[string]any) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		for _, g := range r.got {
			if g.h.Get("X-Shopify-Topic") == topic {
				r.mu.Unlock()
				var m map[string]any
				if err := json.Unmarshal(g.body, &m); err != nil {
					t.Fatal(err)
				}
				g.h.Set("X-Raw-Body", string(g.body))
				return g.h, m
			}
		}
		r.mu.Unlock()
	}
	t.Fatalf("no %s delivery", topic)
	return nil, nil
}

func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	rcv := newReceiver(t)
	for _, topic := range []string{"PRODUCTS_UPDATE", "INVENTORY_LEVELS_UPDATE", "ORDERS_UPDATED", "PRODUCTS_DELETE", "APP_UNINSTALLED"} {
		b.gql(t, mHookCreate, map[string]any{"topic": topic, "url": rcv.srv.URL + "/hooks"})
	}
	b.gql(t, mBulk, map[string]any{"productId": "gid://shopify/Product/1001",
		"variants": []any{map[string]any{"id": "gid://shopify/ProductVariant/2001", "price": "19.99"}}})
	b.gql(t, mSetQty, setInput("gid://shopify/InventoryItem/3001", "gid://shopify/Location/4001", 7))
	if resp, body := b.post(t, "/_emulator/records/fulfillments", "", map[string]any{"order_id": 5002,
		"tracking_number": "TRK1", "tracking_company": "DHL", "status": "success"}); resp.StatusCode != 200 {
		t.Fatalf("fulfillment: %s", body)
	}
	req, _ := http.NewRequest(http.MethodDelete, b.srv.URL+"/_emulator/records/products/1002", nil)
	if resp, err := b.srv.Client().Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("delete: %v %v", resp, err)
	}

	check := func(topic string) map[string]any {
		h, body := rcv.wait(t, topic)
		mac := hmac.New(sha256.New, []byte(b.creds.ClientSecret))
		mac.Write([]byte(h.Get("X-Raw-Body")))
		if h.Get("X-Shopify-Hmac-Sha256") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Fatalf("%s: bad HMAC", topic)
		}
		if h.Get("X-Shopify-Shop-Domain") != "demo.myshopify.com" || h.Get("X-Shopify-API-Version") != "2025-01" ||
			h.Get("X-Shopify-Webhook-Id") == "" || h.Get("X-Shopify-Event-Id") == "" {
			t.Fatalf("%s headers: %v", topic, h)
		}
		if _, err := time.Parse(time.RFC3339, h.Get("X-Shopify-Triggered-At")); err != nil {
			t.Fatalf("%s triggered-at: %v", topic, err)
		}
		return body
	}
	p := check("products/update")
	if p["id"] != 1001.0 || p["admin_graphql_api_id"] != "gid://shopify/Product/1001" ||
		dig(p, "variants", 0, "price") != "19.99" || dig(p, "variants", 0, "inventory_item_id") != 3001.0 {
		t.Fatalf("products/update = %v", p)
	}
	l := check("inventory_levels/update")
	if l["inventory_item_id"] != 3001.0 || l["location_id"] != 4001.0 || l["available"] != 7.0 || l["admin_graphql_api_id"] == nil {
		t.Fatalf("inventory_levels/update = %v", l)
	}
	o := check("orders/updated")
	if o["id"] != 5002.0 || o["name"] != "#1002" || o["fulfillment_status"] != "fulfilled" || o["financial_status"] != "paid" ||
		dig(o, "line_items", 0, "variant_id") == nil || o["total_price"] == nil {
		t.Fatalf("orders/updated = %v", o)
	}
	if d := check("products/delete"); d["id"] != 1002.0 || len(d) != 1 {
		t.Fatalf("products/delete = %v", d)
	}
	// The deleted product's variants are gone from GraphQL too.
	if v := b.gql(t, qVariant, map[string]any{"id": "gid://shopify/ProductVariant/2003"}); v["productVariant"] != nil {
		t.Fatalf("variant of deleted product = %v", v)
	}
	b.fault(t, FaultRevokeToken, 1)
	b.shopStatus(t, b.creds.AccessToken)
	if u := check("app/uninstalled"); u["domain"] != "demo.myshopify.com" || u["id"] == nil {
		t.Fatalf("app/uninstalled = %v", u)
	}
	resp, body := b.post(t, "/_emulator/reset", "", nil)
	if resp.StatusCode != 200 {
		t.Fatal(string(body))
	}
}

func TestDeliveryRetries(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls < 3 {
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(srv.Close)
	b := setup(t, Options{WebhookBackoff: 10 * time.Millisecond})
	b.gql(t, mHookCreate, map[string]any{"topic": "PRODUCTS_UPDATE", "url": srv.URL})
	b.post(t, "/_emulator/records/products", "", map[string]any{"id": 1001, "title": "New"})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ds := b.e.Deliveries(); len(ds) == 1 && ds[0].Status == "succeeded" && ds[0].Attempts == 3 {
			return
		}
	}
	t.Fatalf("deliveries = %+v", b.e.Deliveries())
}
