package shopifyemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestControlCredentialsAndState(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Shops: 2})
	resp, err := b.srv.Client().Get(b.srv.URL + "/_emulator/credentials")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if !strings.HasPrefix(c["access_token"].(string), "shpat_") || c["client_id"] == "" || c["client_secret"] == "" ||
		c["shop"] != "demo.myshopify.com" || c["api_version"] != "2025-01" || c["refresh_token"] == nil {
		t.Fatalf("credentials = %v", c)
	}
	two, ok := b.e.CredentialsFor("demo-2.myshopify.com")
	if !ok {
		t.Fatal("no second shop")
	}
	// Tokens pick the shop.
	a := b.gqlUnchecked(t, two.AccessToken, `{ shop { myshopifyDomain } }`, nil)
	if dig(a.Data, "shop", "myshopifyDomain") != "demo-2.myshopify.com" {
		t.Fatalf("second shop = %+v", a)
	}
	resp, body := b.post(t, "/_emulator/records/products", "", map[string]any{"title": "Gift Card",
		"variants": []any{map[string]any{"sku": "GIFT-25", "price": "25.00", "inventory_quantity": 3}}})
	var rec struct {
		Record   map[string]any `json:"record"`
		Webhooks []string       `json:"webhooks"`
	}
	_ = json.Unmarshal(body, &rec)
	if resp.StatusCode != http.StatusOK || dig(rec.Record, "variants", 0, "sku") != "GIFT-25" ||
		rec.Webhooks[0] != "products/create" {
		t.Fatalf("record = %s", body)
	}
	d := b.gql(t, `{ productsCount { count } }`, nil)
	if dig(d, "productsCount", "count") != 6.0 {
		t.Fatalf("count after create = %v", d)
	}
	b.post(t, "/_emulator/reset", "", nil)
	if d := b.gql(t, `{ productsCount { count } }`, nil); dig(d, "productsCount", "count") != 5.0 {
		t.Fatalf("count after reset = %v", d)
	}
	st := b.e.State()
	if shops := st["shops"].([]ShopState); len(shops) != 2 || len(shops[0].Locations) != 2 || len(shops[0].InventoryLevels) != 20 {
		t.Fatalf("state = %+v", st)
	}
}
