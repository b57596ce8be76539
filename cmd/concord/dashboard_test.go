package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/store/storetest"
)

// uiClient is a browser without a browser: a cookie jar, no redirects followed, so each
// answer can be checked as sent.
type uiClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newUIClient(t *testing.T, base string) *uiClient {
	jar, _ := cookiejar.New(nil)
	return &uiClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (u *uiClient) get(path string, header ...string) (*http.Response, string) {
	u.t.Helper()
	req, _ := http.NewRequest("GET", u.base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return u.send(req)
}

func (u *uiClient) post(path string, form url.Values) (*http.Response, string) {
	u.t.Helper()
	req, _ := http.NewRequest("POST", u.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.send(req)
}

func (u *uiClient) send(req *http.Request) (*http.Response, string) {
	u.t.Helper()
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		u.csrf = m[1]
	}
	return resp, string(b)
}

// signIn signs in with token through the sign-in form, as a person would.
func (u *uiClient) signIn(token string) {
	u.t.Helper()
	u.get("/ui/login")
	resp, body := u.post("/ui/login", url.Values{"csrf": {u.csrf}, "token": {token}, "next": {"/ui/"}})
	if resp.StatusCode != http.StatusSeeOther {
		u.t.Fatalf("sign in: %d\n%s", resp.StatusCode, cut(body, 500))
	}
	u.get("/ui/") // picks up the session's CSRF token from the next page
	resp, _ = u.get(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		u.t.Fatalf("after sign in: %d", resp.StatusCode)
	}
}

// TestDashboardRefusesBadInput: expired session, missing CSRF token, a viewer trying an
// admin action, another entity's ids in the URL, oversized form fields, script in names,
// a revoked token — each refused or escaped, and nothing changed.
func TestDashboardRefusesBadInput(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			h := setup(t, b)
			mine := h.entity(`Acme <script>alert("x")</script>`, "sandbox")
			other := h.entity("Other Co", "sandbox")
			creds := sandboxCreds(h.emulatorCreds(h.emuURL))
			conn := h.connectStripe(mine.ID, creds, h.emuURL)
			otherConn := h.connectStripe(other.ID, creds, h.emuURL)

			// A viewer scoped to the first entity.
			var viewer struct{ ID, Token string }
			if st := h.do("POST", "/v1/api-keys", h.token, map[string]any{"name": "viewer", "role": "viewer",
				"entity_ids": []string{mine.ID}}, &viewer); st != 201 {
				t.Fatalf("create viewer key: %d", st)
			}

			anon := newUIClient(t, h.app.URL)
			resp, _ := anon.get("/ui/e/" + mine.ID + "/integrations")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/login") {
				t.Fatalf("anonymous page: %d to %q, want a redirect to sign-in", resp.StatusCode, resp.Header.Get("Location"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}

			// Sign-in: a wrong token, and a form without its cookie, start no session.
			anon.get("/ui/login")
			resp, body := anon.post("/ui/login", url.Values{"csrf": {anon.csrf}, "token": {"cct_wrong"}})
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not valid") {
				t.Errorf("wrong token: %d", resp.StatusCode)
			}
			bare := newUIClient(t, h.app.URL)
			resp, _ = bare.post("/ui/login", url.Values{"csrf": {"guess"}, "token": {h.token}})
			if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) > 0 && resp.Cookies()[0].Name == "concord_session" {
				t.Errorf("sign-in without its CSRF cookie: %d %v", resp.StatusCode, resp.Cookies())
			}
			// A huge sign-in form is refused whole.
			resp, _ = anon.post("/ui/login", url.Values{"csrf": {anon.csrf}, "token": {strings.Repeat("a", 100<<10)}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("oversized sign-in form: %d", resp.StatusCode)
			}

			admin := newUIClient(t, h.app.URL)
			admin.get("/ui/login")
			resp, _ = admin.post("/ui/login", url.Values{"csrf": {admin.csrf}, "token": {h.token}, "next": {"https://evil.example/"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
				t.Fatalf("sign in: %d to %q (an outside next must not be followed)", resp.StatusCode, resp.Header.Get("Location"))
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "concord_session" {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", session)
			}

			// Script in a name is shown as text.
			resp, body = admin.get("/ui/e/" + mine.ID + "/integrations")
			if resp.StatusCode != 200 {
				t.Fatalf("integrations: %d", resp.StatusCode)
			}
			if strings.Contains(body, `<script>alert("x")</script>`) || !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
				t.Error("the entity name's script is not escaped on the page")
			}

			// Every page and tab renders.
			for _, p := range []string{"/ui/e/" + mine.ID + "/sync", "/ui/e/" + mine.ID + "/sync?direction=outbound",
				"/ui/c/" + conn.ID, "/ui/c/" + conn.ID + "?tab=webhooks", "/ui/c/" + conn.ID + "?tab=logs&outcome=ok",
				"/ui/c/" + conn.ID + "?tab=objects", "/ui/c/" + conn.ID + "/disconnect", "/ui/audit", "/ui/audit?action=connection",
				"/ui/e/" + mine.ID + "/connect", "/ui/e/" + mine.ID + "/connect/stripe", "/ui/e/" + mine.ID + "/connect/shopify"} {
				if resp, body := admin.get(p); resp.StatusCode != 200 {
					t.Errorf("GET %s: %d\n%s", p, resp.StatusCode, cut(body, 400))
				}
			}
			if resp, _ := admin.get("/ui/e/" + mine.ID + "/sync?direction=sideways"); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("unknown direction: %d", resp.StatusCode)
			}
			if resp, _ := admin.get("/ui/c/" + conn.ID + "?tab=logs&outcome=maybe"); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("unknown log filter: %d", resp.StatusCode)
			}

			// Connect through the form built from the catalog: a refused credential shows the
			// form again without echoing the secret; a good one connects.
			resp, body = admin.post("/ui/e/"+other.ID+"/connect/stripe", url.Values{"csrf": {admin.csrf},
				"cred.secret_key": {"sk_test_wrongwrongwrong123456"}, "config.api_base": {h.emuURL}})
			if resp.StatusCode < 400 || strings.Contains(body, "sk_test_wrongwrongwrong123456") || !strings.Contains(body, h.emuURL) {
				t.Errorf("refused connect: %d, secret echoed %v, api_base kept %v", resp.StatusCode,
					strings.Contains(body, "sk_test_wrongwrongwrong123456"), strings.Contains(body, h.emuURL))
			}
			resp, _ = admin.post("/ui/e/"+other.ID+"/connect/stripe", url.Values{"csrf": {admin.csrf},
				"cred.secret_key": {creds["secret_key"]}, "cred.publishable_key": {creds["publishable_key"]}, "config.api_base": {h.emuURL}})
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/c/con_") {
				t.Errorf("connect by form: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			// A live key in a sandbox entity is refused with the choice to store it held in error.
			allCreds := h.emulatorCreds(h.emuURL)
			resp, body = admin.post("/ui/e/"+other.ID+"/connect/stripe", url.Values{"csrf": {admin.csrf},
				"cred.secret_key": {allCreds["live_secret_key"]}, "config.api_base": {h.emuURL}})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `name="confirm_mode_mismatch"`) ||
				strings.Contains(body, allCreds["live_secret_key"]) {
				t.Errorf("live key in a sandbox entity: %d, offers to confirm %v", resp.StatusCode, strings.Contains(body, "confirm_mode_mismatch"))
			}
			// Shopify's OAuth: the form sends the browser to the shop's authorize page.
			resp, _ = admin.post("/ui/e/"+mine.ID+"/connect/shopify", url.Values{"csrf": {admin.csrf}, "method": {"oauth"},
				"config.shop": {"acme.myshopify.com"}, "client_id": {"app-client"}, "client_secret": {"app-secret"}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther ||
				!strings.HasPrefix(loc, "https://acme.myshopify.com/admin/oauth/authorize?") || !strings.Contains(loc, "client_id=app-client") {
				t.Errorf("OAuth start: %d to %q", resp.StatusCode, loc)
			}

			// Recovering missed events asks Stripe for what it kept and says what it found.
			resp, _ = admin.post("/ui/c/"+conn.ID+"/webhooks/recover", url.Values{"csrf": {admin.csrf}, "tab": {"webhooks"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("recover: %d", resp.StatusCode)
			} else if _, body := admin.get(resp.Header.Get("Location")); !strings.Contains(body, "event(s) the service kept") {
				t.Errorf("recover: the page does not say what was found: %s", cut(body, 300))
			}
			// Fixes refuse ids of other connections.
			for _, p := range []string{"/ui/c/" + conn.ID + "/sync-runs/run_notthis/cancel", "/ui/c/" + conn.ID + "/webhook-events/whe_notthis/replay"} {
				if resp, _ := admin.post(p, url.Values{"csrf": {admin.csrf}}); resp.StatusCode != http.StatusNotFound {
					t.Errorf("POST %s: %d, want 404", p, resp.StatusCode)
				}
			}

			// Tokens: an admin makes a scoped operator token in the dashboard, shown once; a
			// colleague signs in with it and sees only that entity; revoking it ends the session.
			resp, body = admin.post("/ui/tokens", url.Values{"csrf": {admin.csrf}, "name": {"Dana"}, "role": {"operator"},
				"scope": {"some"}, "entity": {mine.ID}})
			tok := regexp.MustCompile(`value="(cct_[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
			if resp.StatusCode != http.StatusCreated || tok == nil || resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("create token: %d, token shown %v, cache %q", resp.StatusCode, tok != nil, resp.Header.Get("Cache-Control"))
			}
			if _, listed := admin.get("/ui/tokens"); !strings.Contains(listed, "Dana") || strings.Contains(listed, tok[1]) {
				t.Error("the token list does not show Dana, or shows the token itself again")
			}
			dana := newUIClient(t, h.app.URL)
			dana.signIn(tok[1])
			if resp, _ := dana.get("/ui/e/" + mine.ID + "/integrations"); resp.StatusCode != 200 {
				t.Errorf("Dana's entity: %d", resp.StatusCode)
			}
			if resp, _ := dana.get("/ui/e/" + other.ID + "/integrations"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another entity for Dana: %d", resp.StatusCode)
			}
			if resp, _ := dana.get("/ui/tokens"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("an operator on the tokens page: %d", resp.StatusCode)
			}
			if resp, _ := admin.post("/ui/tokens", url.Values{"csrf": {admin.csrf}, "name": {"x"}, "role": {"operator"},
				"scope": {"some"}}); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("a token scoped to no entity: %d", resp.StatusCode)
			}
			var keys struct {
				Data []struct{ ID, Name string }
			}
			h.do("GET", "/v1/api-keys", h.token, nil, &keys)
			danaID := ""
			for _, k := range keys.Data {
				if k.Name == "Dana" {
					danaID = k.ID
				}
			}
			if resp, _ := admin.post("/ui/tokens/"+danaID+"/revoke", url.Values{"csrf": {admin.csrf}}); danaID == "" || resp.StatusCode != http.StatusSeeOther {
				t.Errorf("revoke Dana (%q): %d", danaID, resp.StatusCode)
			}
			if resp, _ := dana.get("/ui/e/" + mine.ID + "/integrations"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("Dana's session after the revoke: %d", resp.StatusCode)
			}

			// A new entity from the dashboard; a bad environment shows the form again.
			if resp, body := admin.post("/ui/entities", url.Values{"csrf": {admin.csrf}, "name": {"Acme GmbH"}, "mode": {"staging"}}); resp.StatusCode < 400 || !strings.Contains(body, "Acme GmbH") {
				t.Errorf("entity with a bad mode: %d", resp.StatusCode)
			}
			resp, _ = admin.post("/ui/entities", url.Values{"csrf": {admin.csrf}, "name": {"Acme GmbH"}, "mode": {"production"}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/e/ent_") {
				t.Errorf("new entity: %d to %q", resp.StatusCode, loc)
			} else if _, body := admin.get(loc); !strings.Contains(body, "Acme GmbH") || !strings.Contains(body, ">Production<") {
				t.Error("the new entity's page does not show it as production")
			}

			// The audit page verifies the chain on demand and says so.
			resp, _ = admin.post("/ui/audit/verify", url.Values{"csrf": {admin.csrf}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("verify the audit chain: %d", resp.StatusCode)
			}
			if _, body := admin.get("/ui/audit"); !strings.Contains(body, "Chain intact") {
				t.Error("the audit page does not show the chain verified intact")
			}

			// A form without its CSRF token changes nothing.
			before, _ := h.app.db.GetConnection(t.Context(), conn.ID)
			resp, body = admin.post("/ui/c/"+conn.ID+"/test", url.Values{})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
				t.Errorf("form without CSRF: %d", resp.StatusCode)
			}
			resp, _ = admin.post("/ui/c/"+conn.ID+"/test", url.Values{"csrf": {"forged"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("form with a wrong CSRF token: %d", resp.StatusCode)
			}
			after, _ := h.app.db.GetConnection(t.Context(), conn.ID)
			if !equalTimes(before.LastTestedAt, after.LastTestedAt) {
				t.Error("a refused form still ran the test")
			}
			// With the token the same form works.
			resp, _ = admin.post("/ui/c/"+conn.ID+"/test", url.Values{"csrf": {admin.csrf}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("form with CSRF: %d", resp.StatusCode)
			}

			// Oversized fields are refused whole, with a message.
			resp, body = admin.post("/ui/c/"+conn.ID+"/credentials", url.Values{"csrf": {admin.csrf}, "cred.secret_key": {strings.Repeat("k", 5000)}})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "longer than") {
				t.Errorf("oversized field: %d", resp.StatusCode)
			}
			resp, _ = admin.post("/ui/c/"+conn.ID+"/credentials", url.Values{"csrf": {admin.csrf}, "x": {strings.Repeat("k", 70<<10)}})
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("oversized form: %d", resp.StatusCode)
			}

			// A viewer sees no admin buttons, and an admin action is refused.
			v := newUIClient(t, h.app.URL)
			v.signIn(viewer.Token)
			resp, body = v.get("/ui/e/" + mine.ID + "/integrations")
			if resp.StatusCode != 200 || strings.Contains(body, "/disconnect") || strings.Contains(body, `/test"`) {
				t.Errorf("viewer's integrations page: %d, disconnect or test shown: %v", resp.StatusCode, strings.Contains(body, "/disconnect"))
			}
			resp, _ = v.post("/ui/c/"+conn.ID+"/disconnect", url.Values{"csrf": {v.csrf}, "confirm": {conn.ID}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer disconnect: %d", resp.StatusCode)
			}
			if c, _ := h.app.db.GetConnection(t.Context(), conn.ID); c.State == "disconnected" {
				t.Error("a viewer disconnected a connection")
			}
			if resp, _ := v.post("/ui/entities", url.Values{"csrf": {v.csrf}, "name": {"x"}, "mode": {"sandbox"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a viewer creating an entity: %d", resp.StatusCode)
			}
			// Another entity's ids are not found, exactly like ids that do not exist.
			for _, p := range []string{"/ui/e/" + other.ID + "/integrations", "/ui/c/" + otherConn.ID, "/ui/c/" + otherConn.ID + "?tab=logs",
				"/ui/audit?entity=" + other.ID, "/ui/c/con_doesnotexist"} {
				if resp, _ := v.get(p); resp.StatusCode != http.StatusNotFound {
					t.Errorf("viewer GET %s: %d, want 404", p, resp.StatusCode)
				}
			}
			resp, _ = v.post("/ui/c/"+otherConn.ID+"/test", url.Values{"csrf": {v.csrf}})
			if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
				t.Errorf("viewer test on another entity: %d", resp.StatusCode)
			}

			// A policy change through the Accounting form is audited; a field the engine does
			// not compare is refused.
			resp, _ = admin.post("/ui/c/"+conn.ID+"/policies", url.Values{"csrf": {admin.csrf}, "tab": {"accounting"},
				"kind": {"order"}, "field": {"total"}, "policy": {"service_wins"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("policy form: %d", resp.StatusCode)
			}
			var pols struct {
				Data []struct{ Kind, Field, Policy string }
			}
			h.do("GET", "/v1/connections/"+conn.ID+"/policies", h.token, nil, &pols)
			found := false
			for _, p := range pols.Data {
				found = found || (p.Kind == "order" && p.Field == "total" && p.Policy == "service_wins")
			}
			if !found {
				t.Errorf("the policy form did not change order.total: %+v", pols.Data)
			}
			var auditList struct {
				Data []struct{ Action, Detail string }
			}
			h.do("GET", "/v1/audit?resource=connection:"+conn.ID, h.token, nil, &auditList)
			if len(auditList.Data) == 0 || auditList.Data[0].Action != "policy.put" || auditList.Data[0].Detail != "order.total" {
				t.Errorf("the policy change is not audited: %+v", auditList.Data)
			}
			if st := h.do("PUT", "/v1/connections/"+conn.ID+"/policies", h.token, map[string]any{"kind": "order", "field": "colour",
				"policy": "manual"}, nil); st != http.StatusBadRequest {
				t.Errorf("policy on a field that is not compared: %d", st)
			}

			// Disconnect needs its confirmation.
			resp, _ = admin.post("/ui/c/"+conn.ID+"/disconnect", url.Values{"csrf": {admin.csrf}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("disconnect without confirmation: %d", resp.StatusCode)
			}

			// Bearer tokens work for scripts (no ambient credential, so no CSRF needed).
			if resp, _ := newUIClient(t, h.app.URL).get("/ui/e/"+mine.ID+"/integrations", "Authorization", "Bearer "+h.token); resp.StatusCode != 200 {
				t.Errorf("bearer GET: %d", resp.StatusCode)
			}

			// Sign-in attempts are limited per address: a burst, then 429.
			flood := newUIClient(t, h.app.URL)
			flood.get("/ui/login")
			limited := false
			for i := 0; i < 20 && !limited; i++ {
				resp, _ := flood.post("/ui/login", url.Values{"csrf": {flood.csrf}, "token": {"cct_guess"}})
				limited = resp.StatusCode == http.StatusTooManyRequests
			}
			if !limited {
				t.Error("20 sign-in attempts in a row were never limited")
			}

			// Revoking the token ends its sessions at once.
			if st := h.do("DELETE", "/v1/api-keys/"+viewer.ID, h.token, nil, nil); st != 200 {
				t.Fatalf("revoke: %d", st)
			}
			resp, _ = v.get("/ui/e/" + mine.ID + "/integrations")
			if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/ui/login") {
				t.Errorf("page after the token was revoked: %d", resp.StatusCode)
			}

			// An expired session goes to sign-in, saying so, and keeps where it was going.
			h.app.dash.Now = func() time.Time { return time.Now().Add(13 * time.Hour) }
			resp, _ = admin.get("/ui/c/" + conn.ID + "?tab=logs")
			h.app.dash.Now = nil
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "expired=1") || !strings.Contains(loc, url.QueryEscape("/ui/c/"+conn.ID)) {
				t.Errorf("expired session: %d to %q", resp.StatusCode, loc)
			}
			_, body = admin.get(loc)
			if !strings.Contains(body, "session has expired") {
				t.Error("the sign-in page does not say the session expired")
			}
			if resp, _ := admin.get("/ui/e/" + mine.ID + "/integrations"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("an expired session was not ended: %d", resp.StatusCode)
			}
		})
	}
}

func equalTimes(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TestShutdownEndsLiveStreams: an open dashboard tab (its server-sent events stream) does
// not hold up a shutdown.
func TestShutdownEndsLiveStreams(t *testing.T) {
	token := "cct_test_admin_" + randomString(20)
	cfg := config{Addr: "127.0.0.1:0", DB: storetest.Backends(t)[0].URL, MasterKeyFile: testKeyFile(t), LogRetention: time.Hour,
		LogLevel: "warn", AdminToken: token}
	a, stop := startApp(t, cfg, &syncBuffer{})
	ctx := context.Background()
	e, err := a.svc.CreateEntity(ctx, "test", "Acme", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", a.URL+"/ui/e/"+e.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, ct)
	}
	buf := make([]byte, 4096)
	var got strings.Builder
	for !strings.Contains(got.String(), "event: cards") {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream: %v after %q", err, got.String())
		}
		got.Write(buf[:n])
	}
	if !strings.Contains(got.String(), `"summary"`) {
		t.Errorf("the first event carries no summary: %q", got.String())
	}
	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown waited on the open stream")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with a stream open", d)
	}
}
