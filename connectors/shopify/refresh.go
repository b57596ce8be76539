package shopify

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// refreshAhead is how long before token_expires_at a token is refreshed, so a call never
// starts with a token that dies in flight.
const refreshAhead = 5 * time.Minute

// TokenRefresher is implemented by connectors whose access tokens expire. The hub calls
// RefreshIfDue before it uses a connection (or on a schedule for connections with an
// expiry); when refreshed is true it must store newCreds (the whole credential map, not a
// diff) before anything else uses the connection: Shopify spends the old refresh token
// the moment it answers, so losing newCreds means reconnecting.
type TokenRefresher interface {
	RefreshIfDue(ctx context.Context, s *connector.Session) (newCreds map[string]string, refreshed bool, err error)
}

// refreshLocks serializes refreshes per connection in this process and remembers digests
// of spent refresh tokens (never the tokens), so a second caller holding the old
// credentials is told to reload instead of burning a refresh on a spent token.
type refreshLocks struct {
	mu     sync.Mutex
	byConn map[string]*sync.Mutex
	spent  map[[32]byte]time.Time
}

func (r *refreshLocks) lock(connID string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byConn == nil {
		r.byConn, r.spent = map[string]*sync.Mutex{}, map[[32]byte]time.Time{}
	}
	m := r.byConn[connID]
	if m == nil {
		m = &sync.Mutex{}
		r.byConn[connID] = m
	}
	return m
}

// spend marks a refresh token used; it reports false when it already was. Digests older
// than a day are dropped: Shopify would refuse such a token anyway.
func (r *refreshLocks) spend(token string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, at := range r.spent {
		if now.Sub(at) > 24*time.Hour {
			delete(r.spent, k)
		}
	}
	d := sha256.Sum256([]byte(token))
	if _, used := r.spent[d]; used {
		return false
	}
	r.spent[d] = now
	return true
}

// refreshDue reports whether creds hold an expiring token within refreshAhead of expiry
// and everything a refresh needs.
func refreshDue(creds map[string]string, now time.Time) bool {
	exp, err := time.Parse(time.RFC3339, creds[FieldTokenExpiresAt])
	if err != nil || creds[FieldRefreshToken] == "" || creds[FieldClientID] == "" || creds[FieldClientSecret] == "" {
		return false
	}
	return exp.Sub(now) <= refreshAhead
}

// RefreshIfDue refreshes the session's access token when token_expires_at is within five
// minutes and a refresh token, client id and client secret are stored. It returns the full
// new credential map (the old one with access_token, refresh_token and token_expires_at
// replaced) for the hub to store; refreshed=false means nothing was due or possible. A
// refusal by Shopify is auth_expired (reconnect); a refresh token this process already
// spent is a conflict (reload the stored credentials and retry).
func (c *Connector) RefreshIfDue(ctx context.Context, s *connector.Session) (map[string]string, bool, error) {
	if s == nil || !refreshDue(s.Credentials, c.clock()) {
		return nil, false, nil
	}
	base, err := baseURL(s)
	if err != nil {
		return nil, false, err
	}
	m := c.refresh.lock(s.ConnectionID)
	m.Lock()
	defer m.Unlock()
	creds := s.Credentials
	if !c.refresh.spend(creds[FieldRefreshToken], c.clock()) {
		return nil, false, &connector.ExternalError{Class: concord.ClassConflict, Code: "refresh_token_spent",
			Message: "the token was already refreshed by another call; reload the connection's credentials"}
	}
	tok, err := refreshGrant(ctx, s.HTTP, base, creds[FieldClientID], creds[FieldClientSecret], creds[FieldRefreshToken], c.clock())
	if err != nil {
		return nil, false, err
	}
	next := maps.Clone(creds)
	delete(next, FieldTokenExpiresAt)
	maps.Copy(next, tok.Credentials())
	return next, true, nil
}

// refreshAndPersist is the in-call refresh used when the hub set PersistCredentials: the
// new credentials are stored first, then used by this session.
func (c *Connector) refreshAndPersist(ctx context.Context, s *connector.Session) (map[string]string, bool, error) {
	next, ok, err := c.RefreshIfDue(ctx, s)
	if err != nil || !ok {
		return nil, false, err
	}
	if err := c.PersistCredentials(ctx, s.ConnectionID, next); err != nil {
		// The old refresh token is spent: say so plainly, this needs a reconnect.
		return nil, false, fmt.Errorf("shopify: the refreshed token could not be stored (%w); reconnect the shop", err)
	}
	maps.Copy(s.Credentials, next)
	if _, still := next[FieldTokenExpiresAt]; !still {
		delete(s.Credentials, FieldTokenExpiresAt)
	}
	return next, true, nil
}
