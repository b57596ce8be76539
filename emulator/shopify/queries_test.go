package shopifyemu

import (
	"testing"
)

// The documents below are the wire document's, as the connector writes them.
const (
	qLocations = `query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name isActive } } }`
	qProducts = `query Products($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id title status updatedAt
      variants(first: 100) { nodes { id sku title price updatedAt inventoryItem { id } } } } } }`
	qItems = `query Items($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku updatedAt variant { id }
      inventoryLevels(first: 50) { nodes { id updatedAt location { id } quantities(names: ["available"]) { name quantity } } } } } }`
	qOrders = `query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id name email updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 100) { nodes { id sku quantity variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } } }
      fulfillments(first: 20) { id status updatedAt trackingInfo { number company } } } } }`
	qCounts  = `{ productsCount { count } ordersCount { count } locationsCount { count } }`
	qVariant = `query V($id: ID!) { productVariant(id: $id) { id sku title price updatedAt product { id title status } inventoryItem { id } } }`
	qProduct = `query P($id: ID!) { product(id: $id) { id title status updatedAt variants(first: 100) { nodes { id sku price } } } }`
	qOrder   = `query O($id: ID!) { order(id: $id) { id name displayFinancialStatus lineItems(first: 10) { edges { cursor node { id sku } } } } }`
	qHooks   = `{ webhookSubscriptions(first: 100) { nodes { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } }`
)

func TestCatalogQueries(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})

	locs := b.gql(t, qLocations, map[string]any{"first": 10})
	if n := dig(locs, "locations", "nodes").([]any); len(n) != 2 || dig(n, 0, "name") != "Main Warehouse" ||
		dig(n, 1, "name") != "Store Front" || dig(n, 0, "id") != "gid://shopify/Location/4001" || dig(n, 0, "isActive") != true {
		t.Fatalf("locations = %v", locs)
	}

	prods := b.gql(t, qProducts, map[string]any{"first": 3})
	nodes := dig(prods, "products", "nodes").([]any)
	if len(nodes) != 3 || dig(prods, "products", "pageInfo", "hasNextPage") != true {
		t.Fatalf("products page 1 = %v", prods)
	}
	v0 := dig(nodes, 0, "variants", "nodes", 0)
	if dig(nodes, 0, "id") != "gid://shopify/Product/1001" || dig(v0, "id") != "gid://shopify/ProductVariant/2001" ||
		dig(v0, "sku") != "SKU-1-1" || dig(v0, "price") != "9.99" || dig(v0, "inventoryItem", "id") != "gid://shopify/InventoryItem/3001" {
		t.Fatalf("first product = %v", nodes[0])
	}
	next := b.gql(t, qProducts, map[string]any{"first": 3, "after": dig(prods, "products", "pageInfo", "endCursor")})
	if n := dig(next, "products", "nodes").([]any); len(n) != 2 || dig(next, "products", "pageInfo", "hasNextPage") != false ||
		dig(n, 0, "id") != "gid://shopify/Product/1004" {
		t.Fatalf("products page 2 = %v", next)
	}

	// 2 + first × (1 + variant 1 + levels (2 + 50 × 3)) must stay within 1,000.
	items := b.gql(t, qItems, map[string]any{"first": 6})
	in := dig(items, "inventoryItems", "nodes").([]any)
	lv := dig(in, 0, "inventoryLevels", "nodes", 0)
	if len(in) != 6 || dig(items, "inventoryItems", "pageInfo", "hasNextPage") != true || dig(in, 0, "variant", "id") != "gid://shopify/ProductVariant/2001" ||
		dig(lv, "location", "id") != "gid://shopify/Location/4001" || dig(lv, "quantities", 0, "name") != "available" ||
		dig(lv, "quantities", 0, "quantity") != 10.0 || dig(lv, "id") != "gid://shopify/InventoryLevel/4001?inventory_item_id=3001" {
		t.Fatalf("inventory items = %v", in[0])
	}

	counts := b.gql(t, qCounts, nil)
	if dig(counts, "productsCount", "count") != 5.0 || dig(counts, "ordersCount", "count") != 3.0 ||
		dig(counts, "locationsCount", "count") != 2.0 {
		t.Fatalf("counts = %v", counts)
	}

	v := b.gql(t, qVariant, map[string]any{"id": "gid://shopify/ProductVariant/2002"})
	if dig(v, "productVariant", "product", "id") != "gid://shopify/Product/1001" || dig(v, "productVariant", "sku") != "SKU-1-2" {
		t.Fatalf("variant = %v", v)
	}
	if v := b.gql(t, qVariant, map[string]any{"id": "gid://shopify/ProductVariant/999999"}); v["productVariant"] != nil {
		t.Fatalf("missing variant = %v", v)
	}
	p := b.gql(t, qProduct, map[string]any{"id": "gid://shopify/Product/1002"})
	if dig(p, "product", "title") != "Canvas Tote" || len(dig(p, "product", "variants", "nodes").([]any)) != 2 {
		t.Fatalf("product = %v", p)
	}
}

func TestOrderQueries(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	d := b.gql(t, qOrders, map[string]any{"first": 2})
	os := dig(d, "orders", "nodes").([]any)
	if len(os) != 2 || dig(d, "orders", "pageInfo", "hasNextPage") != true {
		t.Fatalf("orders = %v", d)
	}
	o := os[0]
	if dig(o, "name") != "#1001" || dig(o, "displayFinancialStatus") != "PAID" || dig(o, "displayFulfillmentStatus") != "FULFILLED" ||
		dig(o, "cancelledAt") != nil || dig(o, "totalPriceSet", "shopMoney", "currencyCode") != "USD" ||
		dig(o, "totalPriceSet", "shopMoney", "amount") != "30.97" || dig(o, "lineItems", "nodes", 1, "quantity") != 2.0 ||
		dig(o, "lineItems", "nodes", 0, "variant", "id") != "gid://shopify/ProductVariant/2001" ||
		dig(o, "fulfillments", 0, "trackingInfo", 0, "company") != "UPS" || dig(o, "fulfillments", 0, "status") != "SUCCESS" {
		t.Fatalf("order = %v", o)
	}
	if dig(os, 1, "displayFulfillmentStatus") != "UNFULFILLED" {
		t.Fatalf("order 2 = %v", os[1])
	}
	one := b.gql(t, qOrder, map[string]any{"id": "gid://shopify/Order/5002"})
	if dig(one, "order", "name") != "#1002" || dig(one, "order", "lineItems", "edges", 0, "cursor") == nil ||
		dig(one, "order", "lineItems", "edges", 0, "node", "sku") == nil {
		t.Fatalf("order(id) = %v", one)
	}
}

func TestGraphQLErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	a := b.gqlUnchecked(t, b.creds.AccessToken, `{ shop { name bogus } }`, nil)
	if a.Data != nil || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "undefinedField" ||
		a.Errors[0].Message != "Field 'bogus' doesn't exist on type 'Shop'" {
		t.Fatalf("unknown field = %+v", a)
	}
	for _, q := range []string{`{ products(first: 251) { nodes { id } } }`, `{ products { nodes { id } } }`,
		`{ shop { plan } }`, `{ shop { name { x } } }`, `{ shop {`} {
		if a := b.gqlUnchecked(t, b.creds.AccessToken, q, nil); a.Data != nil || len(a.Errors) == 0 {
			t.Fatalf("%s answered %+v", q, a)
		}
	}
	a = b.gqlUnchecked(t, b.creds.AccessToken, `{ products(first: 2, after: "nope") { nodes { id } } }`, nil)
	if len(a.Errors) != 1 || dig(a.Data, "products") != nil {
		t.Fatalf("bad cursor = %+v", a)
	}
	// Aliases, __typename, fragments and edges.
	d := b.gql(t, `query { s: shop { __typename n: name } products(first: 1) { __typename edges { cursor node { ...P } } } }
fragment P on Product { id t: title }`, nil)
	if dig(d, "s", "__typename") != "Shop" || dig(d, "s", "n") != "Concord Demo" ||
		dig(d, "products", "edges", 0, "node", "t") != "Classic Tee" || dig(d, "products", "__typename") != "ProductConnection" {
		t.Fatalf("aliases = %v", d)
	}
}
