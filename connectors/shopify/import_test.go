package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func product(n int, price string) string {
	return fmt.Sprintf(`{"id":"gid://shopify/Product/%d","title":"Shirt %d","status":"ACTIVE","updatedAt":"2026-12-02T10:00:0%dZ",
	  "variants":{"pageInfo":{"hasNextPage":false},"nodes":[{"id":"gid://shopify/ProductVariant/%d","sku":"SKU-%d","title":"Red / L",
	  "price":%q,"updatedAt":"2026-12-02T10:00:0%dZ","inventoryItem":{"id":"gid://shopify/InventoryItem/%d"}}]}}`, 1000+n, n, n, 2000+n, n, price, n, 3000+n)
}

func productsPage(next string, products ...string) string {
	pi := `{"hasNextPage":false,"endCursor":null}`
	if next != "" {
		pi = `{"hasNextPage":true,"endCursor":"` + next + `"}`
	}
	return `{"shop":{"currencyCode":"EUR"},"products":{"pageInfo":` + pi + `,"nodes":[` + strings.Join(products, ",") + `]}}`
}

// TestImportVariantsPages reads three pages, passing each cursor back and filtering by
// the since time, and normalizes prices and titles.
func TestImportVariantsPages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	pages := map[string]string{
		"":   productsPage("c1", product(1, "19.99"), product(2, "19.9")),
		"c1": productsPage("c2", product(3, "20")),
		"c2": productsPage("", product(4, "0.5")),
	}
	f.on("Products", func(v map[string]any) answer {
		after, _ := v["after"].(string)
		return ok(pages[after])
	})
	c, s := New(), f.session()
	since := time.Date(2026, 12, 1, 0, 0, 0, 500, time.UTC)
	var got []connector.SyncRecord
	cursor := ""
	for i := 0; ; i++ {
		page, err := c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: connector.KindVariant, Since: since, Cursor: cursor, PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Records...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
		if i > 5 {
			t.Fatal("paging does not end")
		}
	}
	calls := f.seen()
	if len(calls) != 3 || len(got) != 4 {
		t.Fatalf("calls %d, records %d", len(calls), len(got))
	}
	for _, cl := range calls {
		if cl.Vars["query"] != "updated_at:>'2026-12-01T00:00:00Z'" {
			t.Errorf("query filter = %v", cl.Vars["query"])
		}
		if first := cl.Vars["first"].(float64); first < 1 || first > 250 {
			t.Errorf("first = %v", first)
		}
	}
	if calls[1].Vars["after"] != "c1" || calls[2].Vars["after"] != "c2" {
		t.Errorf("cursors = %v, %v", calls[1].Vars["after"], calls[2].Vars["after"])
	}
	want := connector.SyncRecord{Kind: "variant", ExternalID: "gid://shopify/ProductVariant/2002", ParentID: "gid://shopify/Product/1002",
		UpdatedAt: time.Date(2026, 12, 2, 10, 0, 2, 0, time.UTC),
		Fields: map[string]string{"sku": "SKU-2", "title": "Red / L", "product_id": "gid://shopify/Product/1002", "product_title": "Shirt 2",
			"price": "19.90", "currency": "EUR", "inventory_item_id": "gid://shopify/InventoryItem/3002", "status": "active"}}
	if a, b := asJSON(got[1]), asJSON(want); a != b {
		t.Errorf("record\n got %s\nwant %s", a, b)
	}
	for i, p := range []string{"19.99", "19.90", "20.00", "0.50"} {
		if got[i].Fields["price"] != p {
			t.Errorf("price %d = %s, want %s", i, got[i].Fields["price"], p)
		}
	}
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

const orderNodeJSON = `{"id":"gid://shopify/Order/5001","name":"#1001","email":"jon@example.com","updatedAt":"2026-12-03T09:00:00Z",
  "cancelledAt":null,"displayFinancialStatus":"PAID","displayFulfillmentStatus":"PARTIALLY_FULFILLED",
  "totalPriceSet":{"shopMoney":{"amount":"39.9","currencyCode":"USD"}},
  "lineItems":{"pageInfo":{"hasNextPage":false},"nodes":[
    {"id":"gid://shopify/LineItem/12","sku":"B","quantity":1,"variant":null,"originalUnitPriceSet":{"shopMoney":{"amount":"10.0","currencyCode":"USD"}}},
    {"id":"gid://shopify/LineItem/9","sku":"A","quantity":2,"variant":{"id":"gid://shopify/ProductVariant/2001"},"originalUnitPriceSet":{"shopMoney":{"amount":"14.95","currencyCode":"USD"}}}]},
  "fulfillments":[{"id":"gid://shopify/Fulfillment/6001","status":"SUCCESS","updatedAt":"2026-12-03T10:00:00Z","trackingInfo":[{"number":"1Z999","company":"UPS"}]}]}`

func ordersPage(nodes ...string) string {
	return `{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}`
}

func TestImportOrdersAndFulfillments(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("Orders", ordersPage(orderNodeJSON))
	c, s := New(), f.session()
	page, err := c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: connector.KindOrder})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 {
		t.Fatalf("records = %+v", page.Records)
	}
	o := page.Records[0].Fields
	wantLines := `[{"sku":"A","variant_id":"gid://shopify/ProductVariant/2001","quantity":2,"price":"14.95"},{"sku":"B","variant_id":"","quantity":1,"price":"10.00"}]`
	if o["lines"] != wantLines || o["total"] != "39.90" || o["financial_status"] != "paid" ||
		o["fulfillment_status"] != "partially_fulfilled" || o["cancelled"] != "false" || o["number"] != "#1001" || o["currency"] != "USD" {
		t.Fatalf("order fields = %v", o)
	}
	if _, has := f.seen()[0].Vars["query"]; has {
		t.Error("a zero Since must not filter")
	}
	page, err = c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: connector.KindFulfillment})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"kind":"fulfillment","external_id":"gid://shopify/Fulfillment/6001","parent_id":"gid://shopify/Order/5001","updated_at":"2026-12-03T10:00:00Z","fields":{"order_id":"gid://shopify/Order/5001","status":"success","tracking_company":"UPS","tracking_number":"1Z999"}}]`
	if got := asJSON(page.Records); got != want {
		t.Fatalf("fulfillments\n got %s\nwant %s", got, want)
	}
}

func TestImportStockAndLocations(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("InventoryItems", `{"inventoryItems":{"pageInfo":{"hasNextPage":true,"endCursor":"i1"},"nodes":[{"id":"gid://shopify/InventoryItem/3001","sku":"A","updatedAt":"2026-12-01T00:00:00Z",
	  "variant":{"id":"gid://shopify/ProductVariant/2001"},"inventoryLevels":{"pageInfo":{"hasNextPage":false},"nodes":[
	  {"id":"gid://shopify/InventoryLevel/1?inventory_item_id=3001","updatedAt":"2026-12-04T00:00:00Z","location":{"id":"gid://shopify/Location/4001"},"quantities":[{"name":"available","quantity":7}]}]}}]}}`)
	f.always("Locations", `{"locations":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"gid://shopify/Location/4001","name":"Main","isActive":true}]}}`)
	c, s := New(), f.session()
	page, err := c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: connector.KindStock, Since: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Records":[{"kind":"stock","external_id":"gid://shopify/InventoryItem/3001|gid://shopify/Location/4001","parent_id":"gid://shopify/ProductVariant/2001","updated_at":"2026-12-04T00:00:00Z","fields":{"available":"7","inventory_item_id":"gid://shopify/InventoryItem/3001","location_id":"gid://shopify/Location/4001","variant_id":"gid://shopify/ProductVariant/2001"}}],"NextCursor":"i1"}`
	if got := asJSON(page); got != want {
		t.Fatalf("stock\n got %s\nwant %s", got, want)
	}
	page, err = c.ImportPage(context.Background(), s, connector.ImportRequest{Kind: connector.KindLocation})
	if err != nil || len(page.Records) != 1 || page.Records[0].Fields["active"] != "true" || page.Records[0].Fields["name"] != "Main" {
		t.Fatalf("locations = %+v, %v", page, err)
	}
}

// TestImportMalformedPages: an answer that is not what the wire subset says is refused
// whole, as validation naming what is wrong.
func TestImportMalformedPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, kind, op, data, want string }{
		{"no pageInfo", "variant", "Products", `{"shop":{"currencyCode":"USD"},"products":{"nodes":[]}}`, "no pageInfo"},
		{"no cursor", "variant", "Products", `{"shop":{"currencyCode":"USD"},"products":{"pageInfo":{"hasNextPage":true},"nodes":[]}}`, "endCursor"},
		{"node without id", "variant", "Products", productsPage("", strings.Replace(product(1, "1.00"), `"id":"gid://shopify/ProductVariant/2001",`, ``, 1)), "variant without id"},
		{"price as number", "variant", "Products", productsPage("", strings.Replace(product(1, "1.00"), `"price":"1.00"`, `"price":1`, 1)), "price"},
		{"price not decimal", "variant", "Products", productsPage("", product(1, "1,00")), "not a decimal"},
		{"wrong gid type", "location", "Locations", `{"locations":{"pageInfo":{"hasNextPage":false},"nodes":[{"id":"gid://shopify/Order/1","name":"x","isActive":true}]}}`, "not a Location GID"},
		{"no nodes", "location", "Locations", `{"locations":{"pageInfo":{"hasNextPage":false}}}`, "no nodes"},
		{"quantity as string", "stock", "InventoryItems", `{"inventoryItems":{"pageInfo":{"hasNextPage":false},"nodes":[{"id":"gid://shopify/InventoryItem/1","variant":{"id":"gid://shopify/ProductVariant/1"},"inventoryLevels":{"nodes":[{"id":"x","updatedAt":"2026-12-04T00:00:00Z","location":{"id":"gid://shopify/Location/1"},"quantities":[{"name":"available","quantity":"7"}]}]}}]}}`, "quantity"},
		{"order without lines", "order", "Orders", ordersPage(`{"id":"gid://shopify/Order/1","name":"#1","updatedAt":"2026-12-03T09:00:00Z","totalPriceSet":{"shopMoney":{"amount":"1.00","currencyCode":"USD"}},"fulfillments":[]}`), "lineItems"},
		{"more variants than a page", "variant", "Products", productsPage("", strings.Replace(product(1, "1.00"), `"hasNextPage":false`, `"hasNextPage":true`, 1)), "more entries"},
		{"products missing", "variant", "Products", `{"shop":{"currencyCode":"USD"}}`, "products is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.always(tc.op, tc.data)
			page, err := New().ImportPage(context.Background(), f.session(), connector.ImportRequest{Kind: tc.kind})
			var ee *connector.ExternalError
			if !errors.As(err, &ee) || ee.Class != concord.ClassValidation || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want validation mentioning %q", err, tc.want)
			}
			if len(page.Records) != 0 {
				t.Fatal("a partial page came back")
			}
		})
	}
}
