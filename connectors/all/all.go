// Package all lists every connector this build of concord ships. Adding a connector is
// one package under connectors/ plus one line here; the hub itself never names one.
package all

import (
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/connectors/shopify"
	"github.com/concordhub/concord/connectors/stripe"
)

// Registry returns a registry of every shipped connector.
func Registry() *connector.Registry {
	return connector.NewRegistry(
		shopify.New(),
		stripe.New(),
	)
}
