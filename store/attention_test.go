package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// A card's warning signs and the Sync Dashboard's hourly chart, on both databases: each
// count is the connection's own, and the chart puts each thing moved in its hour and
// direction.
func TestAttentionAndActivity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := db.Now()
		tx := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []string{"con_a", "con_b"} {
			if err := db.AddRejections(ctx, []store.Rejection{{ConnectionID: c, Minute: now, Reason: "bad_signature", Count: 3, LastAt: now}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.AddRejections(ctx, []store.Rejection{{ConnectionID: "con_a", Minute: now.Add(-48 * time.Hour),
			Reason: "old", Count: 50, LastAt: now.Add(-48 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		var evs []*store.WebhookEvent
		for i := range 4 {
			evs = append(evs, &store.WebhookEvent{ConnectionID: "con_a", ProviderEventID: fmt.Sprintf("evt_%d", i), ReceivedAt: now, Body: []byte("{}"), Verified: true})
		}
		tx(func(tx *store.Tx) error {
			if _, err := tx.InsertWebhookEvents(ctx, evs); err != nil {
				return err
			}
			if err := tx.FinishWebhookEvent(ctx, evs[0].ID, store.EventFailed, "boom"); err != nil {
				return err
			}
			for _, ev := range evs[1:3] {
				if err := tx.FinishWebhookEvent(ctx, ev.ID, store.EventProcessed, ""); err != nil {
					return err
				}
			}
			for i, st := range []string{store.MappingStale, store.MappingSuggested, store.MappingSuggested, store.MappingActive} {
				m := store.Mapping{ConnectionID: "con_a", Kind: "variant", ExternalID: fmt.Sprintf("v%d", i), ERPID: fmt.Sprintf("e%d", i), State: st}
				if err := tx.PutMapping(ctx, &m); err != nil {
					return err
				}
			}
			d := store.Drift{ConnectionID: "con_a", Kind: "stock", ERPID: "e3", ExternalID: "v3", Field: "available",
				ERPValue: "1", ExternalValue: "2", Cause: "test", Policy: "manual"}
			return tx.OpenDrift(ctx, &d)
		})
		a, err := db.ConnectionAttention(ctx, "con_a", now.Add(-24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := store.Attention{Rejected: 3, LastRejection: "bad_signature", FailedEvents: 1, OpenDrifts: 1, Stale: 1, Suggested: 2}
		if a != want {
			t.Fatalf("attention %+v, want %+v", a, want)
		}
		if b, _ := db.ConnectionAttention(ctx, "con_c", now.Add(-24*time.Hour)); b != (store.Attention{}) {
			t.Fatalf("a quiet connection has attention %+v", b)
		}

		// Outbound: one change sent, one failed.
		tx(func(tx *store.Tx) error {
			for _, x := range []string{"v1", "v2"} {
				if err := tx.EnqueueChange(ctx, store.OutboxChange{ConnectionID: "con_a", Kind: "stock", ExternalID: x, Field: "available", Value: "5"}); err != nil {
					return err
				}
			}
			return nil
		})
		claimed, err := db.ClaimOutbox(ctx, "con_a", 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %v %d", err, len(claimed))
		}
		tx(func(tx *store.Tx) error {
			if err := tx.FinishOutbox(ctx, claimed[0], store.OutboxSent, ""); err != nil {
				return err
			}
			return tx.FinishOutbox(ctx, claimed[1], store.OutboxFailed, "refused")
		})
		a, err = db.ConnectionAttention(ctx, "con_a", now.Add(-24*time.Hour))
		if err != nil || a.OutboundFailed != 1 || a.LastOutboundError != "stock "+claimed[1].ExternalID+" available: refused" {
			t.Fatalf("outbound refusals in attention: %+v %v", a, err)
		}
		acts, err := db.Activity(ctx, "con_a", now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int{}
		for _, h := range acts {
			if h.Hour.After(now) || now.Sub(h.Hour) > time.Hour {
				t.Errorf("hour %v is not the current hour (now %v)", h.Hour, now)
			}
			v := got[h.Direction]
			got[h.Direction] = [2]int{v[0] + h.Moved, v[1] + h.Failed}
		}
		if got["inbound"] != [2]int{2, 1} || got["outbound"] != [2]int{1, 1} {
			t.Fatalf("activity %+v (rows %+v)", got, acts)
		}
	})
}
