package shopify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func stockChanges(n int) []connector.FieldChange {
	out := make([]connector.FieldChange, n)
	for i := range out {
		out[i] = connector.FieldChange{Kind: connector.KindStock, ExternalID: fmt.Sprintf("gid://shopify/InventoryItem/%d", 3000+i),
			LocationID: "gid://shopify/Location/4001", Field: "available", Value: fmt.Sprint(i)}
	}
	return out
}

const adjusted = `{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1","reason":"correction","changes":[]},"userErrors":[]}}`

func TestExportStockBatches(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("SetQuantities", adjusted)
	res, err := New().Export(context.Background(), f.session(), stockChanges(300))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.Change.Value != fmt.Sprint(i) {
			t.Fatalf("result %d = %+v", i, r)
		}
	}
	calls := f.seen()
	if len(calls) != 2 {
		t.Fatalf("calls = %d, want 2", len(calls))
	}
	in := calls[0].Vars["input"].(map[string]any)
	if n := len(in["quantities"].([]any)); n != 250 || in["name"] != "available" || in["reason"] != "correction" || in["ignoreCompareQuantity"] != true {
		t.Fatalf("first call input: %d quantities, %v", n, in["name"])
	}
	q := in["quantities"].([]any)[7].(map[string]any)
	if q["inventoryItemId"] != "gid://shopify/InventoryItem/3007" || q["locationId"] != "gid://shopify/Location/4001" || q["quantity"] != 7.0 {
		t.Fatalf("quantity 7 = %v", q)
	}
	if n := len(calls[1].Vars["input"].(map[string]any)["quantities"].([]any)); n != 50 {
		t.Fatalf("second call has %d quantities", n)
	}
}

// TestExportStockUserErrors: a refused entry gets its own error; the call applied nothing,
// so the others are sent again without it.
func TestExportStockUserErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("SetQuantities", func(v map[string]any) answer {
		qs := v["input"].(map[string]any)["quantities"].([]any)
		for n, q := range qs {
			if q.(map[string]any)["inventoryItemId"] == "gid://shopify/InventoryItem/3001" {
				return ok(fmt.Sprintf(`{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[
				  {"code":"INVALID_INVENTORY_ITEM","field":["input","quantities","%d","inventoryItemId"],"message":"The specified inventory item could not be found."}]}}`, n))
			}
		}
		return ok(adjusted)
	})
	changes := stockChanges(3)
	changes[2].ExternalID = "gid://shopify/InventoryItem/3002|gid://shopify/Location/4001" // a stock record id
	changes[2].LocationID = ""
	res, err := New().Export(context.Background(), f.session(), changes)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[2].Err != nil || connector.ClassOf(res[1].Err) != concord.ClassNotFound ||
		!strings.Contains(res[1].Err.Error(), "could not be found") {
		t.Fatalf("results = %v / %v / %v", res[0].Err, res[1].Err, res[2].Err)
	}
	if calls := f.seen(); len(calls) != 2 || len(calls[1].Vars["input"].(map[string]any)["quantities"].([]any)) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestExportRefusesAbsurdValuesWithoutACall(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	stock := func(v string) connector.FieldChange {
		return connector.FieldChange{Kind: "stock", ExternalID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/1", Field: "available", Value: v}
	}
	price := func(v string) connector.FieldChange {
		return connector.FieldChange{Kind: "variant", ExternalID: "gid://shopify/ProductVariant/1", Field: "price", Value: v}
	}
	changes := []connector.FieldChange{stock("-1"), stock("1000000001"), stock("7.5"), stock("lots"),
		price("-1.00"), price("1,00"), price("abc"), price(""),
		{Kind: "variant", ExternalID: "gid://shopify/ProductVariant/1", Field: "sku", Value: "X"},
		{Kind: "stock", ExternalID: "gid://shopify/InventoryItem/1", Field: "available", Value: "1"}, // no location
		{Kind: "variant", ExternalID: "2001", Field: "price", Value: "1.00"},                         // not a GID
	}
	res, err := New().Export(context.Background(), f.session(), changes)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if connector.ClassOf(r.Err) != concord.ClassValidation {
			t.Errorf("change %d (%s=%q): err = %v", i, r.Change.Field, r.Change.Value, r.Err)
		}
	}
	if len(f.seen()) != 0 {
		t.Fatalf("%d calls made for refused values", len(f.seen()))
	}
}

func TestExportPricesPerProduct(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("VariantProducts", `{"nodes":[
	  {"id":"gid://shopify/ProductVariant/2001","product":{"id":"gid://shopify/Product/1001"}},
	  {"id":"gid://shopify/ProductVariant/2002","product":{"id":"gid://shopify/Product/1001"}},
	  {"id":"gid://shopify/ProductVariant/2003","product":{"id":"gid://shopify/Product/1002"}},
	  null]}`)
	f.on("VariantsBulkUpdate", func(v map[string]any) answer {
		if v["productId"] == "gid://shopify/Product/1002" {
			return ok(`{"productVariantsBulkUpdate":{"productVariants":[],"userErrors":[{"field":["variants","0","price"],"message":"Price must be less than 1000000000000000000"}]}}`)
		}
		return ok(`{"productVariantsBulkUpdate":{"productVariants":[{"id":"gid://shopify/ProductVariant/2001","price":"19.90"}],"userErrors":[]}}`)
	})
	price := func(id int, v string) connector.FieldChange {
		return connector.FieldChange{Kind: "variant", ExternalID: fmt.Sprintf("gid://shopify/ProductVariant/%d", id), Field: "price", Value: v}
	}
	c, s := New(), f.session()
	res, err := c.Export(context.Background(), s, []connector.FieldChange{price(2001, "19.9"), price(2003, "5"), price(2002, "7.00"), price(2999, "1.00")})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[2].Err != nil || connector.ClassOf(res[1].Err) != concord.ClassValidation ||
		connector.ClassOf(res[3].Err) != concord.ClassNotFound {
		t.Fatalf("results = %v / %v / %v / %v", res[0].Err, res[1].Err, res[2].Err, res[3].Err)
	}
	var bulk []call
	for _, cl := range f.seen() {
		if cl.Op == "VariantsBulkUpdate" {
			bulk = append(bulk, cl)
		}
	}
	if len(bulk) != 2 {
		t.Fatalf("bulk updates = %d, want one per product", len(bulk))
	}
	vs := bulk[0].Vars["variants"].([]any)
	if bulk[0].Vars["productId"] != "gid://shopify/Product/1001" || len(vs) != 2 || vs[0].(map[string]any)["price"] != "19.90" {
		t.Fatalf("first bulk update = %v", bulk[0].Vars)
	}
	// The product of a variant is cached: no second lookup.
	before := len(f.seen())
	if _, err := c.Export(context.Background(), s, []connector.FieldChange{price(2001, "20.00")}); err != nil {
		t.Fatal(err)
	}
	if calls := f.seen()[before:]; len(calls) != 1 || calls[0].Op != "VariantsBulkUpdate" {
		t.Fatalf("calls after caching = %+v", calls)
	}
}

func TestExportCallFailureFailsTheBatch(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("SetQuantities", func(map[string]any) answer { return answer{401, invalidTokenBody} })
	_, err := New().Export(context.Background(), f.session(), stockChanges(2))
	if connector.ClassOf(err) != concord.ClassAuthExpired {
		t.Fatalf("err = %v", err)
	}
}
