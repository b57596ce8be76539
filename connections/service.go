// Package connections is the lifecycle of a connection: connect, test, rotate credentials
// safely, disconnect softly, reconnect within the recovery window, and the durable external
// writes made on it. Every change commits together with its audit entry; credentials pass
// through here only sealed by the vault or, for the length of one call, in memory.
package connections

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/vault"
)

// Service runs the connection lifecycle.
type Service struct {
	DB       *store.DB
	Registry *connector.Registry
	Keys     *vault.Keyring
	Outbound *connector.Outbound
	// Jobs is set once the queue exists (the queue's workers need the Service first).
	Jobs *jobs.Queue
	Log  *slog.Logger
	// AllowCustomAPIBase lets production connections override api_base (the server flag
	// --allow-custom-api-base); sandbox connections may always point at an emulator.
	AllowCustomAPIBase bool
	// PublicURL is the hub's externally reachable base URL, for webhook URLs.
	PublicURL string
	Now       func() time.Time
	// OnChange is told after a connection's credentials, config or state changed, so
	// caches of opened connections (the webhook intake's) drop it at once.
	OnChange func(connectionID string)
}

func (s *Service) changed(id string) {
	if s.OnChange != nil {
		s.OnChange(id)
	}
}

// Actor names who makes a change, for the audit history ("api_key:ak_...", "system").
type Actor string

// System is the actor of periodic and background work.
const System Actor = "system"

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) connector(name string) (connector.Connector, error) {
	c, ok := s.Registry.Get(name)
	if !ok {
		return nil, concord.Errorf(concord.EINVALID, "unknown connector %q", name)
	}
	return c, nil
}

// session builds the connector's view of a connection with creds decrypted in memory.
func (s *Service) session(c concord.Connection, entity concord.Entity, creds map[string]string) (*connector.Session, error) {
	conn, err := s.connector(c.Connector)
	if err != nil {
		return nil, err
	}
	d := conn.Describe()
	base := d.DefaultAPIBase
	if v := c.Config["api_base"]; v != "" {
		base = strings.TrimRight(v, "/")
	}
	secrets := make([]string, 0, len(creds))
	for _, v := range creds {
		secrets = append(secrets, v)
	}
	burst := d.RateBurst
	if burst <= 0 {
		burst = 1
	}
	return &connector.Session{
		ConnectionID: c.ID,
		EntityMode:   entity.Mode,
		Credentials:  creds,
		Config:       c.Config,
		APIBase:      base,
		HTTP: s.Outbound.Client(connector.Binding{
			ConnectionID: c.ID,
			Connector:    c.Connector,
			Sandbox:      entity.Mode == concord.ModeSandbox,
			Rate:         rate.Limit(d.RateLimit),
			Burst:        burst,
			Secrets:      secrets,
		}),
	}, nil
}

// checkConfig validates config fields against the connector's descriptor, then lets the
// connector check their values.
func (s *Service) checkConfig(d connector.Descriptor, entity concord.Entity, cfg map[string]string) error {
	if err := s.checkConfigFields(d, entity, cfg); err != nil {
		return err
	}
	if conn, ok := s.Registry.Get(d.Name); ok {
		if cc, ok := conn.(connector.ConfigChecker); ok {
			return cc.CheckConfig(cfg)
		}
	}
	return nil
}

func (s *Service) checkConfigFields(d connector.Descriptor, entity concord.Entity, cfg map[string]string) error {
	known := map[string]bool{}
	for _, f := range d.Config {
		known[f.Name] = true
		if f.Required && cfg[f.Name] == "" {
			return concord.Errorf(concord.EINVALID, "config field %q is required for %s", f.Name, d.Name)
		}
	}
	for k := range cfg {
		if !known[k] {
			return concord.Errorf(concord.EINVALID, "unknown config field %q for %s", k, d.Name)
		}
	}
	if v, ok := cfg["api_base"]; ok && v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return concord.Errorf(concord.EINVALID, "config.api_base must be an http(s) URL")
		}
		if entity.Mode != concord.ModeSandbox && !s.AllowCustomAPIBase {
			return concord.Errorf(concord.EFORBIDDEN,
				"config.api_base may only be set on sandbox connections (start the server with --allow-custom-api-base to lift this)")
		}
	}
	return nil
}

// checkCredentials validates credential fields: no unknown field, every required one
// present. It returns the mode the credential itself declares, if it does.
func checkCredentials(conn connector.Connector, creds map[string]string) (concord.Mode, bool, error) {
	d := conn.Describe()
	known := map[string]bool{}
	for _, f := range d.Credentials {
		known[f.Name] = true
		if f.Required && strings.TrimSpace(creds[f.Name]) == "" {
			return "", false, concord.Errorf(concord.EINVALID, "credential field %q is required for %s", f.Name, d.Name)
		}
	}
	for k := range creds {
		if !known[k] {
			return "", false, concord.Errorf(concord.EINVALID, "unknown credential field %q for %s", k, d.Name)
		}
	}
	if cc, ok := conn.(connector.CredentialChecker); ok {
		return cc.CheckCredentials(creds)
	}
	return "", false, nil
}

// seal seals every credential of connection id.
func (s *Service) seal(id string, creds map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(creds))
	for f, v := range creds {
		if v == "" {
			continue
		}
		sealed, err := s.Keys.Seal(id, f, v)
		if err != nil {
			return nil, err
		}
		out[f] = sealed
	}
	return out, nil
}

// open decrypts a connection's stored credentials.
func (s *Service) open(id string, sealed map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(sealed))
	for f, v := range sealed {
		plain, err := s.Keys.Open(id, f, v)
		if err != nil {
			return nil, concord.Errorf(concord.EINTERNAL, "credential %q of this connection cannot be opened with the current master key", f)
		}
		out[f] = plain
	}
	return out, nil
}

// auditTx appends an audit entry with a masked before/after diff.
func auditTx(ctx context.Context, tx *store.Tx, actor Actor, action, resource, entityID, outcome string, before, after any, detail string) error {
	b, a, err := audit.Diff(before, after, "credentials")
	if err != nil {
		return err
	}
	_, err = tx.AppendAudit(ctx, audit.Entry{Actor: string(actor), Action: action, Resource: resource,
		EntityID: entityID, Outcome: outcome, Before: b, After: a, Detail: detail})
	return err
}

// logAction writes an operator action to the connector log.
func (s *Service) logAction(ctx context.Context, connID, op, outcome string, class concord.ErrorClass, excerpt string) {
	s.DB.RecordCall(ctx, concord.LogEntry{ConnectionID: connID, Direction: concord.DirectionInternal,
		Kind: concord.KindAction, Operation: op, Outcome: outcome, ErrorClass: class, Excerpt: excerpt})
}
