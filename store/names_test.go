package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
)

// RecordFields names a page of records in one query per side and kind, on both databases.
func TestRecordFields(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, r := range []connector.SyncRecord{
				{Kind: "variant", ExternalID: "v1", UpdatedAt: time.Now(), Fields: map[string]string{"title": "Tee", "sku": "S1"}},
				{Kind: "location", ExternalID: "l1", UpdatedAt: time.Now(), Fields: map[string]string{"name": "Main"}},
			} {
				if _, _, err := tx.UpsertSyncRecord(ctx, "con_n", r, "fp"); err != nil {
					return err
				}
			}
			r := store.ERPRecord{EntityID: "ent_n", Kind: "variant", ID: "e1", Source: "erp", Fields: map[string]string{"sku": "S1"}}
			_, err := tx.PutERPRecord(ctx, &r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ext, err := db.RecordFields(ctx, "external", "con_n", []store.RecordKey{{"variant", "v1"}, {"location", "l1"}, {"variant", "gone"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ext) != 2 || ext[store.RecordKey{Kind: "variant", ID: "v1"}]["title"] != "Tee" || ext[store.RecordKey{Kind: "location", ID: "l1"}]["name"] != "Main" {
			t.Fatalf("external names %+v", ext)
		}
		erp, err := db.RecordFields(ctx, "erp", "ent_n", []store.RecordKey{{"variant", "e1"}})
		if err != nil || erp[store.RecordKey{Kind: "variant", ID: "e1"}]["sku"] != "S1" {
			t.Fatalf("erp names %+v %v", erp, err)
		}
		if none, err := db.RecordFields(ctx, "erp", "ent_other", []store.RecordKey{{"variant", "e1"}}); err != nil || len(none) != 0 {
			t.Fatalf("another entity's records: %+v %v", none, err)
		}
	})
}
