// Package all lists every sandbox emulator this build ships, for `concord emulate` and
// `concord demo`.
package all

import (
	"net/http"

	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	stripeemu "github.com/concordhub/concord/emulator/stripe"
)

// Emulator is one running sandbox emulator.
type Emulator interface {
	Handler() http.Handler
	Close()
}

// Factory makes an emulator, named by its connector.
type Factory struct {
	Connector string
	New       func() Emulator
}

// Factories lists every emulator, in a stable order.
func Factories() []Factory {
	return []Factory{
		{Connector: "shopify", New: func() Emulator { return shopifyemu.New(shopifyemu.Options{}) }},
		{Connector: "stripe", New: func() Emulator { return stripeemu.New(stripeemu.Options{}) }},
	}
}
