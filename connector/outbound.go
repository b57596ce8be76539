package connector

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"time"

	"github.com/concordhub/concord"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// CallSink receives one connector-log entry per outbound attempt. The store implements it.
// It is called inline on the request path (no goroutine that could be lost), so it must not
// block long.
type CallSink interface {
	RecordCall(ctx context.Context, e concord.LogEntry)
}

// OutboundOptions configure the shared outbound client. Zero values take the defaults.
type OutboundOptions struct {
	// UserAgent is sent when the caller set none. Default
	// "concord/<version> (+https://github.com/concordhub/concord)".
	UserAgent string
	// Timeout bounds the whole call including retries and reading the body. Default 30s.
	Timeout time.Duration
	// AttemptTimeout bounds one attempt. Default 15s.
	AttemptTimeout time.Duration
	// MaxRetries is how many times a failed, replayable request is sent again. Default 3;
	// negative disables retries.
	MaxRetries int
	// MaxRetryWait caps any single in-process wait, including Retry-After and the rate
	// limiter. A longer wait is not spent here: the call fails with an *ExternalError whose
	// RetryAfter is set, so the durable job can snooze instead of pinning a worker. Default 30s.
	MaxRetryWait time.Duration
	// Sink receives the connector log; nil drops it.
	Sink CallSink
	// Registerer, if set, receives the call metrics.
	Registerer prometheus.Registerer
	// Logger gets debug lines about retries; never a secret. Default discards.
	Logger *slog.Logger
	// AllowPrivateNetworks lifts the private-network guard (the server's
	// --allow-custom-api-base, for self-hosted emulators on a LAN).
	AllowPrivateNetworks bool
	// Now is the clock for log times and HTTP-date Retry-After. Default time.Now.
	Now func() time.Time
	// BaseTransport is cloned for the outbound transports; tests use it. Default a tuned
	// clone of http.DefaultTransport. Its dial hooks are replaced by the guarded dialer.
	BaseTransport *http.Transport
}

// Outbound is the one hardened outbound HTTP client shared by every connector: per-connection
// rate limits, safe retries, timeouts, User-Agent, private-network guard, redacted connector
// log and metrics. It is safe for concurrent use; make one per process.
type Outbound struct {
	opts        OutboundOptions
	log         *slog.Logger
	now         func() time.Time
	strict      *http.Transport // production bindings: loopback refused
	sandbox     *http.Transport // sandbox bindings: loopback allowed for local emulators
	limiters    limiters
	metrics     *callMetrics
	backoffBase time.Duration // tests shorten it
	backoffCap  time.Duration
}

// NewOutbound builds the shared client with o's settings.
func NewOutbound(o OutboundOptions) *Outbound {
	if o.UserAgent == "" {
		o.UserAgent = "concord/" + version() + " (+https://github.com/concordhub/concord)"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 15 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base := o.BaseTransport
	if base == nil {
		base = tunedTransport()
	}
	return &Outbound{
		opts:        o,
		log:         log,
		now:         o.Now,
		strict:      guardedTransport(base, false, o.AllowPrivateNetworks),
		sandbox:     guardedTransport(base, true, o.AllowPrivateNetworks),
		metrics:     newCallMetrics(o.Registerer),
		backoffBase: defaultBackoffBase,
		backoffCap:  defaultBackoffCap,
	}
}

// tunedTransport is http.DefaultTransport with limits suited to many connections talking to
// a handful of API hosts.
func tunedTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 200
	t.MaxIdleConnsPerHost = 20
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ExpectContinueTimeout = time.Second
	t.MaxResponseHeaderBytes = 1 << 20
	return t
}

// Binding is what the client needs to know about the one connection it is bound to.
type Binding struct {
	ConnectionID string
	Connector    string
	// Sandbox connections may reach loopback (127.0.0.0/8, ::1) for local emulators.
	Sandbox bool
	// Rate and Burst are the connection's limit from the connector's provider facts;
	// Rate 0 means unlimited.
	Rate  rate.Limit
	Burst int
	// Secrets are the connection's decrypted credentials, redacted from everything logged.
	Secrets []string
}

// Client returns an *http.Client bound to b. It is cheap: the connection's rate limiter is
// kept by the Outbound across clients, and updated if b's limit changed.
func (o *Outbound) Client(b Binding) *http.Client {
	b.Secrets = slices.Clone(b.Secrets) // the caller may wipe its copy after the call
	t := &boundTransport{o: o, b: b, lim: o.limiters.get(b), next: o.strict}
	if b.Sandbox {
		t.next = o.sandbox
	}
	return &http.Client{Transport: t}
}

// Forget drops the connection's rate limiter, for a disconnected connection.
func (o *Outbound) Forget(connectionID string) { o.limiters.forget(connectionID) }

type ctxKey int

const (
	operationKey ctxKey = iota
	correlationKey
)

// WithOperation names the calls made with ctx in the connector log (e.g. "list orders").
// Without it the operation is "<METHOD> <path>".
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, operationKey, op)
}

// WithCorrelationID ties the calls made with ctx to a job, sync run or webhook in the log.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey, id)
}

func ctxString(ctx context.Context, k ctxKey) string {
	s, _ := ctx.Value(k).(string)
	return s
}

// version is the module version from the build info, so no ldflags are needed.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
