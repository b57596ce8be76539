package dashboard

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/syncer"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/c/con_1?tab=logs":   "/ui/c/con_1?tab=logs",
		"":                       "/ui/",
		"https://evil.example/":  "/ui/",
		"//evil.example/ui/":     "/ui/",
		"/ui/../v1/api-keys":     "/ui/../v1/api-keys", // stays on this site; the mux cleans it
		"/v1/entities":           "/ui/",
		"/ui/login?next=/ui/":    "/ui/",
		"/ui/x\r\nSet-Cookie: a": "/ui/",
		"/ui/\\evil":             "/ui/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[int]int{1: 1, 3: 5, 7: 10, 10: 10, 11: 20, 72: 100, 180: 200, 501: 1000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

// The chart draws each hour's bars in proportion, failures on top, one bar per direction
// shown, and says the totals in words.
func TestBuildChart(t *testing.T) {
	start := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	hours := make([]syncer.Hour, 24)
	for i := range hours {
		hours[i].Start = start.Add(time.Duration(i) * time.Hour)
	}
	hours[3] = syncer.Hour{Start: hours[3].Start, InboundMoved: 40, InboundFailed: 10, OutboundMoved: 20}
	hours[5] = syncer.Hour{Start: hours[5].Start, OutboundMoved: 5, OutboundFailed: 5}

	all := buildChart(hours, "all")
	if len(all.Bars) != 48 || all.Max != 50 || all.Empty {
		t.Fatalf("all: %d bars, max %d, empty %v", len(all.Bars), all.Max, all.Empty)
	}
	in3, out3 := all.Bars[6], all.Bars[7]
	if in3.Class != "inbound" || out3.Class != "outbound" {
		t.Fatalf("hour 3 bars %+v %+v", in3, out3)
	}
	plot := chartBottom - chartTop // the axis tops out at niceCeil(50) = 50
	if in3.H != plot*40/50 || in3.FH != plot*10/50 || in3.FY+in3.FH != in3.Y || out3.H != plot*20/50 || out3.FH != 0 {
		t.Fatalf("hour 3 heights: inbound %+v outbound %+v", in3, out3)
	}
	if !strings.Contains(in3.Title, "03:00–04:00 UTC, inbound: 40 moved, 10 failed") {
		t.Errorf("bar title %q", in3.Title)
	}
	if all.Summary != "Last 24 hours: 65 records moved, 15 failed; busiest hour 50." {
		t.Errorf("summary %q", all.Summary)
	}
	out := buildChart(hours, "outbound")
	if len(out.Bars) != 24 || out.Max != 20 || out.Bars[3].Class != "outbound" || out.Bars[5].FH == 0 {
		t.Fatalf("outbound only: %d bars, max %d", len(out.Bars), out.Max)
	}
	// Axis labels are whole numbers, each once.
	for _, max := range []int{0, 1, 2, 3, 4, 5, 7, 10, 50, 72} {
		hs := make([]syncer.Hour, 24)
		hs[0].InboundMoved = max
		c := buildChart(hs, "all")
		seen := map[int]bool{}
		for _, tk := range c.Ticks {
			if seen[tk.Value] {
				t.Errorf("max %d: tick %d twice: %+v", max, tk.Value, c.Ticks)
			}
			seen[tk.Value] = true
		}
		if top := c.Ticks[len(c.Ticks)-1].Value; top < max || !seen[0] {
			t.Errorf("max %d: ticks %+v", max, c.Ticks)
		}
		if max == 0 && !c.Empty {
			t.Error("a quiet day is not marked empty")
		}
	}
}

// Assets are served under names that carry their content hash, cached forever; another
// name is not found.
func TestAssets(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	u := a.url("app.css")
	if !regexp.MustCompile(`^/ui/assets/app\.[0-9a-f]{10}\.css$`).MatchString(u) {
		t.Fatalf("asset url %q", u)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ui/assets/{name}", a)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s: %d %v", u, rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/assets/app.css", nil))
	if rec.Code != 404 {
		t.Errorf("unhashed name: %d", rec.Code)
	}
}

// Every page template parses with the layout.
func TestPagesParse(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPages(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "integrations", "configure", "drift", "triage", "audit", "connect", "catalog",
		"disconnect", "confirm", "error", "empty", "tokens", "token-created", "entity-new"} {
		if p.sets[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
}
