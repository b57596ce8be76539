package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// DefaultScopes are the access scopes concord asks for: products, stock and prices both
// ways; orders, fulfillments and locations in.
var DefaultScopes = []string{"read_products", "write_products", "read_inventory", "write_inventory",
	"read_orders", "read_fulfillments", "read_locations"}

// Token is what Shopify's token endpoint grants. ExpiresAt is zero for a non-expiring
// token; RefreshToken is empty then too.
type Token struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	Scope        string
}

// Credentials is t as credential fields to store (access_token, refresh_token,
// token_expires_at); fields t does not carry are absent.
func (t Token) Credentials() map[string]string {
	m := map[string]string{FieldAccessToken: t.AccessToken}
	if t.RefreshToken != "" {
		m[FieldRefreshToken] = t.RefreshToken
	}
	if !t.ExpiresAt.IsZero() {
		m[FieldTokenExpiresAt] = t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

// AuthorizeURL is where to send the shop owner to install the app: the shop's
// /admin/oauth/authorize with the client id, scopes (DefaultScopes when nil), redirect URI
// and the state nonce VerifyCallback will demand back.
func AuthorizeURL(shop, clientID, redirectURI, state string, scopes []string) (string, error) {
	domain, err := NormalizeShop(shop)
	if err != nil {
		return "", err
	}
	return AuthorizeURLWithBase("https://"+domain, clientID, redirectURI, state, scopes)
}

// AuthorizeURLWithBase is AuthorizeURL against another host (the sandbox emulator's
// api_base), where the shop is chosen by the emulator rather than by the host name.
func AuthorizeURLWithBase(base, clientID, redirectURI, state string, scopes []string) (string, error) {
	if clientID == "" || state == "" {
		return "", invalid("client_id and state are required to start the OAuth install")
	}
	u, err := url.Parse(redirectURI)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", invalid("redirect_uri must be an absolute http(s) URL")
	}
	if scopes == nil {
		scopes = DefaultScopes
	}
	q := url.Values{"client_id": {clientID}, "scope": {strings.Join(scopes, ",")},
		"redirect_uri": {redirectURI}, "state": {state}}
	return strings.TrimRight(base, "/") + "/admin/oauth/authorize?" + q.Encode(), nil
}

// ExchangeCode trades the callback's code for an expiring offline token at
// {base}/admin/oauth/access_token (base: https://{shop} or the emulator). httpClient should
// be the hub's outbound client; the code is single use, so the call is never retried.
func ExchangeCode(ctx context.Context, httpClient *http.Client, base, clientID, clientSecret, code string) (Token, error) {
	if clientID == "" || clientSecret == "" || code == "" {
		return Token{}, invalid("client_id, client_secret and code are required to exchange the OAuth code")
	}
	return tokenRequest(connector.WithOperation(ctx, "oauth exchange code"), httpClient, base,
		map[string]any{"client_id": clientID, "client_secret": clientSecret, "code": code, "expiring": 1}, time.Now())
}

// refreshGrant asks for a new token pair with a refresh token (the old one stops working).
func refreshGrant(ctx context.Context, httpClient *http.Client, base, clientID, clientSecret, refreshToken string, now time.Time) (Token, error) {
	return tokenRequest(connector.WithOperation(ctx, "oauth refresh token"), httpClient, base,
		map[string]any{"client_id": clientID, "client_secret": clientSecret,
			"grant_type": "refresh_token", "refresh_token": refreshToken}, now)
}

// tokenRequest posts one grant. A refusal (400/401: bad code, spent refresh token, wrong
// secret) is auth_expired: the operator must reconnect.
func tokenRequest(ctx context.Context, httpClient *http.Client, base string, grant map[string]any, now time.Time) (Token, error) {
	if httpClient == nil {
		return Token{}, concord.Errorf(concord.EINTERNAL, "shopify: no outbound HTTP client for the token call")
	}
	body, _ := json.Marshal(grant)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/admin/oauth/access_token", bytes.NewReader(body))
	if err != nil {
		return Token{}, fmt.Errorf("shopify: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("shopify: token request: %w", transportError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Token{}, fmt.Errorf("shopify: token request: %w", transportError(err))
	}
	secrets := []string{}
	for _, k := range []string{"client_secret", "code", "refresh_token"} {
		if v, ok := grant[k].(string); ok {
			secrets = append(secrets, v)
		}
	}
	if resp.StatusCode != http.StatusOK {
		e := httpError(resp, raw, secrets)
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			e.Class, e.Message = concord.ClassAuthExpired, "Shopify refused the grant: "+oauthErrorText(raw, secrets)
		}
		return Token{}, fmt.Errorf("shopify: token request: %w", e)
	}
	var tr struct {
		AccessToken  string `json:"access_token"`
		Scope        string `json:"scope"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(raw, &tr); err != nil || tr.AccessToken == "" {
		return Token{}, fmt.Errorf("shopify: token request: %w", malformed("the token answer has no access_token"))
	}
	t := Token{AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, Scope: tr.Scope}
	if tr.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(tr.ExpiresIn) * time.Second).UTC().Truncate(time.Second)
	}
	return t, nil
}

// oauthErrorText reads {"error","error_description"} or Shopify's {"errors"}.
func oauthErrorText(raw []byte, secrets []string) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(raw, &e)
	msg := strings.TrimSpace(e.Error + " " + e.Description)
	if msg == "" {
		msg = restErrorText(raw)
	}
	if msg == "" {
		msg = "no reason given"
	}
	return connector.Redact(msg, secrets...)
}
