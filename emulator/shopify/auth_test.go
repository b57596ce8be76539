package shopifyemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock safe to read from handlers.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const invalidToken = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`

func (b *bundle) shopStatus(t *testing.T, token string) (int, string) {
	t.Helper()
	resp, body := b.post(t, "/admin/api/2025-01/graphql.json", token, map[string]any{"query": "{ shop { name } }"})
	return resp.StatusCode, string(body)
}

func TestBadAndExpiredTokens(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	b := setup(t, Options{Now: clock.Now})
	if code, body := b.shopStatus(t, "shpat_wrong"); code != 401 || body != invalidToken {
		t.Fatalf("bad token: %d %s", code, body)
	}
	if code, _ := b.shopStatus(t, b.creds.AccessToken); code != 200 || b.creds.RefreshToken == "" || b.creds.ExpiresIn != 3600 {
		t.Fatalf("fresh token: %d %+v", code, b.creds)
	}
	clock.Add(time.Hour)
	if code, body := b.shopStatus(t, b.creds.AccessToken); code != 401 || body != invalidToken {
		t.Fatalf("expired token: %d %s", code, body)
	}
	// The refresh token still works and rotates.
	g := b.token(t, map[string]any{"grant_type": "refresh_token", "refresh_token": b.creds.RefreshToken}, 200)
	if code, _ := b.shopStatus(t, g["access_token"].(string)); code != 200 {
		t.Fatal("refreshed token refused")
	}
	if e := b.token(t, map[string]any{"grant_type": "refresh_token", "refresh_token": b.creds.RefreshToken}, 400); e["error"] != "invalid_request" {
		t.Fatalf("reused refresh token: %v", e)
	}
}

func TestTokenFaults(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	b.fault(t, FaultExpireToken, 1)
	if code, _ := b.shopStatus(t, b.creds.AccessToken); code != 401 {
		t.Fatal("expire_token did not answer 401")
	}
	if code, _ := b.shopStatus(t, b.creds.AccessToken); code != 401 {
		t.Fatal("expired token came back")
	}
	c := b.e.Credentials()
	if c.AccessToken == b.creds.AccessToken {
		t.Fatal("credentials did not issue a fresh token")
	}
	b.fault(t, FaultServerError, 1)
	if code, body := b.shopStatus(t, c.AccessToken); code != 500 || body != `{"errors":"Internal Server Error"}` {
		t.Fatalf("server_error: %d %s", code, body)
	}
	b.fault(t, FaultRevokeToken, 1)
	if code, _ := b.shopStatus(t, c.AccessToken); code != 401 {
		t.Fatal("revoke_token did not answer 401")
	}
	if _, ok := b.e.refresh[c.RefreshToken]; ok {
		t.Fatal("refresh token survived revocation")
	}
}

func (b *bundle) fault(t *testing.T, kind string, count int) {
	t.Helper()
	if resp, body := b.post(t, "/_emulator/faults", "", map[string]any{"kind": kind, "count": count}); resp.StatusCode != 200 {
		t.Fatalf("fault: %s", body)
	}
}

// token calls the token endpoint with the app's client credentials.
func (b *bundle) token(t *testing.T, body map[string]any, want int) map[string]any {
	t.Helper()
	body["client_id"], body["client_secret"] = b.creds.ClientID, b.creds.ClientSecret
	resp, raw := b.post(t, "/admin/oauth/access_token", "", body)
	if resp.StatusCode != want {
		t.Fatalf("token: %d %s", resp.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

func TestOAuthRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {b.creds.ClientID}, "scope": {Scopes}, "state": {"nonce-1"},
		"redirect_uri": {"https://hub.example/oauth/callback"}}
	resp, err := client.Get(b.srv.URL + "/admin/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Host != "hub.example" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	cb := loc.Query()
	// The HMAC, computed here independently of the emulator's helper.
	var parts []string
	for k, v := range cb {
		if k != "hmac" && k != "signature" {
			parts = append(parts, k+"="+v[0])
		}
	}
	sort.Strings(parts)
	mac := hmac.New(sha256.New, []byte(b.creds.ClientSecret))
	mac.Write([]byte(strings.Join(parts, "&")))
	if want := hex.EncodeToString(mac.Sum(nil)); cb.Get("hmac") != want || cb.Get("state") != "nonce-1" ||
		cb.Get("shop") != "demo.myshopify.com" || cb.Get("code") == "" || cb.Get("timestamp") == "" || cb.Get("host") == "" {
		t.Fatalf("callback %v (want hmac %s)", cb, want)
	}
	g := b.token(t, map[string]any{"code": cb.Get("code"), "expiring": 1}, 200)
	if !strings.HasPrefix(g["access_token"].(string), "shpat_") || !strings.HasPrefix(g["refresh_token"].(string), "shprt_") ||
		g["expires_in"] != 3600.0 || g["refresh_token_expires_in"] != 7776000.0 || g["scope"] != Scopes {
		t.Fatalf("grant = %v", g)
	}
	if code, _ := b.shopStatus(t, g["access_token"].(string)); code != 200 {
		t.Fatal("OAuth token refused")
	}
	if e := b.token(t, map[string]any{"code": cb.Get("code"), "expiring": 1}, 400); e["error"] != "invalid_request" ||
		e["error_description"] == "" {
		t.Fatalf("reused code: %v", e)
	}
	r := b.token(t, map[string]any{"grant_type": "refresh_token", "refresh_token": g["refresh_token"]}, 200)
	if r["refresh_token"] == g["refresh_token"] || r["access_token"] == g["access_token"] {
		t.Fatalf("refresh did not rotate: %v", r)
	}
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxAvailable: 1000, RestoreRate: 500})
	a := b.gqlRaw(t, qItemIDs, map[string]any{"first": 250})
	c := a.Extensions.Cost
	if c.Requested != 502 || c.Actual != 22 || c.ThrottleStatus.Max != 1000 || c.ThrottleStatus.Rate != 500 ||
		c.ThrottleStatus.Available < 970 {
		t.Fatalf("cost = %+v", c)
	}
	// 10 items exist: 2 + 10 × 2 actual, so the bucket is drained by requested cost of repeated calls
	// only when each uses its whole request; ask for a costly query twice in a row.
	big := `{ products(first: 4) { nodes { id variants(first: 100) { nodes { id inventoryItem { id } } } } } }`
	first := b.gqlRaw(t, big, nil)
	if first.Extensions.Cost.Requested != 2+4*(1+2+100*2) {
		t.Fatalf("requested = %+v", first.Extensions.Cost)
	}
	b.e.mu.Lock()
	b.e.shops[0].graphql.available = 100 // drain
	b.e.mu.Unlock()
	th := b.gqlRaw(t, big, nil)
	if len(th.Errors) != 1 || th.Errors[0].Extensions["code"] != "THROTTLED" || th.Data != nil ||
		th.Extensions.Cost.ThrottleStatus.Available >= 814 {
		t.Fatalf("throttled = %+v", th)
	}
	time.Sleep(1500 * time.Millisecond)
	if ok := b.gqlRaw(t, big, nil); len(ok.Errors) != 0 {
		t.Fatalf("after waiting: %+v", ok)
	}
	b.fault(t, FaultRateLimit, 1)
	if th := b.gqlRaw(t, `{ shop { name } }`, nil); len(th.Errors) != 1 || th.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("rate_limit fault = %+v", th)
	}
}

func TestRESTShopAndBucket(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	get := func() *http.Response {
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/admin/api/2025-01/shop.json", nil)
		req.Header.Set("X-Shopify-Access-Token", b.creds.AccessToken)
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get()
	var body struct {
		Shop map[string]any `json:"shop"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "1/40" ||
		body.Shop["myshopify_domain"] != "demo.myshopify.com" {
		t.Fatalf("shop.json: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	var last *http.Response
	for range 45 {
		last = get()
		last.Body.Close()
		if last.StatusCode == 429 {
			break
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") != "1.0" {
		t.Fatalf("no 429 after 46 calls: %d", last.StatusCode)
	}
}
