package shopify

import (
	"strings"
	"testing"

	"github.com/concordhub/concord"
)

func TestNormalizeShop(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"demo": "demo.myshopify.com", " Demo ": "demo.myshopify.com", "demo.myshopify.com": "demo.myshopify.com",
		"https://demo.myshopify.com/admin": "demo.myshopify.com", "https://demo.myshopify.com/": "demo.myshopify.com",
		"demo.myshopify.com/admin/products": "demo.myshopify.com", "my-shop-2": "my-shop-2.myshopify.com",
		"https://admin.shopify.com/store/demo": "demo.myshopify.com", "https://admin.shopify.com/store/demo/orders": "demo.myshopify.com",
	} {
		if got, err := NormalizeShop(in); err != nil || got != want {
			t.Errorf("NormalizeShop(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "shop.example.com", "https://shop.example.com", "evil.com/.myshopify.com", "https://evil.com/.myshopify.com",
		"demo.myshopify.com.evil.com", "demo.myshopify.com@evil.com", "https://user@demo.myshopify.com", "demo.myshopify.com:8443",
		"https://demo.myshopify.com:443/admin", "demo.myshopify.com/evil", "https://demo.myshopify.com/admin?x=evil.com", "ftp://demo.myshopify.com",
		"-demo", "de_mo", "de mo", "a.b.myshopify.com", ".myshopify.com", "demo%2eevil.com", "https://admin.shopify.com/store/", "demo\x00.myshopify.com",
	} {
		if got, err := NormalizeShop(in); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("NormalizeShop(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
	if err := CheckConfig(map[string]string{"shop": "shop.example.com"}); concord.ErrorCode(err) != concord.EINVALID {
		t.Errorf("CheckConfig accepted a custom domain: %v", err)
	}
}

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	c := New()
	good := map[string]string{FieldAccessToken: testToken}
	if mode, declared, err := c.CheckCredentials(good); err != nil || declared || mode != "" {
		t.Fatalf("good token: %q %v %v", mode, declared, err)
	}
	full := map[string]string{FieldAccessToken: "shpca_0123456789abcdef0123456789abcdef", FieldClientID: "abc", FieldClientSecret: oauthSecret,
		FieldRefreshToken: "shprt_x", FieldTokenExpiresAt: "2026-12-01T00:00:00Z"}
	if _, _, err := c.CheckCredentials(full); err != nil {
		t.Fatalf("full set: %v", err)
	}
	for name, creds := range map[string]map[string]string{
		"missing":       {},
		"client secret": {FieldAccessToken: "shpss_0123456789abcdef0123456789abcdef"},
		"refresh token": {FieldAccessToken: "shprt_0123456789abcdef0123456789abcdef"},
		"stripe key":    {FieldAccessToken: "sk_test_0123456789abcdef0123456789"},
		"short":         {FieldAccessToken: "shpat_123"},
		"whitespace":    {FieldAccessToken: testToken + "\n"},
		"unknown field": {FieldAccessToken: testToken, "acess_token": "x"},
		"bad expiry":    {FieldAccessToken: testToken, FieldTokenExpiresAt: "tomorrow"},
		"refresh alone": {FieldAccessToken: testToken, FieldRefreshToken: "shprt_x"},
		"spaced client": {FieldAccessToken: testToken, FieldClientID: "a b"},
	} {
		if _, _, err := c.CheckCredentials(creds); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("%s: err = %v", name, err)
		} else if err != nil && len(creds[FieldAccessToken]) > 8 && strings.Contains(err.Error(), creds[FieldAccessToken]) {
			t.Errorf("%s: the value leaked into %q", name, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	d := New().Describe()
	if d.Name != "shopify" || d.Kind != "marketplace" || d.WebhookScheme != "shopify-hmac" || d.RateLimit != 0 { // GraphQL is paced by cost, not by request count
		t.Fatalf("descriptor = %+v", d)
	}
	fields := map[string][2]bool{}
	for _, f := range d.Credentials {
		fields[f.Name] = [2]bool{f.Secret, f.Required}
		if f.Name == FieldClientSecret && !f.Webhook {
			t.Error("client_secret must be marked as the webhook secret")
		}
	}
	want := map[string][2]bool{FieldAccessToken: {true, true}, FieldClientID: {false, false}, FieldClientSecret: {true, false},
		FieldRefreshToken: {true, false}, FieldTokenExpiresAt: {false, false}}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("credential %s = %v, want %v", k, fields[k], v)
		}
	}
	if len(d.Config) != 2 || d.Config[0].Name != FieldShop || !d.Config[0].Required {
		t.Errorf("config = %+v", d.Config)
	}
}
