package shopifyemu

import (
	"net/http"
	"testing"
	"time"
)

const qItemIDs = `query Items($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id sku variant { id } } } }`

// seed replaces the first shop's data through the control API.
func (b *bundle) seed(t *testing.T, products, variants, orders int) {
	t.Helper()
	resp, body := b.post(t, "/_emulator/seed", "", map[string]any{"products": products,
		"variants_per_product": variants, "orders": orders})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed: %d %s", resp.StatusCode, body)
	}
}

func TestPagingVisitsEachVariantOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxAvailable: 1e6})
	b.seed(t, 500, 2, 0)
	seen := map[string]int{}
	var after any
	pages := 0
	for {
		d := b.gql(t, qItemIDs, map[string]any{"first": 250, "after": after})
		for _, n := range dig(d, "inventoryItems", "nodes").([]any) {
			seen[dig(n, "variant", "id").(string)]++
		}
		pages++
		if dig(d, "inventoryItems", "pageInfo", "hasNextPage") != true {
			break
		}
		after = dig(d, "inventoryItems", "pageInfo", "endCursor")
	}
	if len(seen) != 1000 || pages != 4 {
		t.Fatalf("saw %d variants in %d pages", len(seen), pages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s seen %d times", id, n)
		}
	}
}

func TestSeedHundredThousandVariants(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxAvailable: 1e6})
	start := time.Now()
	b.seed(t, 20_000, 5, 100)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("seeding 100,000 variants took %v", took)
	}
	start = time.Now()
	var after any
	n := 0
	for i := 0; i < 20; i++ { // 5,000 variants deep into the catalog and back out
		d := b.gql(t, qItemIDs, map[string]any{"first": 250, "after": after})
		n += len(dig(d, "inventoryItems", "nodes").([]any))
		after = dig(d, "inventoryItems", "pageInfo", "endCursor")
	}
	if took := time.Since(start); n != 5000 || took > 2*time.Second {
		t.Fatalf("paged %d in %v", n, took)
	}
	d := b.gql(t, `{ productsCount { count } }`, nil)
	if dig(d, "productsCount", "count") != 20000.0 {
		t.Fatalf("count = %v", d)
	}
}

func TestUpdatedAtFilter(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	b := setup(t, Options{TokenTTL: -1, Now: clock.Now})
	clock.Add(time.Hour) // everything seeded is older than the mark
	mark := clock.Now().Format(time.RFC3339)
	clock.Add(time.Minute)
	resp, body := b.post(t, "/_emulator/records/products", "", map[string]any{"id": 1003, "title": "Renamed Mug"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("record: %s", body)
	}
	d := b.gql(t, qProducts, map[string]any{"first": 3, "query": "updated_at:>'" + mark + "'"})
	nodes := dig(d, "products", "nodes").([]any)
	if len(nodes) != 1 || dig(nodes, 0, "title") != "Renamed Mug" {
		t.Fatalf("updated since mark = %v", d)
	}
	d = b.gql(t, qProducts, map[string]any{"first": 3, "query": "updated_at:>='" + clock.Now().Format(time.RFC3339) + "'"})
	if len(dig(d, "products", "nodes").([]any)) != 1 {
		t.Fatalf(">= = %v", d)
	}
	// UPDATED_AT order: the renamed product comes last.
	d = b.gql(t, `{ products(first: 10, sortKey: UPDATED_AT) { nodes { id } } }`, nil)
	if ns := dig(d, "products", "nodes").([]any); dig(ns, 4, "id") != "gid://shopify/Product/1003" {
		t.Fatalf("sorted = %v", d)
	}
	d = b.gql(t, `{ products(first: 10, query: "sku:SKU-2-1 status:active") { nodes { id } } }`, nil)
	if ns := dig(d, "products", "nodes").([]any); len(ns) != 1 || dig(ns, 0, "id") != "gid://shopify/Product/1002" {
		t.Fatalf("sku = %v", d)
	}
	d = b.gql(t, `{ products(first: 10, query: "status:draft") { nodes { id } } }`, nil)
	if ns := dig(d, "products", "nodes").([]any); len(ns) != 0 {
		t.Fatalf("status = %v", d)
	}
}
