package shopifyemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Scopes is what an install grants whatever was asked.
const Scopes = "read_products,write_products,read_inventory,write_inventory,read_orders,read_fulfillments,read_locations"

// CallbackHMAC is the hmac parameter of an OAuth callback: hex
// HMAC-SHA256(secret) of the query without hmac and signature, parameters
// sorted by name and joined k=v with &.
func CallbackHMAC(secret string, q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strings.Join(q[k], ",")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strings.Join(parts, "&")))
	return hex.EncodeToString(mac.Sum(nil))
}

// authorize is GET /admin/oauth/authorize: the merchant approves at once
// and is sent back to redirect_uri with a one-time code. The shop is the
// shop parameter's, else the Host's, else the first.
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != e.clientID {
		writeRaw(w, http.StatusBadRequest, []byte(`{"errors":"Invalid client_id"}`))
		return
	}
	if err != nil || redirect.Host == "" {
		writeRaw(w, http.StatusBadRequest, []byte(`{"errors":"Invalid redirect_uri"}`))
		return
	}
	e.mu.Lock()
	s := e.shopByDomain(q.Get("shop"))
	if s == nil {
		s = e.shopByDomain(r.Host)
	}
	if s == nil {
		s = e.shops[0]
	}
	code := randomHex(16)
	e.codes[code] = s
	e.mu.Unlock()
	out := redirect.Query()
	out.Set("code", code)
	out.Set("host", base64.RawURLEncoding.EncodeToString([]byte("admin.shopify.com/store/"+strings.TrimSuffix(s.Domain, ".myshopify.com"))))
	out.Set("shop", s.Domain)
	out.Set("state", q.Get("state"))
	out.Set("timestamp", strconv.FormatInt(e.now().Unix(), 10))
	out.Set("hmac", CallbackHMAC(e.clientSecret, out))
	redirect.RawQuery = out.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// oauthError is Shopify's token-endpoint error.
func oauthError(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": code, "error_description": msg})
}

// accessToken is POST /admin/oauth/access_token: a code exchange
// (expiring: 1 for an expiring offline token) or a refresh, which rotates
// both tokens. JSON or form bodies are read.
func (e *Emulator) accessToken(w http.ResponseWriter, r *http.Request) {
	p := map[string]string{}
	raw, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil {
		for k, v := range body {
			switch x := v.(type) {
			case string:
				p[k] = x
			case float64:
				p[k] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				p[k] = strconv.FormatBool(x)
			}
		}
	} else if form, err := url.ParseQuery(string(raw)); err == nil {
		for k := range form {
			p[k] = form.Get(k)
		}
	}
	if p["client_id"] != e.clientID || !hmac.Equal([]byte(p["client_secret"]), []byte(e.clientSecret)) {
		oauthError(w, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ttl := e.opts.TokenTTL
	if ttl < 0 {
		ttl = time.Hour
	}
	var g grant
	if p["grant_type"] == "refresh_token" {
		rt, ok := e.refresh[p["refresh_token"]]
		if !ok || !e.now().Before(rt.expires) {
			oauthError(w, "invalid_request", "The refresh token is invalid, expired or was already used.")
			return
		}
		delete(e.refresh, p["refresh_token"])
		g = e.issue(rt.shop, ttl)
		e.repoint(rt.shop, g)
	} else {
		s, ok := e.codes[p["code"]]
		if !ok {
			oauthError(w, "invalid_request", "The authorization code was not found or was already used.")
			return
		}
		delete(e.codes, p["code"])
		if p["expiring"] != "1" && p["expiring"] != "true" {
			ttl = 0
		}
		g = e.issue(s, ttl)
	}
	out := map[string]any{"access_token": g.access, "scope": Scopes}
	if g.refresh != "" {
		out["expires_in"] = int64(g.expiresIn / time.Second)
		out["refresh_token"] = g.refresh
		out["refresh_token_expires_in"] = int64(refreshTTL / time.Second)
	}
	writeJSON(w, http.StatusOK, out)
}

// repoint makes a refreshed grant the shop's control-API credentials when
// it replaced them, so GET /_emulator/credentials stays current.
func (e *Emulator) repoint(s *shop, g grant) {
	if cur := e.primary[s]; cur.refresh != "" {
		if _, live := e.refresh[cur.refresh]; !live {
			e.primary[s] = g
		}
	}
}
