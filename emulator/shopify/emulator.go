package shopifyemu

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/concordhub/concord/emulator/internal/delivery"
)

// Options configure an Emulator. The zero value is one development store
// with Shopify's standard GraphQL bucket, 1 h expiring tokens and real time.
type Options struct {
	// Shops is how many shops to create (default 1): demo.myshopify.com,
	// demo-2.myshopify.com, ...
	Shops int
	// DevelopmentStore marks the shops as partner development stores
	// (plan.partnerDevelopment true: sandbox). Nil means true.
	DevelopmentStore *bool
	// RestoreRate is the GraphQL bucket's restore rate in points a second
	// (default 100); MaxAvailable its size (default 2000).
	RestoreRate  float64
	MaxAvailable float64
	// TokenTTL is the life of the control API's token and of OAuth's
	// expiring tokens (0: 1 h). Negative makes the control API's token
	// non-expiring (with no refresh token); OAuth's expiring tokens then
	// live 1 h.
	TokenTTL time.Duration
	// HTTPClient sends webhooks; default a client with a 5 s timeout
	// (Shopify gives an endpoint 5 s).
	HTTPClient *http.Client
	// Logger receives the emulator's logs (default: discard); tokens and
	// secrets are never logged.
	Logger *slog.Logger
	// Now is the clock for record timestamps and token expiry (default
	// time.Now). Rate limits always run on real time.
	Now func() time.Time
	// WebhookAttempts is how many times a delivery is tried (default 4).
	WebhookAttempts int
	// WebhookBackoff is the wait before the first retry, doubling after
	// each (default 500 ms).
	WebhookBackoff time.Duration
	// TimeoutFaultDelay is the longest a timeout fault holds a request
	// when the client does not give up first (default 30 s).
	TimeoutFaultDelay time.Duration
}

// Emulator is an in-memory Shopify. Create it with New, serve Handler and
// Close it to stop the webhook sender.
type Emulator struct {
	opts    Options
	dev     bool
	log     *slog.Logger
	now     func() time.Time
	handler http.Handler

	clientID, clientSecret string

	mu         sync.Mutex
	shops      []*shop
	tokens     map[string]*token
	refresh    map[string]*refreshToken
	primary    map[*shop]grant // the control API's current grant per shop
	codes      map[string]*shop
	faults     []*fault
	deliveries []*Delivery
	generation int
	sender     *delivery.Sender
}

// New returns a running emulator with seeded shops; its webhook sender
// starts at once.
func New(opts Options) *Emulator {
	if opts.Shops <= 0 {
		opts.Shops = 1
	}
	if opts.RestoreRate <= 0 {
		opts.RestoreRate = 100
	}
	if opts.MaxAvailable <= 0 {
		opts.MaxAvailable = 2000
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WebhookAttempts <= 0 {
		opts.WebhookAttempts = 4
	}
	if opts.WebhookBackoff <= 0 {
		opts.WebhookBackoff = 500 * time.Millisecond
	}
	if opts.TimeoutFaultDelay <= 0 {
		opts.TimeoutFaultDelay = 30 * time.Second
	}
	e := &Emulator{opts: opts, dev: opts.DevelopmentStore == nil || *opts.DevelopmentStore,
		log: opts.Logger, now: opts.Now,
		clientID: randomHex(16), clientSecret: "shpss_" + randomHex(16),
		tokens: map[string]*token{}, refresh: map[string]*refreshToken{},
		primary: map[*shop]grant{}, codes: map[string]*shop{}}
	for i := range opts.Shops {
		s := &shop{ID: 60000001 + int64(i), Name: "Concord Demo", Domain: "demo.myshopify.com",
			Email: "owner@demo.example", Created: e.now()}
		if i > 0 {
			s.Name = fmt.Sprintf("Concord Demo %d", i+1)
			s.Domain = fmt.Sprintf("demo-%d.myshopify.com", i+1)
		}
		e.seedShop(s, defaultSeed)
		e.shops = append(e.shops, s)
		e.primary[s] = e.issue(s, opts.TokenTTL)
	}
	e.sender = delivery.New(opts.HTTPClient, senderWorkers, queueSize, opts.WebhookAttempts, opts.WebhookBackoff)
	e.handler = e.routes()
	return e
}

// Handler serves the Admin API under /admin/ and the control API under
// /_emulator/.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Close stops the webhook sender; queued deliveries are dropped. The
// handler keeps answering.
func (e *Emulator) Close() { e.sender.Close() }

// Credentials are what a sandbox connection needs, keyed by the Shopify
// connector catalog's credential and config names.
type Credentials struct {
	AccessToken  string `json:"access_token"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Shop         string `json:"shop"`
	APIVersion   string `json:"api_version"`
	// RefreshToken and ExpiresIn (seconds) are set for an expiring token.
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
}

// Credentials reports working credentials of the first shop.
func (e *Emulator) Credentials() Credentials {
	c, _ := e.CredentialsFor("")
	return c
}

// CredentialsFor reports working credentials of the shop with domain (""
// for the first). When the last token handed out has expired or was
// revoked, a fresh one is issued, as reinstalling the app would.
func (e *Emulator) CredentialsFor(domain string) (Credentials, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.shopByDomain(domain)
	if s == nil {
		return Credentials{}, false
	}
	g := e.primary[s]
	if _, ok := e.valid(g.access); !ok {
		g = e.issue(s, e.opts.TokenTTL)
		e.primary[s] = g
	}
	return Credentials{AccessToken: g.access, ClientID: e.clientID, ClientSecret: e.clientSecret,
		Shop: s.Domain, APIVersion: APIVersion, RefreshToken: g.refresh,
		ExpiresIn: int64(g.expiresIn / time.Second)}, true
}

// shopByDomain finds a shop ("" is the first); e.mu must be held.
func (e *Emulator) shopByDomain(domain string) *shop {
	for _, s := range e.shops {
		if domain == "" || s.Domain == domain {
			return s
		}
	}
	return nil
}

// Reset puts every shop back to its seed catalog and drops faults,
// subscriptions and the delivery log; tokens keep working.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.shops {
		e.seedShop(s, defaultSeed)
	}
	e.faults = nil
	e.deliveries = nil
	e.generation++
}

// routes builds the mux: Admin API, OAuth and control API.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", e.serveGraphQL)
	mux.HandleFunc("GET /admin/api/{version}/shop.json", e.serveShop)
	mux.HandleFunc("GET /admin/oauth/authorize", e.authorize)
	mux.HandleFunc("POST /admin/oauth/access_token", e.accessToken)
	e.controlRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeRaw(w, http.StatusNotFound, []byte(`{"errors":"Not Found"}`))
	})
	return mux
}
