package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	shopifyemu "github.com/concordhub/concord/emulator/shopify"
)

// oauthRig is one Shopify emulator and the app credentials it accepts.
type oauthRig struct {
	h                      *harness
	entityID               string
	emuURL                 string
	shop, clientID, secret string
}

func newOAuthRig(t *testing.T, h *harness) *oauthRig {
	t.Helper()
	emu := shopifyemu.New(shopifyemu.Options{Shops: 2})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); emu.Close() })
	resp, err := http.Get(srv.URL + "/_emulator/credentials")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return &oauthRig{h: h, entityID: h.entity("OAuth Shop", "sandbox").ID, emuURL: srv.URL,
		shop: c["shop"].(string), clientID: c["client_id"].(string), secret: c["client_secret"].(string)}
}

type oauthStartedJSON struct {
	AuthorizeURL string `json:"authorize_url"`
	State        string `json:"state"`
	ExpiresAt    string `json:"expires_at"`
}

// start begins an install for shop and answers the status and the started install.
func (r *oauthRig) start(shop string) (int, oauthStartedJSON) {
	var out oauthStartedJSON
	st := r.h.do("POST", "/v1/entities/"+r.entityID+"/connections/oauth", r.h.token, map[string]any{
		"connector": "shopify", "config": map[string]string{"shop": shop, "api_base": r.emuURL},
		"client_id": r.clientID, "client_secret": r.secret}, &out)
	return st, out
}

// consent follows the authorize URL as the browser would, without following the redirect,
// and answers the callback URL the emulator sends the browser back to.
func (r *oauthRig) consent(authorizeURL string) *url.URL {
	r.h.t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authorizeURL)
	if err != nil {
		r.h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		r.h.t.Fatalf("authorize: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), r.h.app.URL+"/oauth/callback?") {
		r.h.t.Fatalf("authorize redirected to %q (%v)", resp.Header.Get("Location"), err)
	}
	for _, p := range []string{"code", "hmac", "shop", "state", "timestamp"} {
		if loc.Query().Get(p) == "" {
			r.h.t.Fatalf("callback lacks %s: %s", p, loc)
		}
	}
	return loc
}

// callback opens the callback URL in the hub, as the browser coming back.
func (r *oauthRig) callback(u *url.URL) (int, string) {
	r.h.t.Helper()
	st, body := r.h.raw("GET", u.RequestURI(), "", nil)
	return st, string(body)
}

// TestOAuthConnectShopify: start, consent at the emulator, come back, connected; the
// callback cannot be replayed, tampered with, or made up.
func TestOAuthConnectShopify(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		r := newOAuthRig(t, h)
		st, started := r.start(r.shop)
		if st != 201 || started.State == "" || started.ExpiresAt == "" || !strings.HasPrefix(started.AuthorizeURL, r.emuURL+"/admin/oauth/authorize?") {
			t.Fatalf("start: %d %+v", st, started)
		}
		if strings.Contains(started.AuthorizeURL, r.secret) {
			t.Fatal("the authorize URL carries the client secret")
		}
		cb := r.consent(started.AuthorizeURL)
		st, page := r.callback(cb)
		if st != 200 || !strings.Contains(page, "Connected") {
			t.Fatalf("callback: %d\n%s", st, page)
		}
		var list struct{ Data []connJSON }
		h.do("GET", "/v1/entities/"+r.entityID+"/connections", h.token, nil, &list)
		if len(list.Data) != 1 {
			t.Fatalf("connections: %+v", list.Data)
		}
		c := list.Data[0]
		if c.State != "connected" || c.Mode != "sandbox" || c.Connector != "shopify" || !strings.Contains(page, c.ID) {
			t.Fatalf("connection %+v\n%s", c, page)
		}
		for _, f := range []string{"access_token", "refresh_token", "token_expires_at", "client_id", "client_secret"} {
			if c.Credentials[f] == "" {
				t.Fatalf("credential %s missing: %v", f, c.Credentials)
			}
		}
		for _, f := range []string{"access_token", "refresh_token", "client_secret"} {
			if !strings.Contains(c.Credentials[f], "••••") {
				t.Fatalf("credential %s not masked: %q", f, c.Credentials[f])
			}
		}

		// The same callback again: the state is spent.
		if st, page := r.callback(cb); st != 400 || !strings.Contains(page, "already used") {
			t.Fatalf("replay: %d\n%s", st, page)
		}
		// A tampered hmac on a fresh install.
		_, started = r.start(r.shop)
		cb = r.consent(started.AuthorizeURL)
		q := cb.Query()
		mac := q.Get("hmac")
		flipped := "0"
		if mac[len(mac)-1] == '0' {
			flipped = "1"
		}
		q.Set("hmac", mac[:len(mac)-1]+flipped) // always a different last digit
		if st, page := r.callback(withQuery(cb, q)); st != 400 || !strings.Contains(page, "the callback signature does not verify") {
			t.Fatalf("tampered: %d\n%s", st, page)
		}
		// A state concord never issued.
		q = cb.Query()
		q.Set("state", "made-up-state")
		q.Set("hmac", shopifyemu.CallbackHMAC(r.secret, q))
		if st, page := r.callback(withQuery(cb, q)); st != 400 || !strings.Contains(page, "unknown") {
			t.Fatalf("unknown state: %d\n%s", st, page)
		}
		// A callback, signed, for another shop than the install was started for.
		_, started = r.start(r.shop)
		cb = r.consent(started.AuthorizeURL)
		q = cb.Query()
		q.Set("shop", "demo-2.myshopify.com")
		q.Set("hmac", shopifyemu.CallbackHMAC(r.secret, q))
		if st, page := r.callback(withQuery(cb, q)); st != 400 || !strings.Contains(page, "install was started for") {
			t.Fatalf("other shop: %d\n%s", st, page)
		}
		h.do("GET", "/v1/entities/"+r.entityID+"/connections", h.token, nil, &list)
		if len(list.Data) != 1 {
			t.Fatalf("refused callbacks connected something: %+v", list.Data)
		}

		// A custom storefront domain is refused before anything is stored.
		var e errJSON
		if st := h.do("POST", "/v1/entities/"+r.entityID+"/connections/oauth", h.token, map[string]any{
			"connector": "shopify", "config": map[string]string{"shop": "shop.example.com", "api_base": r.emuURL},
			"client_id": r.clientID, "client_secret": r.secret}, &e); st != 400 || e.Error.Code != "invalid" {
			t.Fatalf("custom domain: %d %+v", st, e)
		}
		// A connector without OAuth is refused too.
		if st := h.do("POST", "/v1/entities/"+r.entityID+"/connections/oauth", h.token, map[string]any{
			"connector": "stripe", "config": map[string]string{}, "client_id": "x", "client_secret": "y"}, &e); st != 400 {
			t.Fatalf("stripe by oauth: %d %+v", st, e)
		}
		// The audit history has both halves, and no secret.
		st, audit := h.raw("GET", "/v1/audit", h.token, nil)
		if st != 200 || !strings.Contains(string(audit), "connection.oauth_start") || !strings.Contains(string(audit), "connection.oauth_complete") {
			t.Fatalf("audit: %d %s", st, cut(string(audit), 600))
		}
		if strings.Contains(string(audit), r.secret) {
			t.Fatal("the audit history carries the client secret")
		}
	})
}

// TestOAuthCallbackPageHoldsNoSecret: the callback page shows who was connected, never a
// credential, the code, or a query value echoed back.
func TestOAuthCallbackPageHoldsNoSecret(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		r := newOAuthRig(t, h)
		_, started := r.start(r.shop)
		cb := r.consent(started.AuthorizeURL)
		code := cb.Query().Get("code")
		st, page := r.callback(cb)
		if st != 200 {
			t.Fatalf("callback: %d\n%s", st, page)
		}
		for _, leak := range []string{r.secret, code, started.State, "shpat_", "shprt_", "shpss_"} {
			if strings.Contains(page, leak) {
				t.Fatalf("the callback page carries %q:\n%s", leak, page)
			}
		}
		// A refused callback does not echo what it was sent, escaped or not.
		q := cb.Query()
		q.Set("state", "<script>alert(1)</script>")
		st, page = r.callback(withQuery(cb, q))
		if st != 400 || strings.Contains(page, "alert(1)") || strings.Contains(page, code) {
			t.Fatalf("refused callback page: %d\n%s", st, page)
		}
	})
}

func withQuery(u *url.URL, q url.Values) *url.URL {
	v := *u
	v.RawQuery = q.Encode()
	return &v
}
