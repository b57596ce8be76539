package shopifyemu

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// errInvalidToken is Shopify's body for a bad, expired or revoked token.
const errInvalidToken = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`

// refreshTTL is how long a refresh token lives (Shopify: 90 days).
const refreshTTL = 90 * 24 * time.Hour

// token is one access token; a zero expires never expires.
type token struct {
	shop    *shop
	expires time.Time
	revoked bool
}

// refreshToken is one refresh token of an expiring offline token; a used
// one is deleted.
type refreshToken struct {
	shop    *shop
	expires time.Time
}

// grant is the pair an install or a refresh hands out.
type grant struct {
	access, refresh string
	expiresIn       time.Duration // 0 for a non-expiring token
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// issue mints a token for s, expiring after ttl (ttl <= 0: never) with a
// refresh token when it expires; e.mu must be held.
func (e *Emulator) issue(s *shop, ttl time.Duration) grant {
	g := grant{access: "shpat_" + randomHex(16)}
	t := &token{shop: s}
	if ttl > 0 {
		t.expires = e.now().Add(ttl)
		g.expiresIn = ttl
		g.refresh = "shprt_" + randomHex(16)
		e.refresh[g.refresh] = &refreshToken{shop: s, expires: e.now().Add(refreshTTL)}
	}
	e.tokens[g.access] = t
	return g
}

// valid reports whether tok is a live token; e.mu must be held.
func (e *Emulator) valid(tok string) (*token, bool) {
	t, ok := e.tokens[tok]
	if !ok || t.revoked || !t.expires.IsZero() && !e.now().Before(t.expires) {
		return nil, false
	}
	return t, true
}

// authenticate finds the shop of the request's token, answering 401 itself
// when there is none.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request) (*shop, string, bool) {
	tok := r.Header.Get("X-Shopify-Access-Token")
	e.mu.Lock()
	t, ok := e.valid(tok)
	e.mu.Unlock()
	if !ok {
		writeRaw(w, http.StatusUnauthorized, []byte(errInvalidToken))
		return nil, "", false
	}
	return t.shop, tok, true
}

// revokeShop uninstalls the app from s: every token and refresh token of
// the shop stops working, app/uninstalled fires, and (as Shopify does on
// uninstall) the shop's webhook subscriptions are removed. e.mu must be held.
func (e *Emulator) revokeShop(s *shop) {
	for _, t := range e.tokens {
		if t.shop == s {
			t.revoked = true
		}
	}
	for k, rt := range e.refresh {
		if rt.shop == s {
			delete(e.refresh, k)
		}
	}
	e.fire(s, "app/uninstalled", map[string]any{"id": s.ID, "domain": s.Domain})
	s.webhooks = newSubscriptionTable()
}

// writeRaw answers a JSON body.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
