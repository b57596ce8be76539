package shopifyemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"
)

// compareInput sets item at loc to qty only if it still holds cmp.
func compareInput(item, loc string, qty, cmp int64) map[string]any {
	return map[string]any{"input": map[string]any{"name": "available", "reason": "correction",
		"referenceDocumentUri": "concord://workflow-check/test",
		"quantities":           []any{map[string]any{"inventoryItemId": item, "locationId": loc, "quantity": qty, "compareQuantity": cmp}}}}
}

// TestSetQuantitiesCompareAndSameValue: compareQuantity is required unless ignored, a stale
// one changes nothing and fires nothing, and a quantity set to the value it holds is a
// write that fires a signed inventory_levels/update.
func TestSetQuantitiesCompareAndSameValue(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	rcv := newReceiver(t)
	b.gql(t, mHookCreate, map[string]any{"topic": "INVENTORY_LEVELS_UPDATE", "url": rcv.srv.URL + "/hooks"})
	const item, loc = "gid://shopify/InventoryItem/3001", "gid://shopify/Location/4001"
	level := func() any {
		items := b.gql(t, qItems, map[string]any{"first": 1})
		return dig(items, "inventoryItems", "nodes", 0, "inventoryLevels", "nodes", 0, "quantities", 0, "quantity")
	}
	now := level().(float64)

	// No compareQuantity and no ignoreCompareQuantity: refused.
	in := compareInput(item, loc, int64(now), 0)
	delete(in["input"].(map[string]any)["quantities"].([]any)[0].(map[string]any), "compareQuantity")
	d := b.gql(t, mSetQty, in)
	if dig(d, "inventorySetQuantities", "userErrors", 0, "code") != "COMPARE_QUANTITY_REQUIRED" {
		t.Fatalf("no compareQuantity: %v", d)
	}
	// A stale compareQuantity: refused, nothing set, no webhook.
	d = b.gql(t, mSetQty, compareInput(item, loc, 99, int64(now)+1))
	if dig(d, "inventorySetQuantities", "userErrors", 0, "code") != "COMPARE_QUANTITY_STALE" ||
		dig(d, "inventorySetQuantities", "inventoryAdjustmentGroup") != nil || level() != now {
		t.Fatalf("stale compareQuantity: %v (level %v)", d, level())
	}
	time.Sleep(200 * time.Millisecond)
	rcv.mu.Lock()
	n := len(rcv.got)
	rcv.mu.Unlock()
	if n != 0 {
		t.Fatalf("a refused set fired %d webhook(s)", n)
	}
	// The same value back, compared: an adjustment of delta 0 and a webhook.
	d = b.gql(t, mSetQty, compareInput(item, loc, int64(now), int64(now)))
	if dig(d, "inventorySetQuantities", "inventoryAdjustmentGroup", "changes", 0, "delta") != 0.0 || level() != now {
		t.Fatalf("same value: %v", d)
	}
	h, body := rcv.wait(t, "inventory_levels/update")
	mac := hmac.New(sha256.New, []byte(b.creds.ClientSecret))
	mac.Write([]byte(h.Get("X-Raw-Body")))
	if h.Get("X-Shopify-Hmac-Sha256") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) ||
		body["inventory_item_id"] != 3001.0 || body["location_id"] != 4001.0 || body["available"] != now {
		t.Fatalf("same-value webhook: %v %v", h, body)
	}
}
