package connector

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const planted = "sk_live_51HplantedSecretValueXYZ1234"

func TestRedactPlantedSecretInAllEncodings(t *testing.T) {
	t.Parallel()
	forms := []string{
		planted,
		base64.StdEncoding.EncodeToString([]byte(planted)),
		base64.RawURLEncoding.EncodeToString([]byte(planted)),
		base64.StdEncoding.EncodeToString([]byte(planted + ":")),
		url.QueryEscape(planted),
	}
	for _, f := range forms {
		got := Redact("before "+f+" after", planted)
		if strings.Contains(got, f) || strings.Contains(got, "51Hplanted") {
			t.Errorf("Redact left %q in %q", f, got)
		}
		if !strings.Contains(got, "sk_live_••••1234") {
			t.Errorf("Redact(%q) = %q; want the vault mask", f, got)
		}
	}
	// An opaque credential with no recognisable shape is caught by value only.
	plaid := "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5"
	if got := Redact(`{"error":"bad PLAID-SECRET `+plaid+`"}`, plaid); strings.Contains(got, plaid) {
		t.Errorf("got %q", got)
	}
}

func TestRedactCredentialShapes(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"key rk_test_abcdefghijklmnop1234 used",
		"pk_live_abcdefghijklmnopqrstu",
		"whsec_abcdefghijklmnopqrstuvwx",
		"token shpat_0123456789abcdef0123456789abcdef",
		"shippo_test_0123456789abcdef0123456789",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
		"Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=",
		"Authorization: ShippoToken shippo_live_0123456789abcdef",
		`{"access_token":"atok-1234567890abcdef","expires_in":3600}`,
		`{"refresh_token": "rtok-1234567890abcdef"}`,
		`{"client_secret":"cs-1234567890abcdef"}`,
		`{"password":"hunter2hunter2"}`,
		`{"secret":"s3cr3t-s3cr3t-s3cr3t`, // cut short by the excerpt, still masked
	} {
		got := Redact(in)
		if got == in || strings.Contains(got, "1234567890abcdef") || strings.Contains(got, "hunter2") ||
			strings.Contains(got, "dXNlcm5hbWU6cGFzc3dvcmQ") || strings.Contains(got, "eyJzdWIiOiIxIn0") {
			t.Errorf("Redact(%q) = %q", in, got)
		}
	}
	// Prose is left alone.
	for _, in := range []string{"Basic plan", "the bearer of bad news", `{"secret_santa":true}`} {
		if got := Redact(in); got != in {
			t.Errorf("Redact(%q) = %q; want unchanged", in, got)
		}
	}
}

func TestRedactedTargetDropsSensitiveQueryValues(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://api.goshippo.com/addresses?results=1&token=abc123&api_key=k&access_token=t&code=xyz&page=2")
	got := redactedTarget("GET", u)
	want := "GET /addresses?access_token=[redacted]&api_key=[redacted]&code=[redacted]&page=2&results=1&token=[redacted]"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// The service echoes the credential back (headers and body), as badly behaved error pages do;
// nothing the client logs may contain it.
func TestLogNeverContainsPlantedSecret(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"Invalid API Key provided: `+planted+`","auth":"`+r.Header.Get("Authorization")+
			`","b64":"`+base64.StdEncoding.EncodeToString([]byte(planted))+`","q":"`+r.URL.RawQuery+`"}}`)
	})
	c := b.sandbox(planted)
	for _, path := range []string{"/v1/balance", "/v1/" + planted, "/v1/charges?key=" + url.QueryEscape(planted)} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.SetBasicAuth(planted, "")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), planted) {
			t.Fatalf("the caller must still get the service's body unchanged: %s", body)
		}
		req, _ = http.NewRequest("POST", srv.URL+path, strings.NewReader("x=1"))
		req.Header.Set("Authorization", "Bearer "+planted)
		if resp, err = c.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	entries := b.sink.all()
	if len(entries) != 6 {
		t.Fatalf("%d entries", len(entries))
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(planted))
	basic := base64.StdEncoding.EncodeToString([]byte(planted + ":"))
	for _, e := range entries {
		for _, s := range []string{e.Excerpt, e.Operation} {
			if strings.Contains(s, "51Hplanted") || strings.Contains(s, b64) || strings.Contains(s, basic) {
				t.Errorf("log leaks the secret: %q", s)
			}
		}
		if !strings.Contains(e.Excerpt, "401") || !strings.Contains(e.Excerpt, "Invalid API Key") {
			t.Errorf("excerpt lost its useful part: %q", e.Excerpt)
		}
	}
}
