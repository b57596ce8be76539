package stripe

import (
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// quietLogger silences stripe-go: the shared outbound client writes the one redacted
// connector-log entry per call, and stripe-go's own logger would print to stderr outside
// the hub's injected slog (at debug level, with response bodies).
var quietLogger = &stripego.LeveledLogger{Level: stripego.LevelNull}

// newClient builds a stripe-go client for one session. It is built per call on purpose:
// the key and the base URL belong to the connection, and the client must not outlive the
// Session that holds the decrypted key.
func newClient(s *connector.Session) (*stripego.Client, error) {
	if s == nil {
		return nil, concord.Errorf(concord.EINTERNAL, "stripe: no session")
	}
	key := s.Credentials[FieldSecretKey]
	if key == "" {
		return nil, invalid("secret_key is required")
	}
	if s.HTTP == nil {
		// Falling back to a default client would skip the hub's retries, rate limits,
		// private-network guard and connector log; a missing client is a wiring bug.
		return nil, concord.Errorf(concord.EINTERNAL, "stripe: session has no outbound HTTP client")
	}
	base := strings.TrimSpace(s.APIBase)
	if base == "" {
		base = DefaultAPIBase
	}
	backends := stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		URL:        &base,
		HTTPClient: s.HTTP,
		// The shared outbound client retries; a second retry loop here would multiply
		// attempts and hide them from the rate limiter.
		MaxNetworkRetries: stripego.Int64(0),
		LeveledLogger:     quietLogger,
	})
	return stripego.NewClient(key, stripego.WithBackends(backends)), nil
}
