package shopify

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func expiringSession(f *fake, expires time.Time) *connector.Session {
	s := f.session()
	s.Credentials[FieldClientID] = "client123"
	s.Credentials[FieldClientSecret] = oauthSecret
	s.Credentials[FieldRefreshToken] = "shprt_old"
	s.Credentials[FieldTokenExpiresAt] = expires.UTC().Format(time.RFC3339)
	return s
}

func TestRefreshIfDue(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var grants []map[string]any
	tokenEndpoint(t, f, &grants)
	c := New()
	// Not due: an hour left.
	if _, ok, err := c.RefreshIfDue(context.Background(), expiringSession(f, time.Now().Add(time.Hour))); ok || err != nil || len(grants) != 0 {
		t.Fatalf("refreshed an hour early: %v %v", ok, err)
	}
	s := expiringSession(f, time.Now().Add(4*time.Minute))
	creds, ok, err := c.RefreshIfDue(context.Background(), s)
	if err != nil || !ok {
		t.Fatalf("ok %v err %v", ok, err)
	}
	if creds[FieldAccessToken] != "shpat_fffffffffffffffffffffffffffffff1" || creds[FieldRefreshToken] != "shprt_new" ||
		creds[FieldClientID] != "client123" || creds[FieldClientSecret] != oauthSecret {
		t.Fatalf("creds = %v", creds)
	}
	if exp, _ := time.Parse(time.RFC3339, creds[FieldTokenExpiresAt]); time.Until(exp) < 59*time.Minute {
		t.Fatalf("expires = %s", creds[FieldTokenExpiresAt])
	}
	if g := grants[0]; g["grant_type"] != "refresh_token" || g["refresh_token"] != "shprt_old" {
		t.Fatalf("grant = %v", g)
	}
	if s.Credentials[FieldAccessToken] != testToken {
		t.Fatal("RefreshIfDue changed the session; storing is the hub's job")
	}
	// The same (now spent) refresh token again: reload, without a second grant.
	_, _, err = c.RefreshIfDue(context.Background(), s)
	if connector.ClassOf(err) != concord.ClassConflict || len(grants) != 1 {
		t.Fatalf("spent token: %v, grants %d", err, len(grants))
	}
	// No refresh token: nothing to do (a non-expiring custom-app token).
	plain := f.session()
	plain.Credentials[FieldTokenExpiresAt] = time.Now().Format(time.RFC3339)
	if _, ok, err := c.RefreshIfDue(context.Background(), plain); ok || err != nil {
		t.Fatalf("no refresh token: %v %v", ok, err)
	}
}

// TestRefreshBeforeCall: with PersistCredentials set, a call with an expiring token
// refreshes, stores and then uses the new token.
func TestRefreshBeforeCall(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var grants []map[string]any
	tokenEndpoint(t, f, &grants)
	f.always("Shop", shopData(testShop, true))
	var mu sync.Mutex
	var stored map[string]string
	c := New()
	c.PersistCredentials = func(_ context.Context, id string, creds map[string]string) error {
		mu.Lock()
		defer mu.Unlock()
		stored = creds
		return nil
	}
	s := expiringSession(f, time.Now().Add(time.Minute))
	if _, err := c.Test(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	calls := f.seen()
	if len(grants) != 1 || stored[FieldRefreshToken] != "shprt_new" || len(calls) != 1 || calls[0].Token != "shpat_fffffffffffffffffffffffffffffff1" {
		t.Fatalf("grants %d, stored %v, calls %+v", len(grants), stored, calls)
	}
	// The session now holds the new token: the next call does not refresh again.
	if _, err := c.Test(context.Background(), s); err != nil || len(grants) != 1 {
		t.Fatalf("second call: %v, grants %d", err, len(grants))
	}
}
