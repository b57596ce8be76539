package shopify

import (
	"context"
	"strings"
	"testing"

	"github.com/concordhub/concord"
)

func shopData(domain string, dev bool) string {
	plan := `{"partnerDevelopment":false,"displayName":"Basic"}`
	if dev {
		plan = `{"partnerDevelopment":true,"displayName":"Developer Preview"}`
	}
	return `{"shop":{"name":"Demo Store","myshopifyDomain":"` + domain + `","currencyCode":"USD","plan":` + plan + `}}`
}

func TestTestRevealsModeFromPlan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		dev  bool
		want concord.Mode
	}{{"development store", true, concord.ModeSandbox}, {"paid shop", false, concord.ModeProduction}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.always("Shop", shopData(testShop, tc.dev))
			res, err := New().Test(context.Background(), f.session())
			if err != nil {
				t.Fatal(err)
			}
			if res.Mode != tc.want || res.AccountID != testShop {
				t.Fatalf("result = %+v", res)
			}
			if !strings.Contains(res.Message, "Demo Store") || !strings.Contains(res.Message, "plan") {
				t.Errorf("message = %q", res.Message)
			}
			if c := f.seen(); len(c) != 1 || c[0].Token != testToken {
				t.Errorf("calls = %+v", c)
			}
		})
	}
}

func TestTestRefusesAnotherShopsToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.always("Shop", shopData("other.myshopify.com", true))
	_, err := New().Test(context.Background(), f.session())
	if concord.ErrorCode(err) != concord.EINVALID || !strings.Contains(err.Error(), "other.myshopify.com") {
		t.Fatalf("err = %v", err)
	}
}

func TestTestRefusesBadShopConfigWithoutCalling(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.session()
	s.Config[FieldShop] = "shop.example.com"
	_, err := New().Test(context.Background(), s)
	if concord.ErrorCode(err) != concord.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if len(f.seen()) != 0 {
		t.Fatal("a call was made with an invalid shop")
	}
}
