package stripeemu

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/concordhub/concord/emulator/internal/delivery"
)

// APIVersion is the Stripe API version the emulator speaks and stamps on
// events; it is the version stripe-go v82 pins, so webhook.ConstructEvent
// accepts the events without IgnoreAPIVersionMismatch.
const APIVersion = "2025-08-27.basil"

// Options configure an Emulator. The zero value is a working emulator with
// one account, Stripe's test-mode rate limit and real time.
type Options struct {
	// Accounts is how many accounts to create at start (default 1). Each has
	// a sandbox and a live key set; Credentials reports the first.
	Accounts int
	// RateLimit is requests/second allowed per API key (Stripe test mode:
	// 25). 0 means the default 25; a negative value turns limiting off.
	RateLimit float64
	// StartingBalance is the usd amount (cents) available in every data set
	// at start and after reset, so payouts can be made without first taking
	// payments. 0 means the default 1,000,000 ($10,000.00); negative means 0.
	StartingBalance int64
	// Now is the clock for object timestamps, event times and webhook
	// signatures (default time.Now). Rate limiting always uses real time.
	Now func() time.Time
	// HTTPClient sends webhooks; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// Logger receives the emulator's own logs (default: discard). Keys and
	// webhook secrets are never logged.
	Logger *slog.Logger
	// WebhookAttempts is how many times one delivery is tried before it is
	// marked failed (default 4: the first try and 3 retries).
	WebhookAttempts int
	// WebhookBackoff is the wait before the first retry; it doubles each
	// retry (default 500 ms).
	WebhookBackoff time.Duration
	// TimeoutFaultDelay is the longest a "timeout" fault holds a request
	// when the client does not give up first (default 30 s).
	TimeoutFaultDelay time.Duration
}

// Emulator is an in-memory Stripe. Create it with New, serve Handler, and
// call Close when done to stop the webhook sender.
type Emulator struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	handler http.Handler

	mu          sync.Mutex
	accounts    []*account
	keys        map[string]keyRef // API key -> account and mode
	faults      []*fault
	idempotency map[string]*idemEntry // api key + "\x00" + idempotency key
	limiter     *rateLimiter
	deliveries  []*Delivery
	generation  int // bumped on reset so queued deliveries of old state are dropped

	sender *delivery.Sender
}

// account is one Stripe account with its two data sets.
type account struct {
	ID      string
	Name    string
	Created int64
	keys    accountKeys
	test    *dataset
	live    *dataset
}

func (a *account) data(live bool) *dataset {
	if live {
		return a.live
	}
	return a.test
}

// dataset holds every object of one account in one mode.
type dataset struct {
	livemode        bool
	startingBalance int64

	customers      collection[Customer]
	paymentMethods collection[PaymentMethod]
	paymentIntents collection[PaymentIntent]
	payouts        collection[Payout]
	disputes       collection[Dispute]
	events         collection[Event]
	endpoints      collection[WebhookEndpoint]
}

func newDataset(live bool, startingBalance int64) *dataset {
	return &dataset{livemode: live, startingBalance: startingBalance}
}

// New returns a running emulator; its webhook sender starts at once.
func New(opts Options) *Emulator {
	if opts.Accounts <= 0 {
		opts.Accounts = 1
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 25
	}
	switch {
	case opts.StartingBalance == 0:
		opts.StartingBalance = 1_000_000
	case opts.StartingBalance < 0:
		opts.StartingBalance = 0
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
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
	e := &Emulator{
		opts:        opts,
		log:         opts.Logger,
		now:         opts.Now,
		keys:        map[string]keyRef{},
		idempotency: map[string]*idemEntry{},
		limiter:     newRateLimiter(opts.RateLimit),
	}
	for i := 0; i < opts.Accounts; i++ {
		e.addAccount()
	}
	e.sender = delivery.New(opts.HTTPClient, senderWorkers, queueSize, opts.WebhookAttempts, opts.WebhookBackoff)
	e.handler = e.routes()
	return e
}

func (e *Emulator) addAccount() *account {
	a := &account{
		ID:      newID("acct_"),
		Name:    "Concord Sandbox",
		Created: e.now().Unix(),
		keys:    newAccountKeys(),
		test:    newDataset(false, e.opts.StartingBalance),
		live:    newDataset(true, e.opts.StartingBalance),
	}
	e.accounts = append(e.accounts, a)
	for _, k := range []keyRef{
		{key: a.keys.SecretTest, acct: a, kind: keySecret},
		{key: a.keys.PublishableTest, acct: a, kind: keyPublishable},
		{key: a.keys.SecretLive, acct: a, live: true, kind: keySecret},
		{key: a.keys.PublishableLive, acct: a, live: true, kind: keyPublishable},
	} {
		e.keys[k.key] = k
	}
	return a
}

// Handler serves Stripe's API under /v1/ and the control API under
// /_emulator/.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Credentials are the working keys of the first account.
type Credentials struct {
	// SecretKey is the sandbox secret key (sk_test_...).
	SecretKey string `json:"secret_key"`
	// PublishableKey is the sandbox publishable key (pk_test_...).
	PublishableKey string `json:"publishable_key"`
	// WebhookSecret is the signing secret of the first sandbox webhook
	// endpoint, empty while there is none.
	WebhookSecret string `json:"webhook_secret,omitempty"`
	// AccountID is the account's acct_ id, as GET /v1/account reports it.
	AccountID string `json:"account_id"`
	// LiveSecretKey is the live-mode secret key (sk_live_...).
	LiveSecretKey string `json:"live_secret_key"`
	// LivePublishableKey is the live-mode publishable key (pk_live_...).
	LivePublishableKey string `json:"live_publishable_key"`
}

// Credentials reports the first account's keys and default webhook secret.
func (e *Emulator) Credentials() Credentials {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.accounts[0]
	c := Credentials{
		SecretKey:          a.keys.SecretTest,
		PublishableKey:     a.keys.PublishableTest,
		AccountID:          a.ID,
		LiveSecretKey:      a.keys.SecretLive,
		LivePublishableKey: a.keys.PublishableLive,
	}
	if eps := a.test.endpoints.oldestFirst(); len(eps) > 0 {
		c.WebhookSecret = eps[0].secret
	}
	return c
}

// Close stops the webhook sender; queued deliveries are dropped. The
// handler keeps answering API calls.
func (e *Emulator) Close() { e.sender.Close() }

// Reset empties every data set, fault, idempotency record and delivery log
// but keeps accounts and keys, so credentials keep working.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.accounts {
		a.test = newDataset(false, e.opts.StartingBalance)
		a.live = newDataset(true, e.opts.StartingBalance)
	}
	e.faults = nil
	e.idempotency = map[string]*idemEntry{}
	e.limiter = newRateLimiter(e.opts.RateLimit)
	e.deliveries = nil
	e.generation++
}
