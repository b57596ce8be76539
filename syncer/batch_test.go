package syncer

import (
	"context"
	"testing"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// PutRecords writes a batch in one transaction: each mapped record queues its change as a
// single PutRecord would, an unmapped one says why not, and every record gets its audit
// entry; a batch across entities is refused, on both databases.
func TestPutRecordsBatch(t *testing.T) {
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		b.sync(true)
		b.approveAll("variant")
		batch := []*store.ERPRecord{
			{EntityID: b.entity.ID, Kind: "variant", ID: "var-tee-s", Fields: map[string]string{"price": "25.00"}, Source: "erp"},
			{EntityID: b.entity.ID, Kind: "variant", ID: "var-new", Fields: map[string]string{"sku": "NEW-1", "price": "5.00"}, Source: "erp"},
			{EntityID: b.entity.ID, Kind: "variant", ID: "var-tee-m", Fields: map[string]string{"price": "19.90"}, Source: "erp"}, // unchanged
		}
		qs, err := b.e.PutRecords(ctx, "t", batch)
		if err != nil || len(qs) != 3 {
			t.Fatalf("batch: %v %d", err, len(qs))
		}
		if len(qs[0]) != 1 || !qs[0][0].Queued || qs[0][0].Field != "price" {
			t.Errorf("mapped record: %+v", qs[0])
		}
		if len(qs[1]) != 0 || len(qs[2]) != 0 {
			t.Errorf("unmapped or unchanged records queued: %+v %+v", qs[1], qs[2])
		}
		st, err := b.db.OutboxStats(ctx, b.connID, b.db.Now().Add(-60e9))
		if err != nil || st.Pending != 1 {
			t.Errorf("outbox after the batch: %+v %v", st, err)
		}
		entries, _, err := b.db.ListAudit(ctx, store.AuditFilter{Action: "record.put"}, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Resource] = true
		}
		if !seen["variant:var-tee-s"] || !seen["variant:var-new"] {
			t.Errorf("audit of the batch: %+v", seen)
		}
		other := []*store.ERPRecord{batch[0], {EntityID: "ent_other", Kind: "variant", ID: "x", Fields: map[string]string{"sku": "x"}}}
		if _, err := b.e.PutRecords(ctx, "t", other); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("a batch across entities: %v", err)
		}
		if _, err := b.e.PutRecords(ctx, "t", nil); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("an empty batch: %v", err)
		}
	})
}
