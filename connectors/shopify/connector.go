package shopify

import (
	"time"

	"github.com/concordhub/concord/connector"
)

// APIVersion is the Admin API version every call names in its path; the vendored schema
// the tests validate against is the same version.
const APIVersion = "2025-01"

// Credential and config field names, as stored in the vault and in Connection.Config.
const (
	FieldAccessToken    = "access_token"
	FieldClientID       = "client_id"
	FieldRefreshToken   = "refresh_token"
	FieldTokenExpiresAt = "token_expires_at"
	FieldShop           = "shop"
	FieldAPIBase        = "api_base"
)

// The connector speaks GraphQL, which Shopify limits by cost points, not by request count:
// the cost pacer (pace.go) keeps every call inside the shop's point bucket. A per-request
// limit on top (the REST bucket's 2/s) would cap imports at two pages a second for nothing,
// so the descriptor declares none; REST's bucket (40, leaking 2/s) applies only to REST.

// The capabilities the hub finds by type assertion; listed here so a signature drift in
// the contract breaks the build instead of silently dropping a capability.
var (
	_ connector.Connector         = (*Connector)(nil)
	_ connector.Tester            = (*Connector)(nil)
	_ connector.CredentialChecker = (*Connector)(nil)
	_ connector.Importer          = (*Connector)(nil)
	_ connector.Counter           = (*Connector)(nil)
	_ connector.Fetcher           = (*Connector)(nil)
	_ connector.Exporter          = (*Connector)(nil)
	_ connector.WebhookRecords    = (*Connector)(nil)
	_ connector.WebhookPanel      = (*Connector)(nil)
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ TokenRefresher              = (*Connector)(nil)
	_ ConfigChecker               = (*Connector)(nil)
)

// Describe tells the catalog what Shopify needs to connect.
func (*Connector) Describe() connector.Descriptor {
	return connector.Descriptor{
		Name:  "shopify",
		Title: "Shopify",
		Kind:  "marketplace",
		Credentials: []connector.Field{
			{Name: FieldAccessToken, Secret: true, Required: true,
				Description: "Admin API access token (shpat_, shpca_ or shppa_) of the app installed on the shop."},
			{Name: FieldClientID,
				Description: "The app's client id (API key); needed to refresh an expiring token."},
			{Name: FieldClientSecret, Secret: true, Webhook: true,
				Description: "The app's client secret (API secret key): it signs every webhook and refreshes tokens."},
			{Name: FieldRefreshToken, Secret: true,
				Description: "Refresh token of an expiring offline access token."},
			{Name: FieldTokenExpiresAt,
				Description: "When the access token expires (RFC 3339); empty for a non-expiring token."},
		},
		Config: []connector.Field{
			{Name: FieldShop, Required: true,
				Description: "The shop: its handle (demo) or its myshopify.com domain (demo.myshopify.com)."},
			{Name: FieldAPIBase,
				Description: "API base URL override, for the sandbox emulator only."},
		},
		WebhookScheme: "shopify-hmac",
		// No DefaultAPIBase: every shop has its own host, built from config.shop.
	}
}

// clock is the connector's time source (tests set c.now).
func (c *Connector) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}
