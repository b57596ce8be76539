package shopify

import (
	"context"
	"fmt"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// shopInfo is the shop query's answer.
type shopInfo struct {
	Name            string `json:"name"`
	MyshopifyDomain string `json:"myshopifyDomain"`
	CurrencyCode    string `json:"currencyCode"`
	Plan            struct {
		PartnerDevelopment bool   `json:"partnerDevelopment"`
		DisplayName        string `json:"displayName"`
	} `json:"plan"`
}

// Test makes the cheap authenticated call: the shop query. A development store
// (plan.partnerDevelopment) is a sandbox; every other shop trades for real. The account
// identity is the myshopify.com domain, which never changes when a storefront domain does.
func (c *Connector) Test(ctx context.Context, s *connector.Session) (connector.TestResult, error) {
	var out struct {
		Shop *shopInfo `json:"shop"`
	}
	if err := c.graphql(ctx, s, "test shop", shopQuery, nil, &out); err != nil {
		return connector.TestResult{}, err
	}
	if out.Shop == nil || out.Shop.MyshopifyDomain == "" {
		return connector.TestResult{}, fmt.Errorf("shopify: test shop: %w", malformed("shop has no myshopifyDomain"))
	}
	sh := out.Shop
	if want, _ := shopDomain(s); sh.MyshopifyDomain != want {
		// Real Shopify binds a token to its host; the emulator picks the shop by token, so
		// this is how a token of another shop shows up. Never adopt the other identity.
		return connector.TestResult{}, invalid("the access token belongs to %s, but config.shop is %s", sh.MyshopifyDomain, want)
	}
	mode, kind := concord.ModeProduction, "production shop"
	if sh.Plan.PartnerDevelopment {
		mode, kind = concord.ModeSandbox, "development store"
	}
	plan := sh.Plan.DisplayName
	if plan == "" {
		plan = "unknown plan"
	}
	return connector.TestResult{
		Mode:      mode,
		AccountID: sh.MyshopifyDomain,
		Message:   fmt.Sprintf("Connected to %s (%s, %s plan, %s)", sh.Name, sh.MyshopifyDomain, plan, kind),
	}, nil
}
