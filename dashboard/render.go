package dashboard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/*
var assetFS embed.FS

// assets serves the embedded static files under names that carry a hash of their
// content (app.3f2a9c1d.css), so they can be cached forever and a new build is never
// served stale.
type assets struct {
	byName map[string]string // app.css -> app.<hash>.css
	files  map[string][]byte // hashed name -> content
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string][]byte{}}
	err := fs.WalkDir(assetFS, "assets", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.byName[name], a.files[hashed] = hashed, b
		return nil
	})
	return a, err
}

func (a *assets) url(name string) string {
	h, ok := a.byName[name]
	if !ok {
		panic("dashboard: no asset " + name)
	}
	return "/ui/assets/" + h
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(b)
}

// pages holds one parsed template set per page, each the layout plus that page.
type pages struct {
	sets map[string]*template.Template
}

func loadPages(a *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"ago":   ago,
		"when":  when,
		"title": func(s string) string {
			s = strings.ReplaceAll(s, "_", " ")
			if s == "" {
				return s
			}
			return strings.ToUpper(s[:1]) + s[1:]
		},
		"secs": seconds,
		"entityNames": func(es []concord.Entity) map[string]string {
			m := make(map[string]string, len(es))
			for _, e := range es {
				m[e.ID] = e.Name
			}
			return m
		},
		"scope": keyScope,
		// runs hands the runs table its rows and the page's view (for role and CSRF).
		"runs": func(rs any, v view) map[string]any { return map[string]any{"Runs": rs, "V": v} },
		"count": func(n int) string {
			if n > store.CountCap {
				return fmt.Sprintf("%d+", store.CountCap)
			}
			return fmt.Sprint(n)
		},
		"list": func(v ...string) []string { return v },
		"div":  func(a, b int) int { return a / b },
		"join": strings.Join,
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		page := strings.TrimSuffix(path.Base(n), ".html")
		if page == "layout" || page == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", page, err)
		}
		p.sets[page] = t
	}
	return p, nil
}

// view is what every page's template gets: the caller, the entity switcher, the flash
// message, and the page's own data.
type view struct {
	Title    string
	Nav      string
	P        httpapi.Principal
	CSRF     string
	Entities []concord.Entity
	Entity   *concord.Entity
	Flash    *flash
	Data     any
}

// Can reports whether the signed-in role includes role: templates show a button only then.
func (v view) Can(role string) bool { return v.P.Allows(httpapi.Role(role)) }

// render writes a page. The page is rendered to a buffer first, so a template error is a
// clean 500, never half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, page string, rq *request, data any) {
	v, ok := data.(view)
	if !ok {
		v = view{Data: data}
	}
	if rq != nil {
		v.P, v.CSRF = rq.P, rq.CSRF
		if v.Entities == nil {
			v.Entities, _ = d.visibleEntities(r, rq)
		}
	}
	if v.Flash == nil {
		v.Flash = takeFlash(w, r)
	}
	t, ok := d.pages.sets[page]
	if !ok {
		panic("dashboard: no page " + page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		d.Log.Error("dashboard: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with the status the API would give, and a way back. The
// message is the error's safe message; anything else is logged and shown as internal.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	var ce *concord.Error
	if !errors.As(err, &ce) {
		d.Log.Error("dashboard: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ce = &concord.Error{Code: concord.EINTERNAL, Message: "internal error: the details are in the server log"}
	}
	status := httpapi.StatusFor(ce.Code)
	if status == http.StatusUnauthorized && rq == nil && r.Header.Get("Authorization") == "" {
		http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
		return
	}
	back := r.Referer()
	if !strings.Contains(back, "/ui/") {
		back = "/ui/"
	}
	d.render(w, r, status, "error", rq, view{Title: http.StatusText(status), Data: map[string]any{
		"Status": status, "Code": ce.Code, "Message": ce.Message, "Back": back}})
}

func ago(t any) string {
	var tm time.Time
	switch v := t.(type) {
	case time.Time:
		tm = v
	case *time.Time:
		if v == nil {
			return "never"
		}
		tm = *v
	default:
		return ""
	}
	if tm.IsZero() {
		return "never"
	}
	d := time.Since(tm)
	switch {
	case d < 0:
		return "in " + (-d).Round(time.Second).String()
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return ""
}

func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	if d == 0 {
		return "none"
	}
	return d.String()
}
