package stripe

import (
	"github.com/concordhub/concord/connector"
)

// DefaultAPIBase is Stripe's only API host: test and live mode share it and the key decides.
const DefaultAPIBase = "https://api.stripe.com"

// Credential and config field names, as stored in the vault and in Connection.Config.
const (
	FieldSecretKey      = "secret_key"
	FieldPublishableKey = "publishable_key"
	FieldWebhookSecret  = "webhook_secret"
	FieldAPIBase        = "api_base"
)

// Connector is the Stripe connector. It holds no per-connection state: everything a call
// needs arrives in the connector.Session, so one value serves every connection.
type Connector struct{}

// New returns the Stripe connector.
func New() *Connector { return &Connector{} }

// The capabilities the hub finds by type assertion; listed here so a signature drift in
// the contract breaks the build instead of silently dropping a capability.
var (
	_ connector.Connector         = (*Connector)(nil)
	_ connector.Tester            = (*Connector)(nil)
	_ connector.CredentialChecker = (*Connector)(nil)
	_ connector.Writer            = (*Connector)(nil)
)

// Describe tells the catalog what Stripe needs to connect.
func (*Connector) Describe() connector.Descriptor {
	return connector.Descriptor{
		Name:  "stripe",
		Title: "Stripe",
		Kind:  "payments",
		Credentials: []connector.Field{
			{
				Name: FieldSecretKey, Secret: true, Required: true,
				Description: "Secret key (sk_test_/sk_live_) or restricted key (rk_test_/rk_live_); its prefix decides the mode.",
			},
			{
				Name:        FieldPublishableKey,
				Description: "Publishable key (pk_test_/pk_live_) of the same mode, for client-side confirmation.",
			},
			{
				Name: FieldWebhookSecret, Secret: true, Webhook: true,
				Description: "Signing secret (whsec_) of the webhook endpoint pointing at this hub.",
			},
			{
				Name: FieldWebhookSecretPrevious, Secret: true, Webhook: true,
				Description: "The previous signing secret, accepted too while a rolled secret overlaps.",
			},
		},
		Config: []connector.Field{
			{
				Name:        FieldAPIBase,
				Description: "API base URL override, for the sandbox emulator only.",
			},
		},
		WebhookScheme:  "stripe-signature",
		DefaultAPIBase: DefaultAPIBase,
	}
}
