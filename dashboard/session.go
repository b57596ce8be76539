package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/store"
)

const (
	sessionCookie   = "concord_session"
	loginCSRFCookie = "concord_login_csrf"
	flashCookie     = "concord_flash"
	// touchEvery bounds session writes: activity is recorded at most this often.
	touchEvery = time.Minute
)

// request is what a signed-in page knows of its caller.
type request struct {
	P       httpapi.Principal
	CSRF    string // "" for a bearer-token request (no ambient credential, no CSRF risk)
	session string // hash of the session id
}

type handler func(w http.ResponseWriter, r *http.Request, rq *request) error

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("dashboard: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (d *Dashboard) secure(r *http.Request) bool { return d.SecureCookies || r.TLS != nil }

// authed resolves the caller (session cookie, or a bearer token for scripts and the
// benchmark), checks the role, and for a form checks size and the CSRF token before the
// handler runs. An expired or missing session goes to sign-in, keeping where it was going.
func (d *Dashboard) authed(role httpapi.Role, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, err := d.resolve(r)
		if err != nil {
			if r.Header.Get("Authorization") != "" {
				d.fail(w, r, nil, err)
				return
			}
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = r.Referer()
				if u, perr := url.Parse(next); perr == nil {
					next = u.RequestURI()
				}
			}
			q := url.Values{"next": {next}}
			if errors.Is(err, errExpired) {
				q.Set("expired", "1")
			}
			http.Redirect(w, r, "/ui/login?"+q.Encode(), http.StatusSeeOther)
			return
		}
		if !rq.P.Allows(role) {
			d.fail(w, r, rq, concord.Errorf(concord.EFORBIDDEN,
				"this needs the %s role; you are signed in as %s", role, rq.P.Role))
			return
		}
		if r.Method == http.MethodPost {
			if err := d.checkForm(w, r, rq); err != nil {
				d.fail(w, r, rq, err)
				return
			}
		}
		if err := h(w, r, rq); err != nil {
			d.fail(w, r, rq, err)
		}
	})
}

var errExpired = concord.Errorf(concord.EUNAUTHORIZED, "your session has expired: sign in again")

func (d *Dashboard) resolve(r *http.Request) (*request, error) {
	ctx := r.Context()
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		p, err := d.Auth.PrincipalForTokenHash(ctx, httpapi.HashToken(strings.TrimSpace(tok)))
		if err != nil {
			return nil, err
		}
		return &request{P: p}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, concord.Errorf(concord.EUNAUTHORIZED, "sign in first")
	}
	idHash := sha(c.Value)
	s, err := d.DB.UISession(ctx, idHash)
	if err != nil {
		return nil, errExpired
	}
	now := d.now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) > d.IdleTimeout {
		_ = d.DB.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteUISession(ctx, idHash) })
		return nil, errExpired
	}
	p, err := d.Auth.PrincipalForTokenHash(ctx, s.TokenHash)
	if err != nil {
		return nil, errExpired // the token was revoked: its sessions end with it
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		_ = d.DB.InTx(ctx, func(tx *store.Tx) error { return tx.TouchUISession(ctx, idHash, now) })
	}
	return &request{P: p, CSRF: s.CSRF, session: idHash}, nil
}

// checkForm parses a posted form within the size limits and checks its CSRF token.
func (d *Dashboard) checkForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return concord.Errorf(concord.ETOOLARGE, "the form is larger than %d KiB; nothing was changed", maxFormBytes>>10)
		}
		return concord.Errorf(concord.EINVALID, "the form could not be read; nothing was changed")
	}
	for name, vs := range r.PostForm {
		for _, v := range vs {
			if len(v) > maxFieldLen {
				return concord.Errorf(concord.EINVALID, "the field %q is longer than %d characters; nothing was changed", cut(name, 40), maxFieldLen)
			}
		}
	}
	if rq.CSRF == "" { // bearer token: not an ambient browser credential
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return concord.Errorf(concord.EFORBIDDEN, "this form came from another site; nothing was changed")
	}
	got := r.PostForm.Get("csrf")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(rq.CSRF)) != 1 {
		return concord.Errorf(concord.EFORBIDDEN, "this form's security token is missing or out of date; reload the page and try again (nothing was changed)")
	}
	return nil
}

// loginCSRF sets a fresh sign-in form token in its cookie and returns it for the form.
func (d *Dashboard) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	tok := random(24)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/ui/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: d.secure(r), MaxAge: 3600})
	return tok
}

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := d.loginCSRF(w, r)
	msg := ""
	if r.URL.Query().Get("expired") == "1" {
		msg = "Your session has expired. Sign in again to continue."
	}
	d.render(w, r, http.StatusOK, "login", nil, map[string]any{
		"CSRF": tok, "Next": safeNext(r.URL.Query().Get("next")), "Notice": msg})
}

// login exchanges an API token for a session. The form is checked against the sign-in
// cookie (double submit): a page on another site cannot sign a browser in.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	fail := func(status int, msg string) {
		tok := d.loginCSRF(w, r)
		d.render(w, r, status, "login", nil, map[string]any{"CSRF": tok, "Next": safeNext(r.PostFormValue("next")), "Error": msg})
	}
	if !d.signIns.allow(clientIP(r), d.now()) {
		fail(http.StatusTooManyRequests, "Too many sign-in attempts from this address. Wait a minute and try again.")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
		fail(http.StatusForbidden, "The sign-in form expired. Try again.")
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" || len(token) > 512 {
		fail(http.StatusBadRequest, "Paste an API token (it starts with cct_, or use the admin token concord printed).")
		return
	}
	ctx := r.Context()
	hash := httpapi.HashToken(token)
	if _, err := d.Auth.PrincipalForTokenHash(ctx, hash); err != nil {
		fail(http.StatusUnauthorized, "That token is not valid, or it was revoked.")
		return
	}
	id := random(32)
	now := d.now()
	s := store.UISession{IDHash: sha(id), TokenHash: hash, CSRF: random(32), CreatedAt: now,
		ExpiresAt: now.Add(d.SessionTTL), LastSeenAt: now}
	if err := d.DB.InTx(ctx, func(tx *store.Tx) error { return tx.CreateUISession(ctx, s) }); err != nil {
		d.Log.Error("dashboard: store session", "err", err)
		fail(http.StatusServiceUnavailable, "Could not start a session; try again.")
		return
	}
	if _, err := d.PurgeSessions(ctx); err != nil {
		d.Log.Warn("dashboard: purge sessions", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: d.secure(r), Expires: s.ExpiresAt})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Path: "/ui/login", MaxAge: -1})
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	rq, err := d.resolve(r)
	if err == nil && rq.session != "" {
		if err := d.checkForm(w, r, rq); err != nil {
			d.fail(w, r, rq, err)
			return
		}
		ctx := r.Context()
		_ = d.DB.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteUISession(ctx, rq.session) })
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site's dashboard.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, "/ui/login") {
		return "/ui/"
	}
	return next
}

// flash carries one message across a redirect (post, redirect, get).
type flash struct {
	Kind string // ok, warn, fail
	Text string
}

func (d *Dashboard) setFlash(w http.ResponseWriter, r *http.Request, kind, text string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + cut(text, 1500)))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/ui/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: d.secure(r), MaxAge: 60})
}

func takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/ui/", MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), "\n")
	if !ok || (kind != "ok" && kind != "warn" && kind != "fail") {
		return nil
	}
	return &flash{Kind: kind, Text: text}
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// PurgeSessions deletes sessions past their lifetime or idle limit.
func (d *Dashboard) PurgeSessions(ctx context.Context) (int64, error) {
	now := d.now()
	var n int64
	err := d.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.PurgeUISessions(ctx, now, now.Add(-d.IdleTimeout))
		return err
	})
	return n, err
}

// signInLimiter bounds sign-in attempts per client address: a burst of ten, then one every
// three seconds. Tokens are 256 random bits, so this is about load and noise, not guessing.
type signInLimiter struct {
	mu      sync.Mutex
	byIP    map[string]*rate.Limiter
	resetAt time.Time
}

func (l *signInLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byIP == nil || now.After(l.resetAt) { // forget idle addresses now and then
		l.byIP, l.resetAt = map[string]*rate.Limiter{}, now.Add(10*time.Minute)
	}
	lim, ok := l.byIP[ip]
	if !ok {
		lim = rate.NewLimiter(rate.Every(3*time.Second), 10)
		l.byIP[ip] = lim
	}
	return lim.AllowN(now, 1)
}

// clientIP is the caller's address as the connection shows it (a proxy's address behind
// one: concord does not trust forwarded headers it cannot verify).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
