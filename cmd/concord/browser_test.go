package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// chromiumPath finds a Chromium for the browser tests. Without one the tests skip on a
// developer's machine, and fail under CI (.ci/run installs Debian's chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CONCORD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found: .ci/run installs Debian's chromium package; set CONCORD_CHROMIUM to its path")
	}
	t.Skip("no Chromium on this machine (install chromium, or set CONCORD_CHROMIUM); the browser tests run in CI")
	return ""
}

// artifactDir is where screenshots go: $CONCORD_ARTIFACTS when set (CI keeps them), else a
// temporary folder.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("CONCORD_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "screenshots")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
	url string
}

func newBrowser(t *testing.T, baseURL string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// chromedp reports CDP events it does not model (newer Chromium sends more) as errors;
	// they are not test failures, so they go to the test log only with -v.
	quiet := func(format string, args ...any) {
		if testing.Verbose() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// The first Run starts the browser and binds it to ctx; later steps use timeouts below it.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, dir: artifactDir(t), url: baseURL}
}

// run runs actions; a failure saves a screenshot of the page as it was, then fails.
func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		var loc, body string
		_ = chromedp.Run(b.ctx, chromedp.Location(&loc), chromedp.Text("body", &body, chromedp.ByQuery))
		b.t.Fatalf("%s: %v\n(at %s)\n%s", what, err, loc, cut(body, 2000))
	}
}

// shot saves a screenshot of the whole page as name.png.
func (b *browser) shot(name string) {
	var png []byte
	if err := chromedp.Run(b.ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// a11yProblems lists what the page lacks for a keyboard or screen-reader user: a form
// control without a label, a button without a name, an image without alt text, a page
// without a language or a main landmark, or content wider than the window.
const a11yProblems = `(() => {
  const out = [];
  if (!document.documentElement.lang) out.push("no lang on <html>");
  if (!document.querySelector("main")) out.push("no <main>");
  document.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(el => {
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      out.push("unlabelled " + el.tagName.toLowerCase() + " " + (el.name || el.id));
  });
  document.querySelectorAll("button, a.btn").forEach(el => {
    if (!(el.textContent.trim() || el.getAttribute("aria-label"))) out.push("nameless button " + el.outerHTML.slice(0, 80));
  });
  document.querySelectorAll("img").forEach(el => { if (!el.hasAttribute("alt")) out.push("img without alt"); });
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push("page wider than the window: " + document.documentElement.scrollWidth + " > " + window.innerWidth);
  // Text contrast (WCAG AA): 4.5:1, or 3:1 for large text, against the nearest background.
  const rgb = c => { const m = c.match(/[\d.]+/g) || []; return m.map(Number); };
  const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const opaque = c => { const v = rgb(c); return v.length === 3 || (v.length === 4 && v[3] > 0.5); };
  const bgOf = el => { for (let e = el; e; e = e.parentElement) { const b = getComputedStyle(e).backgroundColor; if (opaque(b)) return b; } return "rgb(255, 255, 255)"; };
  const seen = new Set();
  document.querySelectorAll("body *:not(svg):not(svg *)").forEach(el => {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) return;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none" || el.closest(".sr-only, [hidden], dialog:not([open])")) return;
    const a = lum(st.color), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const key = st.color + "/" + bgOf(el);
    if (ratio < need && !seen.has(key)) { seen.add(key); out.push("contrast " + ratio.toFixed(2) + " < " + need + ": " + el.tagName.toLowerCase() + "." + el.className + " (" + key + ")"); }
  });
  return out;
})()`

// checkA11y fails the test for each accessibility problem on the current page.
func (b *browser) checkA11y(page string) {
	b.t.Helper()
	var problems []string
	b.run("a11y "+page, chromedp.Evaluate(a11yProblems, &problems))
	for _, p := range problems {
		b.t.Errorf("%s: %s", page, p)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// TestDashboardInBrowser drives the dashboard in real headless Chromium against the demo
// universe: sign in, read the cards, run Test, open and filter the Sync Dashboard, approve
// a mapping from the inbox, resolve a drift through its preview, and disconnect through
// the confirmation. Each step is checked against the API, not just the page.
func TestDashboardInBrowser(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) { browseDashboard(t, be) })
	}
}

func browseDashboard(t *testing.T, be storetest.Backend) {
	{
		a, conns, incidents := demoUniverse(t, be, "drifted-stock")
		ctx := context.Background()
		api := func(method, path string, out any) {
			t.Helper()
			req, _ := http.NewRequestWithContext(ctx, method, a.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+a.cfg.AdminToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode >= 300 {
				t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
			}
			if out != nil {
				if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
					t.Fatal(err)
				}
			}
		}
		stripeID, shopifyID := conns["stripe"], conns["shopify"]
		main, err := a.db.GetConnection(ctx, stripeID)
		if err != nil {
			t.Fatal(err)
		}
		// A record name with script in it: the pages must show it as text, never run it.
		rec := store.ERPRecord{EntityID: main.EntityID, Kind: "variant", ID: "demo-var-3", Source: "erp",
			Fields: map[string]string{"sku": "SKU-2-1", "price": "24.00", "title": `Hoodie <script>window.__xss=1</script><img src=x onerror="window.__xss=2">`}}
		if _, err := a.sync.PutRecord(ctx, "test", &rec); err != nil {
			t.Fatal(err)
		}

		br := newBrowser(t, a.URL)
		// Sign in: the dashboard sends an anonymous visitor to the sign-in page.
		br.run("open sign-in", chromedp.Navigate(a.URL+"/ui/"), chromedp.WaitVisible("#token", chromedp.ByID))
		br.shot("01-sign-in")
		br.checkA11y("sign-in")

		br.run("sign in", chromedp.SendKeys("#token", a.cfg.AdminToken, chromedp.ByID),
			chromedp.Submit("#token", chromedp.ByID), chromedp.WaitVisible(".summary", chromedp.ByQuery))

		// The cards agree with the API's integrations data.
		var in struct {
			Summary struct{ Connected, Sandbox, Production, Errors int }
			Cards   []struct{ ID string }
		}
		api("GET", "/v1/entities/"+main.EntityID+"/integrations", &in)
		if got := br.text(`[data-summary="connected"]`); got != fmt.Sprint(in.Summary.Connected) {
			t.Errorf("Connected card shows %q, the API says %d", got, in.Summary.Connected)
		}
		var cards int
		br.run("count cards", chromedp.Evaluate(`document.querySelectorAll("article.card[id^=card-]").length`, &cards))
		if cards != len(in.Cards) {
			t.Errorf("%d cards on the page, %d connections", cards, len(in.Cards))
		}
		if got := br.text("#card-" + stripeID + " [data-state]"); got != "connected" {
			t.Errorf("Stripe card state %q", got)
		}
		var masked string
		br.run("read credentials", chromedp.Text("#card-"+stripeID+" dl", &masked, chromedp.ByQuery))
		if !strings.Contains(masked, "sk_test_••••") {
			t.Errorf("credentials on the card are not masked: %q", masked)
		}
		// The live stream connects and reports.
		br.run("live updates", chromedp.WaitReady(`[data-live="on"]`, chromedp.ByQuery))
		br.shot("02-integrations")
		br.checkA11y("integrations")
		// The first Tab reaches the skip link.
		var focused string
		br.run("tab to skip link", chromedp.Navigate(a.URL+"/ui/e/"+main.EntityID+"/integrations"),
			chromedp.WaitVisible(".summary", chromedp.ByQuery), chromedp.KeyEvent("\t"), chromedp.Evaluate(`document.activeElement.className`, &focused))
		if focused != "skip" {
			t.Errorf("the first Tab focuses %q, want the skip link", focused)
		}

		// Test the Stripe connection from its card.
		br.run("test stripe", chromedp.Click(`#card-`+stripeID+` button[aria-label^="Test"]`, chromedp.ByQuery),
			chromedp.WaitVisible(".flash.ok", chromedp.ByQuery))
		if got := br.text(".flash"); !strings.Contains(got, "Test passed") {
			t.Errorf("after Test the page says %q", got)
		}
		var lastTested struct {
			LastTestedAt *time.Time `json:"last_tested_at"`
		}
		api("GET", "/v1/connections/"+stripeID, &lastTested)
		if lastTested.LastTestedAt == nil || time.Since(*lastTested.LastTestedAt) > time.Minute {
			t.Errorf("the Test button did not test the connection: last tested %v", lastTested.LastTestedAt)
		}

		// The Sync Dashboard opens as a modal dialog; the Inbound filter keeps inbound flows.
		br.run("open sync dashboard", chromedp.Click(`a[data-open-sync]`, chromedp.ByQuery),
			chromedp.WaitVisible("dialog.sync", chromedp.ByQuery))
		var modal bool
		br.run("is modal", chromedp.Evaluate(`document.querySelector("dialog.sync").open && document.querySelector("dialog.sync:modal") !== null`, &modal))
		if !modal {
			t.Error("the Sync Dashboard is not an open modal dialog")
		}
		var bars int
		br.run("chart", chromedp.Evaluate(`document.querySelectorAll("svg.chart rect").length`, &bars))
		if bars < 24 {
			t.Errorf("the activity chart has %d bars, want one per hour at least", bars)
		}
		br.shot("03-sync-dashboard")
		br.checkA11y("sync dashboard")
		br.run("filter inbound", chromedp.Click(`nav.seg a[href$="direction=inbound"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.seg a[aria-current="true"][href$="direction=inbound"]`, chromedp.ByQuery))
		var dirs []string
		br.run("flow directions", chromedp.Evaluate(`Array.from(document.querySelectorAll("dialog.sync table.flows tbody tr td:nth-child(2)")).map(td => td.textContent.trim())`, &dirs))
		if len(dirs) == 0 {
			t.Error("the inbound filter shows no flows")
		}
		for _, d := range dirs {
			if d != "inbound" {
				t.Errorf("the inbound filter shows a %q flow", d)
			}
		}
		br.shot("04-sync-dashboard-inbound")
		br.run("close with escape", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent("dialog.sync", chromedp.ByQuery))

		// Suggestions by title for the listings no SKU matched.
		br.run("suggest", chromedp.Navigate(a.URL+"/ui/c/"+shopifyID+"?tab=mapping&state=unmapped"),
			chromedp.Click(`form[action$="/mappings/suggest"] button`, chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
		if got := br.text(".flash"); !strings.Contains(got, "suggestion(s) by title") {
			t.Errorf("suggest: %q", got)
		}

		// Approve the waiting mapping from the Shopify inbox.
		br.run("open mapping inbox", chromedp.Navigate(a.URL+"/ui/c/"+shopifyID+"?tab=mapping&state=suggested"),
			chromedp.WaitVisible(`input[name="mapping"]`, chromedp.ByQuery))
		var xss any
		br.run("script stays text", chromedp.Evaluate(`window.__xss`, &xss))
		if xss != nil {
			t.Fatalf("script in a record name ran: window.__xss = %v", xss)
		}
		if body := br.text("tbody"); !strings.Contains(body, "<script>window.__xss=1</script>") {
			t.Errorf("the record name is not shown as typed: %q", cut(body, 400))
		}
		br.shot("05-mapping-inbox")
		br.checkA11y("mapping")
		var before []store.Mapping
		var list struct{ Data []store.Mapping }
		api("GET", "/v1/connections/"+shopifyID+"/mappings?state=suggested", &list)
		before = list.Data
		if len(before) == 0 {
			t.Fatal("the demo left no suggestion in the inbox")
		}
		br.run("approve", chromedp.Click(`input[data-check-all]`, chromedp.ByQuery),
			chromedp.Click(`button[name="action"][value="approve"]`, chromedp.ByQuery),
			chromedp.WaitVisible(".flash", chromedp.ByQuery))
		if got := br.text(".flash"); !strings.Contains(got, fmt.Sprintf("%d mapping(s) approved", len(before))) {
			t.Errorf("after approving the page says %q", got)
		}
		m, err := a.db.GetMapping(ctx, before[0].ID)
		if err != nil || m.State != store.MappingActive {
			t.Errorf("mapping %s after approval: %+v %v", before[0].ID, m.State, err)
		}

		// Resolve the staged stock drift on the other entity, through its preview.
		var drifted string
		for _, in := range incidents {
			if in.Scenario == "drifted-stock" {
				drifted = in.ConnectionID
			}
		}
		dc, err := a.db.GetConnection(ctx, drifted)
		if err != nil {
			t.Fatal(err)
		}
		br.run("switch entity", chromedp.Evaluate(fmt.Sprintf(`(() => { const s = document.querySelector("#entity-switch"); s.value = %q; s.dispatchEvent(new Event("change")); return true })()`, dc.EntityID), nil),
			chromedp.WaitVisible("#card-"+drifted, chromedp.ByID))
		br.run("open drift", chromedp.Navigate(a.URL+"/ui/c/"+drifted+"?tab=mapping"),
			chromedp.WaitVisible(`#drift a.btn`, chromedp.ByQuery), chromedp.Click(`#drift a.btn`, chromedp.ByQuery),
			chromedp.WaitVisible("#preview-push", chromedp.ByID))
		var sides []string
		br.run("both values", chromedp.Evaluate(`Array.from(document.querySelectorAll(".side .value")).map(e => e.textContent.trim())`, &sides))
		if len(sides) != 2 || sides[0] == sides[1] {
			t.Errorf("the drift page shows %v, want the two differing values side by side", sides)
		}
		br.shot("06-drift-preview")
		br.checkA11y("drift")
		var driftURL string
		br.run("drift url", chromedp.Location(&driftURL))
		driftID := driftURL[strings.LastIndex(driftURL, "/")+1:]
		br.run("push", chromedp.Click(`#preview-push button`, chromedp.ByQuery), chromedp.WaitVisible(".flash.ok", chromedp.ByQuery))
		dr, err := a.db.GetDrift(ctx, driftID)
		if err != nil || dr.State == "open" {
			t.Errorf("drift %s after push: %q %v", driftID, dr.State, err)
		}
		// The fix's last step: both sides re-read agree. The push is a durable job, so
		// the page is asked again until it has run.
		deadline := time.Now().Add(20 * time.Second)
		for {
			br.run("confirm", chromedp.Navigate(a.URL+"/ui/c/"+drifted+"/drift/"+driftID),
				chromedp.Click(`form[action$="/confirm"] button`, chromedp.ByQuery), chromedp.WaitVisible("#agreement", chromedp.ByID))
			if got := br.text("#agreement"); strings.Contains(got, "Both sides agree") {
				break
			} else if time.Now().After(deadline) {
				t.Errorf("after the push the sides still differ: %q", got)
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		br.shot("06b-confirm-agreement")
		br.checkA11y("confirm")

		// The Stripe webhooks panel's test webhook is sent, received and verified.
		br.run("test webhook", chromedp.Navigate(a.URL+"/ui/e/"+main.EntityID+"/integrations"),
			chromedp.Navigate(a.URL+"/ui/c/"+stripeID+"?tab=webhooks"),
			chromedp.Click(`form[action$="/webhooks/test"] button`, chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
		if got := br.text(".flash"); !strings.Contains(got, "received and verified") {
			t.Errorf("test webhook: %q", got)
		}
		br.shot("07-webhooks-panel")
		// Mark this page, so the wait below is for the next one's message, not this one's.
		br.run("replay", chromedp.Evaluate(`document.body.dataset.old = "1"`, nil),
			chromedp.Click(`form[action*="/webhook-events/"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`body:not([data-old]) .flash`, chromedp.ByQuery))
		if got := br.text(".flash"); !strings.Contains(got, "replayed: processed") {
			t.Errorf("replay: %q", got)
		}

		// Disconnect the main Stripe connection through its confirmation.
		br.run("back to main entity", chromedp.Navigate(a.URL+"/ui/e/"+main.EntityID+"/integrations"),
			chromedp.Click(`#card-`+stripeID+` a[href$="/disconnect"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`button.danger`, chromedp.ByQuery))
		page := br.text("main")
		for _, want := range []string{"What stops", "What is kept", "credentials, encrypted"} {
			if !strings.Contains(page, want) {
				t.Errorf("the confirmation does not say %q", want)
			}
		}
		br.shot("07-disconnect-confirm")
		br.checkA11y("disconnect")
		br.run("disconnect", chromedp.Click(`button.danger`, chromedp.ByQuery), chromedp.WaitVisible(".flash.ok", chromedp.ByQuery))
		if got := br.text("#card-" + stripeID + " [data-state]"); got != "disconnected" {
			t.Errorf("after disconnect the card says %q", got)
		}
		c, _ := a.db.GetConnection(ctx, stripeID)
		if c.State != "disconnected" {
			t.Errorf("connection state after disconnect: %s", c.State)
		}
		br.shot("08-after-disconnect")

		// Connect Shopify by OAuth from the dashboard, in the browser: the form sends it to the
		// shop's authorize page (the emulator approves at once), the shop sends it back to
		// the callback, and the new connection is one click away.
		shopCfg, err := a.db.GetConnection(ctx, shopifyID)
		if err != nil {
			t.Fatal(err)
		}
		emu := shopCfg.Config["api_base"]
		var ec map[string]any
		if err := emuCall(ctx, "GET", emu+"/_emulator/credentials", "", nil, &ec); err != nil {
			t.Fatal(err)
		}
		fresh, err := a.svc.CreateEntity(ctx, "test", "OAuth Co", "sandbox")
		if err != nil {
			t.Fatal(err)
		}
		br.run("oauth connect", chromedp.Navigate(a.URL+"/ui/e/"+fresh.ID+"/connect/shopify"),
			chromedp.SendKeys("#o-config-shop", fmt.Sprint(ec["shop"]), chromedp.ByID),
			chromedp.SendKeys("#o-client-id", fmt.Sprint(ec["client_id"]), chromedp.ByID),
			chromedp.SendKeys("#o-client-secret", fmt.Sprint(ec["client_secret"]), chromedp.ByID),
			chromedp.SendKeys("#o-config-api_base", emu, chromedp.ByID),
			chromedp.Click("#oauth-continue", chromedp.ByID),
			chromedp.WaitVisible("#connection-id", chromedp.ByID))
		newID := br.text("#connection-id")
		br.shot("11-oauth-connected")
		br.run("open new connection", chromedp.Click(`a[href^="/ui/c/"]`, chromedp.ByQuery), chromedp.WaitVisible("main h1", chromedp.ByQuery))
		if c, err := a.db.GetConnection(ctx, newID); err != nil || c.EntityID != fresh.ID || c.State != "connected" {
			t.Errorf("the OAuth connection %q: %+v %v", newID, c.State, err)
		}

		// The other tabs and pages, at laptop width and at tablet width.
		for _, width := range []int64{1280, 800} {
			br.run("resize", chromedp.EmulateViewport(width, 1000))
			for name, p := range map[string]string{"sync-settings": "/ui/c/" + shopifyID + "?tab=sync",
				"webhooks": "/ui/c/" + shopifyID + "?tab=webhooks", "logs": "/ui/c/" + shopifyID + "?tab=logs&outcome=ok",
				"accounting": "/ui/c/" + shopifyID + "?tab=accounting", "connection": "/ui/c/" + shopifyID,
				"audit": "/ui/audit", "integrations": "/ui/e/" + main.EntityID + "/integrations",
				"sync-dashboard": "/ui/e/" + main.EntityID + "/sync", "connect": "/ui/e/" + main.EntityID + "/connect/stripe",
				"tokens": "/ui/tokens", "new-entity": "/ui/entities/new", "records": "/ui/c/" + stripeID + "?tab=objects"} {
				br.run("open "+name, chromedp.Navigate(a.URL+p), chromedp.WaitVisible("main h1", chromedp.ByQuery))
				br.checkA11y(fmt.Sprintf("%s at %dpx", name, width))
				if width == 800 && (name == "integrations" || name == "logs") {
					br.shot("09-tablet-" + name)
				}
				if width == 1280 {
					br.shot("10-" + name)
				}
			}
		}
	}
}

// TestTriageInBrowser runs Diagnose from the dashboard on each staged incident of the demo
// and checks the triage view names its failure type, then diagnoses a disconnected
// connection. The screenshots are the troubleshooting guide's.
func TestTriageInBrowser(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			a, conns, incidents := demoUniverse(t, be, "all")
			if len(incidents) < 5 {
				t.Fatalf("staged %d incidents", len(incidents))
			}
			br := newBrowser(t, a.URL)
			br.run("sign in", chromedp.Navigate(a.URL+"/ui/login"), chromedp.WaitVisible("#token", chromedp.ByID),
				chromedp.SendKeys("#token", a.cfg.AdminToken, chromedp.ByID), chromedp.Submit("#token", chromedp.ByID),
				chromedp.WaitVisible(".summary", chromedp.ByQuery))
			diagnose := func(name, id, want string) {
				t.Helper()
				c, err := a.db.GetConnection(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				br.run("card "+name, chromedp.Navigate(a.URL+"/ui/e/"+c.EntityID+"/integrations"),
					chromedp.WaitVisible("#card-"+id, chromedp.ByID))
				br.shot("card-" + name)
				// The card itself shows the cause where the state alone looks healthy.
				if sign, ok := map[string]string{"webhook-secret": "refused", "drifted-stock": "open drift",
					"deleted-product": "gone or changed", "refused-price": "refused by the service"}[name]; ok {
					if got := br.text("#card-" + id + " ul.attention"); !strings.Contains(got, sign) {
						t.Errorf("%s: the card's attention list says %q, want %q", name, got, sign)
					}
				}
				br.run("diagnose "+name, chromedp.Navigate(a.URL+"/ui/c/"+id),
					chromedp.Click(`form[action$="/diagnose"] button`, chromedp.ByQuery),
					chromedp.WaitVisible(".verdict", chromedp.ByQuery))
				if got := br.text(".verdict"); !strings.Contains(strings.ToLower(got), want) {
					t.Errorf("%s: the triage view says %q, want %q", name, got, want)
				}
				var steps int
				br.run("steps", chromedp.Evaluate(`document.querySelectorAll("ol.steps > li").length`, &steps))
				if steps < 7 {
					t.Errorf("%s: %d triage steps shown, want the seven steps and the fix", name, steps)
				}
				// Each failing step links its evidence, and the links lead to real pages.
				var links []string
				br.run("evidence", chromedp.Evaluate(`Array.from(document.querySelectorAll("ol.steps li.fail .evidence a")).map(a => a.getAttribute("href"))`, &links))
				if len(links) == 0 && name != "live-key" {
					t.Errorf("%s: no failing step links its evidence", name)
				}
				br.shot("triage-" + name)
				for _, l := range links {
					br.run("follow "+l, chromedp.Navigate(a.URL+l), chromedp.WaitVisible("main h1", chromedp.ByQuery))
					if h := br.text("main h1"); len(h) > 4 && h[3] == ' ' && (h[0] == '4' || h[0] == '5') {
						t.Errorf("%s: evidence link %s leads to an error page: %q", name, l, h)
					}
				}
			}
			for _, in := range incidents {
				diagnose(in.Scenario, in.ConnectionID, in.Failure)
			}
			if _, err := a.svc.Disconnect(context.Background(), "test", conns["stripe"]); err != nil {
				t.Fatal(err)
			}
			diagnose("disconnected", conns["stripe"], "disconnected")
		})
	}
}
