package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

const (
	oauthSecret = "shpss_OAuthClientSecretForConcordTests00"
	oauthState  = "nonce-7f3a"
)

// callbackQuery builds a callback the way the wire doc says Shopify signs it, computing
// the HMAC here with crypto/hmac over the literal message (not with the code under test).
func callbackQuery(secret string, ts int64) url.Values {
	msg := "code=0907a61c0c8d55e99db179b68161bc00&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw&shop=demo.myshopify.com&state=" +
		oauthState + "&timestamp=" + itoa(ts)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	q, _ := url.ParseQuery(msg)
	q.Set("hmac", hex.EncodeToString(m.Sum(nil)))
	return q
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestVerifyCallback(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	shop, code, err := VerifyCallback(callbackQuery(oauthSecret, now.Unix()-60), oauthSecret, oauthState, now)
	if err != nil || shop != "demo.myshopify.com" || code != "0907a61c0c8d55e99db179b68161bc00" {
		t.Fatalf("shop %q code %q err %v", shop, code, err)
	}
	tamper := callbackQuery(oauthSecret, now.Unix())
	tamper.Set("shop", "evil.myshopify.com")
	for _, tc := range []struct {
		name string
		q    url.Values
		want error
	}{
		{"wrong secret", callbackQuery("shpss_other", now.Unix()), ErrCallbackSignature},
		{"tampered shop", tamper, ErrCallbackSignature},
		{"no hmac", url.Values{"shop": {"demo.myshopify.com"}}, ErrCallbackSignature},
		{"old timestamp", callbackQuery(oauthSecret, now.Add(-25*time.Hour).Unix()), ErrCallbackExpired},
		{"future timestamp", callbackQuery(oauthSecret, now.Add(time.Hour).Unix()), ErrCallbackExpired},
	} {
		if _, _, err := VerifyCallback(tc.q, oauthSecret, oauthState, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, _, err := VerifyCallback(callbackQuery(oauthSecret, now.Unix()), oauthSecret, "another-nonce", now); !errors.Is(err, ErrCallbackState) {
		t.Errorf("bad state: err = %v", err)
	}
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	got, err := AuthorizeURL("https://demo.myshopify.com/admin", "client123", "https://hub.example/oauth/shopify", oauthState, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q := u.Query()
	if u.Host != "demo.myshopify.com" || u.Path != "/admin/oauth/authorize" || q.Get("client_id") != "client123" ||
		q.Get("state") != oauthState || q.Get("redirect_uri") != "https://hub.example/oauth/shopify" ||
		q.Get("scope") != strings.Join(DefaultScopes, ",") {
		t.Fatalf("url = %s", got)
	}
	if _, err := AuthorizeURL("shop.example.com", "c", "https://hub.example/cb", "s", nil); concord.ErrorCode(err) != concord.EINVALID {
		t.Fatalf("custom domain: %v", err)
	}
}

// tokenEndpoint answers the OAuth token endpoint, recording the grants it got.
func tokenEndpoint(t *testing.T, f *fake, grants *[]map[string]any) {
	f.other = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/oauth/access_token" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var g map[string]any
		_ = json.Unmarshal(raw, &g)
		*grants = append(*grants, g)
		if g["client_secret"] != oauthSecret || (g["code"] == nil && g["refresh_token"] != "shprt_old") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_request","error_description":"bad grant"}`)
			return
		}
		io.WriteString(w, `{"access_token":"shpat_fffffffffffffffffffffffffffffff1","scope":"read_products","expires_in":3600,"refresh_token":"shprt_new","refresh_token_expires_in":7776000}`)
	}
}

func TestExchangeCode(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var grants []map[string]any
	tokenEndpoint(t, f, &grants)
	tok, err := ExchangeCode(context.Background(), f.srv.Client(), f.srv.URL, "client123", oauthSecret, "code1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "shpat_fffffffffffffffffffffffffffffff1" || tok.RefreshToken != "shprt_new" || tok.Scope != "read_products" ||
		time.Until(tok.ExpiresAt) < 59*time.Minute {
		t.Fatalf("token = %+v", tok)
	}
	if g := grants[0]; g["expiring"] != 1.0 || g["code"] != "code1" || g["client_id"] != "client123" {
		t.Fatalf("grant = %v", g)
	}
	_, err = ExchangeCode(context.Background(), f.srv.Client(), f.srv.URL, "client123", "shpss_wrong", "code1")
	if connector.ClassOf(err) != concord.ClassAuthExpired || strings.Contains(err.Error(), "shpss_wrong") {
		t.Fatalf("refused grant: %v", err)
	}
}
