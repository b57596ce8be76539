package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// TestOAuthStates: a state is consumed once, never after it expires, and an unknown one
// is told apart from a used or expired one.
func TestOAuthStates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := concord.Entity{Name: "Shop", Mode: concord.ModeSandbox, Active: true}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateEntity(ctx, &e) }); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		mk := func(state string, ttl time.Duration) {
			t.Helper()
			s := &store.OAuthState{State: state, EntityID: e.ID, Connector: "shopify",
				Config: map[string]string{"shop": "demo.myshopify.com"}, ClientID: "cid", ClientSecret: "cv1.sealed",
				RedirectURI: "https://hub.example/oauth/callback", Actor: "api_key:ak_1", CreatedAt: now, ExpiresAt: now.Add(ttl)}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOAuthState(ctx, s) }); err != nil {
				t.Fatal(err)
			}
		}
		consume := func(state string, at time.Time) (store.OAuthState, error) {
			var got store.OAuthState
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.ConsumeOAuthState(ctx, state, at)
				return err
			})
			return got, err
		}
		mk("st_live", 10*time.Minute)
		mk("st_old", time.Minute)

		got, err := consume("st_live", now)
		if err != nil || got.EntityID != e.ID || got.Config["shop"] != "demo.myshopify.com" || got.ClientSecret != "cv1.sealed" ||
			got.Actor != "api_key:ak_1" || got.UsedAt == nil || !got.ExpiresAt.Equal(now.Add(10*time.Minute)) {
			t.Fatalf("consume: %+v %v", got, err)
		}
		if _, err := consume("st_live", now); !errors.Is(err, store.ErrOAuthStateUsed) {
			t.Fatalf("replay: %v", err)
		}
		if _, err := consume("st_old", now.Add(2*time.Minute)); !errors.Is(err, store.ErrOAuthStateExpired) {
			t.Fatalf("expired: %v", err)
		}
		if _, err := consume("st_nope", now); !errors.Is(err, store.ErrOAuthStateUnknown) {
			t.Fatalf("unknown: %v", err)
		}
		if _, err := db.GetOAuthState(ctx, "st_nope"); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Fatalf("get unknown: %v", err)
		}
		// The expired state was not consumed by the refusal: still unused, and purged later.
		if s, err := db.GetOAuthState(ctx, "st_old"); err != nil || s.UsedAt != nil {
			t.Fatalf("expired state: %+v %v", s, err)
		}
		var purged int64
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			purged, err = tx.PurgeOAuthStates(ctx, now.Add(5*time.Minute))
			return err
		}); err != nil || purged != 1 {
			t.Fatalf("purge: %d %v", purged, err)
		}
	})
}

// TestOAuthStateConsumedOnce: concurrent callbacks with one state; exactly one wins.
func TestOAuthStateConsumedOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := concord.Entity{Name: "Shop", Mode: concord.ModeSandbox, Active: true}
		now := db.Now()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateEntity(ctx, &e); err != nil {
				return err
			}
			return tx.CreateOAuthState(ctx, &store.OAuthState{State: "st_race", EntityID: e.ID, Connector: "shopify",
				Config: map[string]string{}, ClientID: "cid", ClientSecret: "cv1.sealed", RedirectURI: "https://h/cb",
				Actor: "system", ExpiresAt: now.Add(time.Minute)})
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, used := 0, 0
		for range 8 {
			wg.Go(func() {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ConsumeOAuthState(ctx, "st_race", now)
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrOAuthStateUsed):
					used++
				default:
					t.Errorf("consume: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || used != 7 {
			t.Fatalf("wins %d used %d", wins, used)
		}
	})
}
