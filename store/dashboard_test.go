package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// The Sync Dashboard's summaries, on both databases: runs summed per direction, the first
// failure after the newest success, the oldest run still going; the outbox by status.
func TestDashboardSummaries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := db.Now()
		run := func(dir, status string, moved, failed int, msg string) store.SyncRun {
			t.Helper()
			r := store.SyncRun{ConnectionID: "con_d", Kind: "variant", Direction: dir}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.CreateSyncRun(ctx, &r); err != nil {
					return err
				}
				r.Status, r.Moved, r.Failed, r.Error = status, moved, failed, msg
				if status == store.RunSucceeded || status == store.RunFailed {
					now := db.Now()
					r.FinishedAt = &now
				}
				return tx.UpdateSyncRun(ctx, &r)
			}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Millisecond) // distinct start times
			return r
		}
		run("inbound", store.RunFailed, 0, 1, "before the success")
		ok := run("inbound", store.RunSucceeded, 5, 0, "")
		run("inbound", store.RunFailed, 1, 2, "boom")
		running := run("inbound", store.RunRunning, 3, 0, "")
		run("inbound", store.RunFailed, 0, 1, "later")
		run("outbound", store.RunFailed, 0, 4, "old failure")
		run("outbound", store.RunSucceeded, 7, 0, "")
		run("outbound", store.RunQueued, 0, 0, "")

		sums, err := db.SummarizeSyncRuns(ctx, "con_d", start.Add(-time.Hour), start.Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		in, out := sums["inbound"], sums["outbound"]
		if in == nil || out == nil || len(sums) != 2 {
			t.Fatalf("summaries %+v", sums)
		}
		if in.Moved != 9 || in.Failed != 4 || in.RecentMoved != 9 || in.RecentFailed != 4 {
			t.Fatalf("inbound counts %+v", in)
		}
		if !in.Failing || in.LastError != "boom" || in.LastSuccessAt == nil || !in.LastSuccessAt.Equal(*ok.FinishedAt) {
			t.Fatalf("inbound failure %+v (success finished %v)", in, ok.FinishedAt)
		}
		if in.Running == nil || in.Running.ID != running.ID {
			t.Fatalf("inbound running %+v, want %s", in.Running, running.ID)
		}
		if out.Failing || out.LastError != "" || out.Moved != 7 || out.Failed != 4 || out.Running == nil || out.Running.Status != store.RunQueued {
			t.Fatalf("outbound %+v", out)
		}
		// A window after every run: nothing, and a recent window that excludes them all.
		sums, err = db.SummarizeSyncRuns(ctx, "con_d", db.Now().Add(time.Second), db.Now().Add(time.Second))
		if err != nil || len(sums) != 0 {
			t.Fatalf("empty window %+v %v", sums, err)
		}
		sums, _ = db.SummarizeSyncRuns(ctx, "con_d", start.Add(-time.Hour), db.Now().Add(time.Second))
		if s := sums["inbound"]; s == nil || s.Moved != 9 || s.RecentMoved != 0 || s.RecentFailed != 0 {
			t.Fatalf("recent window %+v", s)
		}

		// The outbox: five writes to one field coalesce; one sent, one failed, one pending.
		change := func(ext, value string) store.OutboxChange {
			return store.OutboxChange{ConnectionID: "con_d", Kind: "variant", ExternalID: ext, Field: "price", Value: value, ERPID: "e-" + ext}
		}
		for _, c := range []store.OutboxChange{change("A", "1"), change("B", "1"), change("C", "1"), change("C", "2"), change("C", "3")} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.EnqueueChange(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Millisecond) // claimed oldest first: A and B
		}
		claimed, err := db.ClaimOutbox(ctx, "con_d", 2)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %v %v", claimed, err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.FinishOutbox(ctx, claimed[0], store.OutboxSent, ""); err != nil {
				return err
			}
			return tx.FinishOutbox(ctx, claimed[1], store.OutboxFailed, "validation")
		}); err != nil {
			t.Fatal(err)
		}
		st, err := db.OutboxStats(ctx, "con_d", start)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending != 1 || st.OldestPending == nil || st.Coalesced != 2 || st.Failed != 1 || st.Blocked != 0 ||
			st.SentSince != 1 || st.FailedSince != 1 {
			t.Fatalf("outbox stats %+v", st)
		}
		if st, _ := db.OutboxStats(ctx, "con_d", db.Now().Add(time.Second)); st.SentSince != 0 || st.FailedSince != 0 || st.Pending != 1 {
			t.Fatalf("outbox stats later %+v", st)
		}
		// The webhook backlog agrees with WebhookStats' pending count.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertWebhookEvents(ctx, []*store.WebhookEvent{{ConnectionID: "con_d", ProviderEventID: "evt_1", Body: []byte("{}")}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n, err := db.WebhookBacklog(ctx, "con_d")
		ws, _ := db.WebhookStats(ctx, "con_d", start)
		if err != nil || n != 1 || ws.Pending != n {
			t.Fatalf("backlog %d (stats %d) %v", n, ws.Pending, err)
		}
	})
}
