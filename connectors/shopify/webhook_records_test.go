package shopify

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func TestRecordsFromWebhook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		topic, body, want string
	}{
		{"products/update",
			`{"id":1001,"admin_graphql_api_id":"gid://shopify/Product/1001","title":"Shirt","status":"active","updated_at":"2026-12-02T10:00:00-05:00",
			  "variants":[{"id":2001,"admin_graphql_api_id":"gid://shopify/ProductVariant/2001","sku":"A","title":"Red","price":"19.9","inventory_item_id":3001,"updated_at":"2026-12-02T10:00:00-05:00"},
			  {"id":2002,"sku":null,"title":"Blue","price":"20","inventory_item_id":3002,"updated_at":"2026-12-02T10:00:00Z"}]}`,
			`[{"kind":"variant","external_id":"gid://shopify/ProductVariant/2001","parent_id":"gid://shopify/Product/1001","updated_at":"2026-12-02T15:00:00Z","fields":{"inventory_item_id":"gid://shopify/InventoryItem/3001","price":"19.90","product_id":"gid://shopify/Product/1001","product_title":"Shirt","sku":"A","status":"active","title":"Red"}},` +
				`{"kind":"variant","external_id":"gid://shopify/ProductVariant/2002","parent_id":"gid://shopify/Product/1001","updated_at":"2026-12-02T10:00:00Z","fields":{"inventory_item_id":"gid://shopify/InventoryItem/3002","price":"20.00","product_id":"gid://shopify/Product/1001","product_title":"Shirt","sku":"","status":"active","title":"Blue"}}]`},
		{"products/create", `{"id":1005,"title":"New","status":"draft","updated_at":"2026-12-02T10:00:00Z","variants":[]}`, `[]`},
		{"products/delete", `{"id":1001}`,
			`[{"kind":"variant","external_id":"","parent_id":"gid://shopify/Product/1001","updated_at":"0001-01-01T00:00:00Z","deleted":true,"fields":{"product_id":"gid://shopify/Product/1001"}}]`},
		{"inventory_levels/update", `{"inventory_item_id":3001,"location_id":4001,"available":7,"updated_at":"2026-12-04T00:00:00Z","admin_graphql_api_id":"gid://shopify/InventoryLevel/1"}`,
			`[{"kind":"stock","external_id":"gid://shopify/InventoryItem/3001|gid://shopify/Location/4001","updated_at":"2026-12-04T00:00:00Z","fields":{"available":"7","inventory_item_id":"gid://shopify/InventoryItem/3001","location_id":"gid://shopify/Location/4001"}}]`},
		{"orders/updated",
			`{"id":820982911946154508,"name":"#1001","email":"jon@example.com","financial_status":"paid","fulfillment_status":"partial","cancelled_at":null,
			  "updated_at":"2026-12-03T09:00:00Z","total_price":"39.9","currency":"USD",
			  "line_items":[{"id":12,"sku":"B","quantity":1,"price":"10.0","variant_id":null},{"id":9,"sku":"A","quantity":2,"price":"14.95","variant_id":2001}],
			  "fulfillments":[{"id":6001,"status":"success","tracking_number":"1Z999","tracking_company":"UPS","updated_at":"2026-12-03T10:00:00Z"}]}`,
			`[{"kind":"order","external_id":"gid://shopify/Order/820982911946154508","updated_at":"2026-12-03T09:00:00Z","fields":{"cancelled":"false","currency":"USD","email":"jon@example.com","financial_status":"paid","fulfillment_status":"partially_fulfilled",` +
				`"lines":"[{\"sku\":\"A\",\"variant_id\":\"gid://shopify/ProductVariant/2001\",\"quantity\":2,\"price\":\"14.95\"},{\"sku\":\"B\",\"variant_id\":\"\",\"quantity\":1,\"price\":\"10.00\"}]","number":"#1001","total":"39.90"}},` +
				`{"kind":"fulfillment","external_id":"gid://shopify/Fulfillment/6001","parent_id":"gid://shopify/Order/820982911946154508","updated_at":"2026-12-03T10:00:00Z","fields":{"order_id":"gid://shopify/Order/820982911946154508","status":"success","tracking_company":"UPS","tracking_number":"1Z999"}}]`},
		{"orders/create", `{"id":5002,"name":"#1002","email":null,"financial_status":"pending","fulfillment_status":null,"cancelled_at":"2026-12-03T09:00:00Z","updated_at":"2026-12-03T09:00:00Z","total_price":"0.00","currency":"EUR","line_items":[]}`,
			`[{"kind":"order","external_id":"gid://shopify/Order/5002","updated_at":"2026-12-03T09:00:00Z","fields":{"cancelled":"true","currency":"EUR","email":"","financial_status":"pending","fulfillment_status":"unfulfilled","lines":"[]","number":"#1002","total":"0.00"}}]`},
		{"fulfillments/create", `{"id":6002,"order_id":5001,"status":"success","tracking_number":null,"tracking_company":null,"updated_at":"2026-12-03T10:00:00Z"}`,
			`[{"kind":"fulfillment","external_id":"gid://shopify/Fulfillment/6002","parent_id":"gid://shopify/Order/5001","updated_at":"2026-12-03T10:00:00Z","fields":{"order_id":"gid://shopify/Order/5001","status":"success","tracking_company":"","tracking_number":""}}]`},
		{"fulfillments/update", `{"id":6002,"order_id":5001,"status":"cancelled","tracking_number":"X1","tracking_company":"DHL","updated_at":"2026-12-03T11:00:00Z"}`,
			`[{"kind":"fulfillment","external_id":"gid://shopify/Fulfillment/6002","parent_id":"gid://shopify/Order/5001","updated_at":"2026-12-03T11:00:00Z","fields":{"order_id":"gid://shopify/Order/5001","status":"cancelled","tracking_company":"DHL","tracking_number":"X1"}}]`},
		{"shop/update", `{"id":1}`, `null`},
	} {
		t.Run(tc.topic, func(t *testing.T) {
			t.Parallel()
			recs, err := New().RecordsFromWebhook(connector.WebhookEvent{Type: tc.topic, Payload: json.RawMessage(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			if got := asJSON(recs); got != tc.want {
				t.Fatalf("records\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRecordsFromWebhookRefusals(t *testing.T) {
	t.Parallel()
	_, err := New().RecordsFromWebhook(connector.WebhookEvent{Type: "app/uninstalled", Payload: json.RawMessage(`{"id":1,"domain":"demo.myshopify.com"}`)})
	var ee *connector.ExternalError
	if !errors.As(err, &ee) || ee.Class != concord.ClassRevoked || ee.Message != "the app was uninstalled from the shop" {
		t.Fatalf("app/uninstalled: %v", err)
	}
	for _, tc := range []struct{ topic, body string }{
		{"products/update", `{"id":"1001"}`},
		{"products/update", `{"id":1001,"variants":[{"id":2001,"price":19.9}]}`},
		{"inventory_levels/update", `{"inventory_item_id":3001,"location_id":4001,"available":null}`},
		{"orders/create", `{"id":5001,"total_price":"abc"}`},
		{"fulfillments/create", `{"id":6001,"status":"success"}`},
		{"products/delete", `{}`},
	} {
		_, err := New().RecordsFromWebhook(connector.WebhookEvent{Type: tc.topic, Payload: json.RawMessage(tc.body)})
		if connector.ClassOf(err) != concord.ClassValidation {
			t.Errorf("%s %s: err = %v, want validation", tc.topic, tc.body, err)
		}
	}
}
