package shopify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// OAuthScopes are the access scopes the hub's OAuth install asks for: products, stock,
// orders and fulfillments both ways, locations read. The emulator grants its own set
// whatever is asked.
var OAuthScopes = []string{"read_products", "write_products", "read_inventory", "write_inventory",
	"read_orders", "write_orders", "read_fulfillments", "write_fulfillments", "read_locations"}

var _ connector.OAuthConnector = (*Connector)(nil)

// OAuthStart validates cfg and returns the install URL: the shop's own
// /admin/oauth/authorize, or the emulator's when cfg.api_base is set (then the shop is
// named in the query, since the emulator's host does not say which shop is meant).
func (*Connector) OAuthStart(cfg map[string]string, clientID, redirectURI, state string) (string, error) {
	domain, err := NormalizeShop(cfg[FieldShop])
	if err != nil {
		return "", err
	}
	base := oauthBase(cfg, domain)
	u, err := AuthorizeURLWithBase(base, clientID, redirectURI, state, OAuthScopes)
	if err != nil {
		return "", err
	}
	if base != "https://"+domain {
		u += "&" + url.Values{"shop": {domain}}.Encode()
	}
	return u, nil
}

// OAuthComplete verifies the callback (hmac, state, timestamp, shop), refuses a callback
// for another shop than the one the install started for, and exchanges the code for an
// expiring offline token. The credentials returned carry the token pair with its expiry
// and the app's client id and secret (they refresh the token and verify webhooks); the
// config returned holds the shop as its myshopify.com domain.
func (c *Connector) OAuthComplete(ctx context.Context, httpClient *http.Client, cfg map[string]string, query url.Values,
	clientID, clientSecret, wantState string) (creds, config map[string]string, err error) {
	want, err := NormalizeShop(cfg[FieldShop])
	if err != nil {
		return nil, nil, err
	}
	shop, code, err := VerifyCallback(query, clientSecret, wantState, c.clock())
	if err != nil {
		return nil, nil, callbackRefusal(err)
	}
	if shop != want {
		return nil, nil, invalid("the callback is for shop %s but the install was started for %s; start the install again from the right shop", shop, want)
	}
	tok, err := ExchangeCode(ctx, httpClient, oauthBase(cfg, want), clientID, clientSecret, code)
	if err != nil {
		return nil, nil, err
	}
	creds = tok.Credentials()
	creds[FieldClientID], creds[FieldClientSecret] = clientID, clientSecret
	config = maps.Clone(cfg)
	config[FieldShop] = want
	return creds, config, nil
}

// oauthBase is where the OAuth endpoints are: the emulator's api_base, else the shop.
func oauthBase(cfg map[string]string, domain string) string {
	if b := strings.TrimRight(strings.TrimSpace(cfg[FieldAPIBase]), "/"); b != "" {
		return b
	}
	return "https://" + domain
}

// callbackRefusal words VerifyCallback's refusals for the person the browser brought back:
// each is a bad request (400), whatever the cause, and says what to do.
func callbackRefusal(err error) error {
	switch {
	case errors.Is(err, ErrCallbackSignature):
		return invalid("the callback signature does not verify: it was not signed with this app's client secret")
	case errors.Is(err, ErrCallbackState):
		return invalid("the callback's state does not match the install that was started; start the install again")
	case errors.Is(err, ErrCallbackExpired):
		return invalid("the callback is too old or dated in the future; start the install again")
	}
	var ce *concord.Error
	if errors.As(err, &ce) && ce.Code == concord.EINVALID {
		return ce
	}
	return fmt.Errorf("shopify: verify callback: %w", err)
}
