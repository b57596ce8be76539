package shopifyemu

import "testing"

func TestShopQuery(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	d := b.gql(t, `{ shop { name myshopifyDomain currencyCode plan { partnerDevelopment displayName } } }`, nil)
	if dig(d, "shop", "myshopifyDomain") != "demo.myshopify.com" || dig(d, "shop", "plan", "partnerDevelopment") != true ||
		dig(d, "shop", "currencyCode") != "USD" {
		t.Fatalf("shop = %v", d)
	}
}
