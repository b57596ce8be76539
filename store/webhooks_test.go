package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

func TestWebhookEventsStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := db.Now()
		mk := func(id string) *store.WebhookEvent {
			return &store.WebhookEvent{ConnectionID: "con_1", ProviderEventID: id, EventType: "t", ReceivedAt: now,
				Body: []byte(`{"id":"` + id + `"}`), Verified: true}
		}
		var dups []bool
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			dups, err = tx.InsertWebhookEvents(ctx, []*store.WebhookEvent{mk("a"), mk("b"), mk("a")})
			return err
		})
		if err != nil || dups[0] || dups[1] || !dups[2] {
			t.Fatalf("insert batch: %v %v", dups, err)
		}
		known, _ := db.KnownEventIDs(ctx, "con_1", []string{"a", "b", "c"})
		if !known["a"] || !known["b"] || known["c"] {
			t.Fatalf("known %v", known)
		}
		// Claim: both, leased; a second claim gets nothing until the lease lapses.
		claimed, err := db.ClaimWebhookEvents(ctx, 10, time.Hour)
		if err != nil || len(claimed) != 2 || claimed[0].Attempts != 1 {
			t.Fatalf("claim %+v %v", claimed, err)
		}
		if again, _ := db.ClaimWebhookEvents(ctx, 10, time.Hour); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		for _, ev := range claimed {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.FinishWebhookEvent(ctx, ev.ID, store.EventProcessed, "") }); err != nil {
				t.Fatal(err)
			}
		}
		evs, _, _ := db.ListWebhookEvents(ctx, "con_1", store.Page{})
		if len(evs) != 2 || evs[1].Duplicates != 1 || evs[0].Status != store.EventProcessed || evs[0].ProcessedAt == nil {
			t.Fatalf("events %+v", evs)
		}
		// Replay puts it back.
		if err := db.RequeueWebhookEvent(ctx, evs[0].ID); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.ClaimWebhookEvents(ctx, 10, time.Hour); len(again) != 1 {
			t.Fatalf("requeued claim %d", len(again))
		}
		// Refusal counts and stats.
		_ = db.AddRejections(ctx, []store.Rejection{{ConnectionID: "con_1", Minute: now, Reason: "bad_signature", Count: 3, LastAt: now}})
		_ = db.AddRejections(ctx, []store.Rejection{{ConnectionID: "con_1", Minute: now, Reason: "bad_signature", Count: 2, LastAt: now.Add(time.Second)}})
		st, err := db.WebhookStats(ctx, "con_1", now.Add(-time.Hour))
		if err != nil || st.Failures24h != 5 || st.Received24h != 2 || st.Duplicates24h != 1 || st.LastFailureAt == nil ||
			!st.LastFailureAt.Equal(now.Add(time.Second)) || st.Pending != 1 {
			t.Fatalf("stats %+v %v", st, err)
		}
	})
}

func TestExternalObjectsKeepNewestVersion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		put := func(version int64, status string) bool {
			var applied bool
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				applied, err = tx.ObjectsFor("con_1").UpsertObject(ctx, connector.Object{ConnectionID: "con_other", Kind: "payment",
					ExternalID: "pi_1", Status: status, Version: version, Data: json.RawMessage(`{"v":1}`)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return applied
		}
		if !put(10, "processing") || !put(20, "succeeded") || put(15, "requires_action") || put(20, "canceled") {
			t.Fatal("version rule broken")
		}
		objs, _ := db.ListObjects(ctx, "con_1", "payment")
		if len(objs) != 1 || objs[0].Status != "succeeded" || objs[0].Version != 20 {
			t.Fatalf("objects %+v", objs)
		}
		if other, _ := db.ListObjects(ctx, "con_other", ""); len(other) != 0 {
			t.Fatal("a handler wrote another connection's objects")
		}
	})
}
