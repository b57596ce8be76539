package shopify

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// TestEveryOperation drives every public operation against one fake that validates each
// captured document with shopifyschema.Validate (see fake.serve), and checks that the
// operations together send every document the connector has.
func TestEveryOperation(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("Shop", shopData(testShop, false))
	f.always("Locations", `{"locations":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}`)
	f.always("Products", productsPage("", product(1, "1.00")))
	f.always("InventoryItems", `{"inventoryItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}`)
	f.always("Orders", ordersPage(orderNodeJSON))
	f.always("LocationsCount", `{"locationsCount":{"count":2,"precision":"EXACT"}}`)
	f.always("VariantsCount", `{"productVariantsCount":{"count":12,"precision":"EXACT"}}`)
	f.always("OrdersCount", `{"ordersCount":{"count":10000,"precision":"AT_LEAST"}}`)
	f.always("Variant", `{"shop":{"currencyCode":"USD"},"productVariant":null}`)
	f.always("Order", `{"order":`+orderNodeJSON+`}`)
	f.always("Stock", `{"inventoryItem":{"id":"gid://shopify/InventoryItem/3001","variant":{"id":"gid://shopify/ProductVariant/2001"},
	  "inventoryLevel":{"id":"gid://shopify/InventoryLevel/1","updatedAt":"2026-12-04T00:00:00Z","location":{"id":"gid://shopify/Location/4001"},"quantities":[{"name":"available","quantity":3}]}}}`)
	f.always("VariantProducts", `{"nodes":[{"id":"gid://shopify/ProductVariant/2001","product":{"id":"gid://shopify/Product/1001"}}]}`)
	f.always("SetQuantities", adjusted)
	f.always("VariantsBulkUpdate", `{"productVariantsBulkUpdate":{"productVariants":[{"id":"gid://shopify/ProductVariant/2001","price":"2.00"}],"userErrors":[]}}`)
	f.always("WebhookSubscriptions", `{"webhookSubscriptions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[
	  {"id":"gid://shopify/WebhookSubscription/1","topic":"ORDERS_CREATE","endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":"https://hub.example/hooks/c1"}},
	  {"id":"gid://shopify/WebhookSubscription/2","topic":"ORDERS_UPDATED","endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":"https://elsewhere.example/"}}]}}`)
	f.always("WebhookCreate", `{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/9","topic":"ORDERS_UPDATED"},"userErrors":[]}}`)

	c, s, ctx := New(), f.session(), context.Background()
	if _, err := c.Test(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, kind := range c.SyncKinds() {
		if _, err := c.ImportPage(ctx, s, connector.ImportRequest{Kind: kind}); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
	}
	if n, err := c.CountRecords(ctx, s, connector.KindVariant); err != nil || n != 12 {
		t.Fatalf("count variants: %d %v", n, err)
	}
	if n, err := c.CountRecords(ctx, s, connector.KindLocation); err != nil || n != 2 {
		t.Fatalf("count locations: %d %v", n, err)
	}
	if _, err := c.CountRecords(ctx, s, connector.KindOrder); connector.ClassOf(err) != concord.ClassValidation {
		t.Fatalf("an AT_LEAST count must be refused: %v", err)
	}
	if _, err := c.CountRecords(ctx, s, connector.KindStock); connector.ClassOf(err) != concord.ClassValidation {
		t.Fatalf("stock cannot be counted: %v", err)
	}
	if _, err := c.FetchRecord(ctx, s, connector.KindVariant, "gid://shopify/ProductVariant/2999"); connector.ClassOf(err) != concord.ClassNotFound {
		t.Fatalf("fetch missing variant: %v", err)
	}
	if r, err := c.FetchRecord(ctx, s, connector.KindOrder, "gid://shopify/Order/5001"); err != nil || r.Fields["total"] != "39.90" {
		t.Fatalf("fetch order: %+v %v", r, err)
	}
	r, err := c.FetchRecord(ctx, s, connector.KindStock, "gid://shopify/InventoryItem/3001|gid://shopify/Location/4001")
	if err != nil || r.Fields["available"] != "3" || r.ParentID != "gid://shopify/ProductVariant/2001" {
		t.Fatalf("fetch stock: %+v %v", r, err)
	}
	// A server without inventoryLevel(locationId:) (the emulator): the levels list instead.
	f.on("Stock", func(map[string]any) answer {
		return answer{Body: `{"errors":[{"message":"Field 'inventoryLevel' doesn't exist on type 'InventoryItem'","extensions":{"code":"undefinedField"}}]}`}
	})
	f.always("StockLevels", `{"inventoryItem":{"id":"gid://shopify/InventoryItem/3001","variant":{"id":"gid://shopify/ProductVariant/2001"},"inventoryLevels":{"pageInfo":{"hasNextPage":false},"nodes":[
	  {"id":"gid://shopify/InventoryLevel/1","updatedAt":"2026-12-04T00:00:00Z","location":{"id":"gid://shopify/Location/4002"},"quantities":[{"name":"available","quantity":8}]},
	  {"id":"gid://shopify/InventoryLevel/2","updatedAt":"2026-12-04T00:00:00Z","location":{"id":"gid://shopify/Location/4001"},"quantities":[{"name":"available","quantity":5}]}]}}}`)
	if r, err := c.FetchRecord(ctx, s, connector.KindStock, "gid://shopify/InventoryItem/3001|gid://shopify/Location/4001"); err != nil || r.Fields["available"] != "5" {
		t.Fatalf("fetch stock from levels: %+v %v", r, err)
	}
	if _, err := c.FetchRecord(ctx, s, connector.KindStock, "gid://shopify/InventoryItem/3001|gid://shopify/Location/4999"); connector.ClassOf(err) != concord.ClassNotFound {
		t.Fatalf("stock at an unknown location: %v", err)
	}
	res, err := c.Export(ctx, s, []connector.FieldChange{
		{Kind: "stock", ExternalID: "gid://shopify/InventoryItem/3001", LocationID: "gid://shopify/Location/4001", Field: "available", Value: "4"},
		{Kind: "variant", ExternalID: "gid://shopify/ProductVariant/2001", Field: "price", Value: "2"},
	})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("export: %v %+v", err, res)
	}
	url := "https://hub.example/hooks/c1"
	sub, err := c.WebhookSubscription(ctx, s, url)
	if err != nil || !sub.Found || len(sub.Events) != 1 || sub.Events[0] != "orders/create" || len(sub.MissingEvents) != 8 {
		t.Fatalf("subscription = %+v, %v", sub, err)
	}
	created, err := c.RegisterWebhooks(ctx, s, url)
	if err != nil || len(created) != 8 || created[0] != "orders/updated" {
		t.Fatalf("created = %v, %v", created, err)
	}
	var topics []string
	for _, cl := range f.seen() {
		if cl.Op == "WebhookCreate" {
			topics = append(topics, cl.Vars["topic"].(string))
			if sub := cl.Vars["subscription"].(map[string]any); sub["callbackUrl"] != url || sub["format"] != "JSON" {
				t.Fatalf("subscription input = %v", sub)
			}
		}
	}
	if strings.Join(topics, ",") != "ORDERS_UPDATED,PRODUCTS_CREATE,PRODUCTS_UPDATE,PRODUCTS_DELETE,INVENTORY_LEVELS_UPDATE,FULFILLMENTS_CREATE,FULFILLMENTS_UPDATE,APP_UNINSTALLED" {
		t.Fatalf("topics = %v", topics)
	}

	// The workflow check's write-back, answered as a shop that records no change for a
	// quantity set to the value it holds: no webhook is expected, the subscriptions are read
	// (here only orders/create points at the hub, so that finding fails).
	f.always("WorkflowSetQuantity", `{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[]}}`)
	env := connector.WorkflowEnv{Reversible: true, WebhookURL: url,
		Mapped: func(context.Context, string, string) (connector.MappedRecord, bool, error) {
			return connector.MappedRecord{ExternalID: "gid://shopify/InventoryItem/3001|gid://shopify/Location/4001", ERPID: "v|w", ERPValue: "5"}, true, nil
		},
		ExpectWebhook: func(string, func([]byte) bool) func(context.Context) (bool, error) {
			return func(context.Context) (bool, error) {
				t.Error("waited for a webhook no write caused")
				return false, nil
			}
		}}
	wf, err := c.CheckWorkflow(ctx, s, env)
	if err != nil || len(wf) != 3 || wf[1].Status != "ok" || !wf[1].Reversible ||
		!strings.Contains(wf[1].Finding, "Shopify recorded no change, so no webhook is expected") || wf[2].Check != "webhooks" || wf[2].Status != "fail" {
		t.Fatalf("workflow check with no change recorded: %+v %v", wf, err)
	}
	for _, cl := range f.seen() {
		if cl.Op == "WorkflowSetQuantity" {
			in := cl.Vars["input"].(map[string]any)
			q := in["quantities"].([]any)[0].(map[string]any)
			if in["name"] != "available" || in["reason"] != "correction" || in["ignoreCompareQuantity"] != nil ||
				!strings.HasPrefix(in["referenceDocumentUri"].(string), "concord://workflow-check/") ||
				q["quantity"] != 5.0 || q["compareQuantity"] != 5.0 {
				t.Fatalf("write-back input = %v", in)
			}
		}
	}

	sent := map[string]bool{}
	for _, cl := range f.seen() {
		sent[cl.Op] = true
		if cl.Token != testToken {
			t.Errorf("%s sent without the token", cl.Op)
		}
	}
	var missing []string
	for name := range documents {
		if !sent[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("documents never sent (so never validated on the wire): %v", missing)
	}
	if len(c.RequiredEvents()) != 9 {
		t.Fatalf("required events = %v", c.RequiredEvents())
	}
}
