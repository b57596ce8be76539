package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Applied) != 0 || len(res.RiverApplied) != 0 {
			t.Fatalf("second migrate applied %v / river %v", res.Applied, res.RiverApplied)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v == "" {
			t.Fatalf("schema version %q, %v", v, err)
		}
	})
}

func mustEntity(t *testing.T, db *store.DB, name string, mode concord.Mode) concord.Entity {
	t.Helper()
	e := concord.Entity{Name: name, Mode: mode, Active: true}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateEntity(context.Background(), &e) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEntities(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ids []string
		for i := 0; i < 5; i++ {
			ids = append(ids, mustEntity(t, db, fmt.Sprintf("e%d", i), concord.ModeSandbox).ID)
		}
		got, err := db.GetEntity(ctx, ids[2])
		if err != nil || got.Name != "e2" || got.Mode != concord.ModeSandbox || !got.Active {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := db.GetEntity(ctx, "ent_missing"); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Fatalf("missing entity: %v", err)
		}
		// Paging in creation order.
		page1, next, err := db.ListEntities(ctx, nil, store.Page{Limit: 3})
		if err != nil || len(page1) != 3 || next == "" {
			t.Fatalf("page1 %d %q %v", len(page1), next, err)
		}
		page2, next2, err := db.ListEntities(ctx, nil, store.Page{Limit: 3, Cursor: next})
		if err != nil || len(page2) != 2 || next2 != "" {
			t.Fatalf("page2 %d %q %v", len(page2), next2, err)
		}
		if page1[0].ID != ids[0] || page2[1].ID != ids[4] {
			t.Fatalf("order: %v %v", page1, page2)
		}
		scoped, _, err := db.ListEntities(ctx, []string{ids[1], ids[3]}, store.Page{})
		if err != nil || len(scoped) != 2 {
			t.Fatalf("scoped %v %v", scoped, err)
		}
		none, _, _ := db.ListEntities(ctx, []string{}, store.Page{})
		if len(none) != 0 {
			t.Fatalf("empty scope listed %v", none)
		}
		// A constraint failure leaves nothing half-written.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateEntity(ctx, &concord.Entity{Name: "x", Mode: concord.ModeSandbox, Active: true}); err != nil {
				return err
			}
			return tx.CreateEntity(ctx, &concord.Entity{ID: ids[0], Name: "dup", Mode: concord.ModeSandbox})
		})
		if concord.ErrorCode(err) != concord.ECONFLICT {
			t.Fatalf("duplicate id: %v", err)
		}
		all, _, _ := db.ListEntities(ctx, nil, store.Page{Limit: 100})
		if len(all) != 5 {
			t.Fatalf("rollback left %d entities", len(all))
		}
	})
}

func TestConnectionsAndCredentials(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := mustEntity(t, db, "acme", concord.ModeProduction)
		c := concord.Connection{EntityID: e.ID, Connector: "stripe", State: concord.StateNotConnected,
			Config: map[string]string{"api_base": "http://127.0.0.1:1"}}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateConnection(ctx, &c); err != nil {
				return err
			}
			return tx.PutCredentials(ctx, c.ID, map[string]string{"secret_key": "cv1.sealed-a", "webhook_secret": "cv1.sealed-b"})
		})
		if err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		c.State, c.StateReason, c.Mode, c.AccountID, c.LastTestedAt = concord.StateConnected, "test ok", concord.ModeProduction, "acct_1", &now
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateConnection(ctx, &c) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetConnection(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != concord.StateConnected || got.AccountID != "acct_1" || got.Config["api_base"] == "" ||
			got.LastTestedAt == nil || !got.LastTestedAt.Equal(now) {
			t.Fatalf("round trip: %+v", got)
		}
		creds, err := db.Credentials(ctx, c.ID)
		if err != nil || len(creds) != 2 || creds["secret_key"] != "cv1.sealed-a" {
			t.Fatalf("credentials %v %v", creds, err)
		}
		if err := db.TouchConnection(ctx, c.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetConnection(ctx, c.ID)
		if got.LastActivityAt == nil || !got.LastActivityAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("touch: %v", got.LastActivityAt)
		}
		// Disconnect with a purge date in the past, then purge.
		past := now.Add(-time.Hour)
		c.State, c.DisconnectedAt, c.CredentialsPurgeAt = concord.StateDisconnected, &past, &past
		_ = db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateConnection(ctx, &c) })
		ids, err := db.ConnectionsToPurge(ctx, now)
		if err != nil || len(ids) != 1 || ids[0] != c.ID {
			t.Fatalf("to purge %v %v", ids, err)
		}
		var n int64
		_ = db.InTx(ctx, func(tx *store.Tx) error { n, err = tx.DeleteCredentials(ctx, c.ID); return err })
		if n != 2 {
			t.Fatalf("deleted %d", n)
		}
		list, _, err := db.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{e.ID}}, store.Page{})
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v %v", list, err)
		}
		// A connection for an unknown entity is refused by the foreign key.
		bad := concord.Connection{EntityID: "ent_nope", Connector: "stripe", State: concord.StateNotConnected}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateConnection(ctx, &bad) }); err == nil {
			t.Fatal("connection for unknown entity accepted")
		}
	})
}

func TestConnectorLogs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old := db.Now().Add(-40 * 24 * time.Hour)
		for i := 0; i < 7; i++ {
			e := concord.LogEntry{ConnectionID: "con_1", Direction: concord.DirectionOutbound, Kind: concord.KindAPICall,
				Operation: fmt.Sprintf("op%d", i), Outcome: concord.OutcomeOK, Status: 200}
			if i%2 == 1 {
				e.Outcome, e.ErrorClass, e.Status = concord.OutcomeError, concord.ClassRateLimited, 429
			}
			if i == 0 {
				e.Time = old
			}
			if err := db.AppendLog(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		page, next, err := db.ListLogs(ctx, "con_1", store.LogFilter{}, store.Page{Limit: 4})
		if err != nil || len(page) != 4 || next == "" || page[0].Operation != "op6" {
			t.Fatalf("page %v %q %v", page, next, err)
		}
		rest, next, _ := db.ListLogs(ctx, "con_1", store.LogFilter{}, store.Page{Limit: 4, Cursor: next})
		if len(rest) != 3 || next != "" {
			t.Fatalf("rest %d %q", len(rest), next)
		}
		errs, _, _ := db.ListLogs(ctx, "con_1", store.LogFilter{Outcome: concord.OutcomeError}, store.Page{})
		if len(errs) != 3 || errs[0].ErrorClass != concord.ClassRateLimited {
			t.Fatalf("errors filter %v", errs)
		}
		n, err := db.PruneLogs(ctx, db.Now().Add(-30*24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d %v", n, err)
		}
	})
}

func TestAuditChain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Concurrent appends still form one unbroken chain.
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				after, _ := json.Marshal(map[string]any{"n": i})
				_, err := db.AppendAudit(ctx, audit.Entry{Actor: "system", Action: "test.append",
					Resource: fmt.Sprintf("thing:%d", i), EntityID: "ent_a", Outcome: "ok", After: after})
				if err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		v := &audit.Verifier{}
		var problems []audit.Problem
		if err := db.WalkAudit(ctx, func(e audit.Entry) error { problems = append(problems, v.Add(e)...); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(problems) != 0 || v.Count() != 20 {
			t.Fatalf("chain problems %v count %d", problems, v.Count())
		}
		list, next, err := db.ListAudit(ctx, store.AuditFilter{EntityIDs: []string{"ent_a"}}, store.Page{Limit: 15})
		if err != nil || len(list) != 15 || next == "" || list[0].Seq != 20 {
			t.Fatalf("list %d %q %v", len(list), next, err)
		}
		other, _, _ := db.ListAudit(ctx, store.AuditFilter{EntityIDs: []string{"ent_b"}}, store.Page{})
		if len(other) != 0 {
			t.Fatalf("other entity sees %d entries", len(other))
		}
	})
}

func TestAPIKeysAndIdempotency(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := store.APIKey{Name: "ops", Role: "operator", EntityIDs: []string{"ent_1"}, TokenHash: "h1"}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAPIKey(ctx, &k) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.APIKeyByHash(ctx, "h1")
		if err != nil || got.ID != k.ID || got.EntityIDs[0] != "ent_1" || got.RevokedAt != nil {
			t.Fatalf("by hash %+v %v", got, err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeAPIKey(ctx, k.ID) }); err != nil {
			t.Fatal(err)
		}
		got, _ = db.APIKeyByHash(ctx, "h1")
		if got.RevokedAt == nil {
			t.Fatal("revoked key not marked")
		}
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeAPIKey(ctx, k.ID) })
		if !errors.Is(err, err) || concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Fatalf("second revoke %v", err)
		}

		_, claimed, err := db.ClaimIdempotencyKey(ctx, "ak_1", "key-1", "hash-a")
		if err != nil || !claimed {
			t.Fatalf("claim %v %v", claimed, err)
		}
		prev, claimed, _ := db.ClaimIdempotencyKey(ctx, "ak_1", "key-1", "hash-a")
		if claimed || prev.Status != 0 {
			t.Fatalf("in-flight claim %v %+v", claimed, prev)
		}
		_ = db.CompleteIdempotencyKey(ctx, "ak_1", "key-1", 201, []byte(`{"ok":true}`))
		prev, claimed, _ = db.ClaimIdempotencyKey(ctx, "ak_1", "key-1", "hash-b")
		if claimed || prev.Status != 201 || prev.RequestHash != "hash-a" || string(prev.Body) != `{"ok":true}` {
			t.Fatalf("replay %v %+v", claimed, prev)
		}
		// Scopes are separate.
		if _, claimed, _ := db.ClaimIdempotencyKey(ctx, "ak_2", "key-1", "hash-b"); !claimed {
			t.Fatal("another scope could not claim the same key")
		}
	})
}
