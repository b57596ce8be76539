package shopifyemu

import (
	"testing"
)

const (
	mSetQty = `mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { code field message } } }`
	mBulk = `mutation Bulk($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price } userErrors { field message } } }`
	mHookCreate = `mutation Hook($topic: WebhookSubscriptionTopic!, $url: URL!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {callbackUrl: $url, format: JSON}) {
    webhookSubscription { id topic } userErrors { field message } } }`
	mHookDelete = `mutation Del($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }`
)

func setInput(item, loc string, qty int64) map[string]any {
	return map[string]any{"input": map[string]any{"name": "available", "reason": "correction", "ignoreCompareQuantity": true,
		"quantities": []any{map[string]any{"inventoryItemId": item, "locationId": loc, "quantity": qty}}}}
}

func TestInventorySetQuantities(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	a := b.gqlRaw(t, mSetQty, setInput("gid://shopify/InventoryItem/3001", "gid://shopify/Location/4001", 7))
	if len(a.Errors) > 0 || a.Extensions.Cost.Requested != 10 {
		t.Fatalf("answer = %+v", a)
	}
	ch := dig(a.Data, "inventorySetQuantities", "inventoryAdjustmentGroup", "changes", 0)
	if dig(ch, "name") != "available" || dig(ch, "delta") != -3.0 || dig(ch, "quantityAfterChange") != 7.0 ||
		len(dig(a.Data, "inventorySetQuantities", "userErrors").([]any)) != 0 {
		t.Fatalf("changes = %v", a.Data)
	}
	items := b.gql(t, qItems, map[string]any{"first": 1})
	if dig(items, "inventoryItems", "nodes", 0, "inventoryLevels", "nodes", 0, "quantities", 0, "quantity") != 7.0 {
		t.Fatalf("stock not set: %v", items)
	}
	for _, tc := range []struct {
		item, loc string
		qty       int64
		code      string
	}{
		{"gid://shopify/InventoryItem/99999", "gid://shopify/Location/4001", 1, "INVALID_INVENTORY_ITEM"},
		{"gid://shopify/InventoryItem/3001", "gid://shopify/Location/99999", 1, "INVALID_LOCATION"},
		{"gid://shopify/InventoryItem/3001", "gid://shopify/Location/4001", 2_000_000_000, "INVALID_QUANTITY_TOO_HIGH"},
	} {
		d := b.gql(t, mSetQty, setInput(tc.item, tc.loc, tc.qty))
		ue := dig(d, "inventorySetQuantities", "userErrors", 0)
		if dig(ue, "code") != tc.code || dig(ue, "field", 0) != "input" || dig(d, "inventorySetQuantities", "inventoryAdjustmentGroup") != nil {
			t.Fatalf("%s: %v", tc.code, d)
		}
	}
}

func TestProductVariantsBulkUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	before := b.gql(t, qVariant, map[string]any{"id": "gid://shopify/ProductVariant/2001"})
	d := b.gql(t, mBulk, map[string]any{"productId": "gid://shopify/Product/1001",
		"variants": []any{map[string]any{"id": "gid://shopify/ProductVariant/2001", "price": "19.99"}}})
	if dig(d, "productVariantsBulkUpdate", "productVariants", 0, "price") != "19.99" {
		t.Fatalf("bulk = %v", d)
	}
	after := b.gql(t, qVariant, map[string]any{"id": "gid://shopify/ProductVariant/2001"})
	if dig(after, "productVariant", "price") != "19.99" ||
		dig(after, "productVariant", "updatedAt") == dig(before, "productVariant", "updatedAt") {
		t.Fatalf("variant after = %v (before %v)", after, before)
	}
	d = b.gql(t, mBulk, map[string]any{"productId": "gid://shopify/Product/1001",
		"variants": []any{map[string]any{"id": "gid://shopify/ProductVariant/2003", "price": "1.00"}}})
	if dig(d, "productVariantsBulkUpdate", "userErrors", 0, "field", 0) != "variants" ||
		dig(d, "productVariantsBulkUpdate", "productVariants") != nil {
		t.Fatalf("other product's variant = %v", d)
	}
}

func TestWebhookSubscriptions(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	d := b.gql(t, mHookCreate, map[string]any{"topic": "ORDERS_CREATE", "url": "https://hub.example/hooks/1"})
	id := dig(d, "webhookSubscriptionCreate", "webhookSubscription", "id")
	if id == nil || dig(d, "webhookSubscriptionCreate", "webhookSubscription", "topic") != "ORDERS_CREATE" {
		t.Fatalf("create = %v", d)
	}
	d = b.gql(t, mHookCreate, map[string]any{"topic": "ORDERS_CREATE", "url": "https://hub.example/hooks/1"})
	if dig(d, "webhookSubscriptionCreate", "userErrors", 0, "message") != "Address for this topic has already been taken" {
		t.Fatalf("duplicate = %v", d)
	}
	l := b.gql(t, qHooks, nil)
	ep := dig(l, "webhookSubscriptions", "nodes", 0, "endpoint")
	if dig(ep, "__typename") != "WebhookHttpEndpoint" || dig(ep, "callbackUrl") != "https://hub.example/hooks/1" {
		t.Fatalf("list = %v", l)
	}
	d = b.gql(t, mHookDelete, map[string]any{"id": id})
	if dig(d, "webhookSubscriptionDelete", "deletedWebhookSubscriptionId") != id {
		t.Fatalf("delete = %v", d)
	}
	d = b.gql(t, mHookDelete, map[string]any{"id": id})
	if dig(d, "webhookSubscriptionDelete", "userErrors", 0, "field", 0) != "id" {
		t.Fatalf("second delete = %v", d)
	}
}
