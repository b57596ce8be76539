// Package dashboard is the operator dashboard: server-rendered pages (html/template, assets
// embedded and named by content hash) on the same services the HTTP API uses. Every action
// is a plain form that works without JavaScript; a small script adds live card updates
// (server-sent events) and modal behaviour.
//
// Sign-in exchanges an API token for a session cookie (HttpOnly, SameSite=Lax, Secure over
// TLS). The session keeps only the token's hash, and every page re-resolves it, so the
// token's role and entity scope decide which buttons exist and what a form may do, and
// revoking the token ends its sessions at once. Every form carries the session's CSRF token.
package dashboard

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/webhook"
)

// Authenticator resolves the SHA-256 of an API token to its principal, and manages tokens
// with the API's own rules (httpapi.Server).
type Authenticator interface {
	PrincipalForTokenHash(ctx context.Context, hash string) (httpapi.Principal, error)
	CreateAPIKey(ctx context.Context, p httpapi.Principal, name string, role httpapi.Role, entityIDs *[]string) (store.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, p httpapi.Principal, id string) (store.APIKey, error)
	ListAPIKeys(ctx context.Context, p httpapi.Principal) ([]store.APIKey, error)
}

// Dashboard serves the pages under /ui/.
type Dashboard struct {
	DB       *store.DB
	Svc      *connections.Service
	Registry *connector.Registry
	Sync     *syncer.Engine
	Webhooks *webhook.Panel
	Triage   *triage.Triage
	Auth     Authenticator
	Log      *slog.Logger
	// SessionTTL is a session's absolute lifetime; IdleTimeout ends one unused that long.
	SessionTTL  time.Duration
	IdleTimeout time.Duration
	// SecureCookies marks cookies Secure even when the request itself is not TLS (a proxy
	// terminates TLS in front of concord).
	SecureCookies bool
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time

	mux      *http.ServeMux
	assets   *assets
	pages    *pages
	stopping chan struct{}
	stopOnce sync.Once
	signIns  signInLimiter
}

// Stop ends the live streams, so a server shutdown does not wait for open browsers; the
// pages themselves keep working until the server stops.
func (d *Dashboard) Stop() { d.stopOnce.Do(func() { close(d.stopping) }) }

// Limits on what a form may carry. A bigger body or field is refused whole, with a message,
// before anything is changed.
const (
	maxFormBytes = 64 << 10
	maxFieldLen  = 4096
)

// New builds the dashboard's routes.
func New(d *Dashboard) (*Dashboard, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.SessionTTL == 0 {
		d.SessionTTL = 12 * time.Hour
	}
	if d.IdleTimeout == 0 {
		d.IdleTimeout = 2 * time.Hour
	}
	d.stopping = make(chan struct{})
	var err error
	if d.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if d.pages, err = loadPages(d.assets); err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
	})
	m.Handle("GET /ui/assets/{name}", d.assets)
	m.HandleFunc("GET /ui/login", d.loginPage)
	m.HandleFunc("POST /ui/login", d.login)
	m.HandleFunc("POST /ui/logout", d.logout)

	// Pages that need a signed-in operator; the role is the least the page or action needs.
	page := func(pattern string, role httpapi.Role, h handler) { m.Handle(pattern, d.authed(role, h)) }
	page("GET /ui/{$}", httpapi.RoleViewer, d.home)
	page("GET /ui/switch", httpapi.RoleViewer, d.switchEntity)
	page("GET /ui/entities/new", httpapi.RoleAdmin, d.newEntityForm)
	page("POST /ui/entities", httpapi.RoleAdmin, d.createEntity)
	page("GET /ui/e/{entity}/integrations", httpapi.RoleViewer, d.integrations)
	page("GET /ui/e/{entity}/sync", httpapi.RoleViewer, d.syncDashboard)
	page("GET /ui/e/{entity}/events", httpapi.RoleViewer, d.events)
	page("GET /ui/e/{entity}/connect", httpapi.RoleAdmin, d.catalog)
	page("GET /ui/e/{entity}/connect/{connector}", httpapi.RoleAdmin, d.connectForm)
	page("POST /ui/e/{entity}/connect/{connector}", httpapi.RoleAdmin, d.connect)
	page("GET /ui/c/{id}", httpapi.RoleViewer, d.configure)
	page("POST /ui/c/{id}/test", httpapi.RoleOperator, d.test)
	page("POST /ui/c/{id}/diagnose", httpapi.RoleOperator, d.diagnose)
	page("GET /ui/c/{id}/disconnect", httpapi.RoleAdmin, d.disconnectConfirm)
	page("POST /ui/c/{id}/disconnect", httpapi.RoleAdmin, d.disconnect)
	page("POST /ui/c/{id}/reconnect", httpapi.RoleAdmin, d.reconnect)
	page("POST /ui/c/{id}/credentials", httpapi.RoleAdmin, d.rotate)
	page("POST /ui/c/{id}/sync", httpapi.RoleOperator, d.startSync)
	page("POST /ui/c/{id}/sync-settings", httpapi.RoleAdmin, d.putSyncSetting)
	page("POST /ui/c/{id}/mappings", httpapi.RoleOperator, d.mappingActions)
	page("POST /ui/c/{id}/policies", httpapi.RoleAdmin, d.putPolicy)
	page("GET /ui/c/{id}/drift/{drift}", httpapi.RoleOperator, d.driftPreview)
	page("POST /ui/c/{id}/drift/{drift}", httpapi.RoleOperator, d.resolveDrift)
	page("POST /ui/c/{id}/confirm", httpapi.RoleOperator, d.confirm)
	page("POST /ui/c/{id}/webhooks/test", httpapi.RoleOperator, d.testWebhook)
	page("POST /ui/c/{id}/webhooks/register", httpapi.RoleAdmin, d.registerWebhooks)
	page("POST /ui/c/{id}/webhooks/recover", httpapi.RoleOperator, d.recoverWebhooks)
	page("POST /ui/c/{id}/webhook-events/{event}/replay", httpapi.RoleOperator, d.replayEvent)
	page("POST /ui/c/{id}/sync-runs/{run}/cancel", httpapi.RoleOperator, d.cancelRun)
	page("POST /ui/c/{id}/mappings/suggest", httpapi.RoleOperator, d.suggest)
	page("GET /ui/tokens", httpapi.RoleAdmin, d.tokens)
	page("POST /ui/tokens", httpapi.RoleAdmin, d.createToken)
	page("POST /ui/tokens/{key}/revoke", httpapi.RoleAdmin, d.revokeToken)
	page("GET /ui/audit", httpapi.RoleViewer, d.audit)
	page("POST /ui/audit/verify", httpapi.RoleViewer, d.verifyAudit)
	d.mux = m
	return d, nil
}

// ServeHTTP serves the dashboard.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	d.mux.ServeHTTP(w, r)
}

func (d *Dashboard) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}
