package connector

import (
	"context"
	"net/http"
	"net/url"
)

// OAuthConnector is a connector a shop owner can connect by consent rather than by pasting
// a token: the hub sends the browser to the provider's authorize page and, when the
// provider sends it back to the hub's callback, trades the code for credentials. The hub
// keeps the state nonce and the app's client secret (sealed) between the two halves; the
// connector knows the provider's URLs, signatures and grant.
type OAuthConnector interface {
	// OAuthStart validates cfg (the shop, say) and returns the provider's authorize URL
	// asking for the hub's scopes, to come back to redirectURI with state.
	OAuthStart(cfg map[string]string, clientID, redirectURI, state string) (authorizeURL string, err error)
	// OAuthComplete verifies the callback query (signature, state, freshness, that it is
	// the account the install started for) and exchanges its code over httpClient, the
	// hub's outbound client. The API base is cfg["api_base"] when set (the sandbox
	// emulator), else the provider's own host. It returns the credential fields to store
	// and the config to keep. The code is single use: the exchange is never retried.
	OAuthComplete(ctx context.Context, httpClient *http.Client, cfg map[string]string, query url.Values,
		clientID, clientSecret, wantState string) (creds, config map[string]string, err error)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(OAuthConnector); return "oauth", ok })
}
