package syncer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

func TestImportMapAndStock(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		runs := b.sync(true)
		for _, r := range runs {
			if r.Status != store.RunSucceeded {
				t.Fatalf("run %s %s: %s", r.Kind, r.Status, r.Error)
			}
		}
		// Suggestions by exact SKU and name; the MUG and Pop-up have no ERP match.
		if n := len(b.mappings(store.MappingSuggested, "variant")); n != 2 {
			t.Fatalf("suggested variants %d", n)
		}
		if n := len(b.mappings(store.MappingUnmapped, "variant")); n != 1 {
			t.Fatalf("unmapped variants %d", n)
		}
		// Stock of unmapped listings is not taken in.
		if recs, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "stock", store.Page{}); len(recs) != 0 {
			t.Fatalf("stock imported before mapping: %+v", recs)
		}
		// The order became an ERP record with an active mapping.
		if recs, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "order", store.Page{}); len(recs) != 1 || recs[0].Fields["number"] != "#1001" {
			t.Fatalf("orders %+v", recs)
		}
		b.approveAll("variant")
		b.approveAll("location")
		b.sync(true)
		stock, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "stock", store.Page{})
		if len(stock) != 2 { // V1|L1 and V2|L1; L2 is not mapped
			t.Fatalf("stock %+v", stock)
		}
		var unknownLocation bool
		for _, r := range b.sync(false) {
			unknownLocation = unknownLocation || strings.Contains(r.Warning, "unknown location")
		}
		if !unknownLocation {
			t.Fatal("stock at an unmapped location was not named")
		}
		// A second ERP variant cannot take an already mapped listing's place.
		ms := b.mappings(store.MappingActive, "variant")
		out, _ := b.e.ApplyMappingActions(ctx, "t", b.connID, []MappingAction{{MappingID: b.mappings(store.MappingUnmapped, "variant")[0].ID,
			Action: "approve", ERPID: ms[0].ERPID}})
		if out[0].OK {
			t.Fatal("a variant was mapped twice")
		}
	})
}

// TestMarketplaceDriftCases covers each marketplace drift case of BRIEF.md.
func TestMarketplaceDriftCases(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seedMapped()
		m := b.m
		// Stock changed externally; price changed on the marketplace.
		m.put("stock", "V1|L1", "V1", map[string]string{"variant_id": "V1", "location_id": "L1", "available": "2"})
		m.put("variant", "V2", "P1", map[string]string{"sku": "TEE-M", "title": "TEE-M", "price": "24.00", "product_title": "Tee"})
		// The order changed after import (its lines), and was paid (the service owns that).
		m.put("order", "O1", "", map[string]string{"number": "#1001", "financial_status": "paid", "fulfillment_status": "unfulfilled",
			"total": "59.70", "currency": "USD", "lines": `[{"sku":"TEE-S","quantity":3}]`})
		// A fulfillment appears, then is updated outside the ERP.
		m.put("fulfillment", "F1", "O1", map[string]string{"status": "success", "tracking_number": "1Z1", "tracking_company": "UPS"})
		b.sync(false)
		m.put("fulfillment", "F1", "O1", map[string]string{"status": "success", "tracking_number": "1Z2", "tracking_company": "UPS"})
		b.sync(false)
		d := b.openDrifts()
		want := map[string]string{
			"stock/V1|L1/available": "stock changed externally",
			"variant/V2/price":      "price changed on the marketplace",
			"order/O1/lines":        "order changed after import",
			"order/O1/total":        "order changed after import",
		}
		for k, cause := range want {
			if d[k].Cause != cause {
				t.Errorf("drift %s: %+v (want cause %q)", k, d[k], cause)
			}
		}
		if d["stock/V1|L1/available"].ERPValue != "5" || d["stock/V1|L1/available"].ExternalValue != "2" {
			t.Errorf("stock drift values %+v", d["stock/V1|L1/available"])
		}
		orders, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "order", store.Page{})
		if orders[0].Fields["financial_status"] != "paid" {
			t.Errorf("service-owned status not pulled: %v", orders[0].Fields)
		}
		ful, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "fulfillment", store.Page{})
		if len(ful) != 1 || ful[0].Fields["tracking_number"] != "1Z2" || ful[0].Fields["order_id"] != orders[0].ID {
			t.Errorf("fulfillment updated outside the ERP not taken in: %+v", ful)
		}
		auto, _, _ := b.db.ListDrifts(ctx, b.connID, store.DriftAutoResolved, store.Page{Limit: 100})
		if len(auto) < 2 {
			t.Errorf("auto-resolutions not logged: %+v", auto)
		}
		// A listing SKU that no longer matches, and a product deleted after its id was cached.
		m.put("variant", "V1", "P1", map[string]string{"sku": "TEE-SMALL", "title": "x", "price": "19.90"})
		b.sync(false)
		m.mu.Lock()
		delete(m.recs["variant"], "V2")
		m.mu.Unlock()
		var rec store.ERPRecord
		_ = b.db.InTx(ctx, func(tx *store.Tx) error {
			var t2 Tally
			var err error
			rec, err = tx.GetERPRecord(ctx, b.entity.ID, "variant", "var-tee-m")
			if err != nil {
				return err
			}
			return b.e.applyOne(ctx, tx, mustConn(t, b), syncDeleted("V2", "P1"), &t2)
		})
		stale := map[string]string{}
		for _, mp := range b.mappings(store.MappingStale, "variant") {
			stale[mp.ExternalID] = mp.Reason
		}
		if !strings.Contains(stale["V1"], "SKU no longer matches") || !strings.Contains(stale["V2"], "deleted") {
			t.Fatalf("stale mappings %v", stale)
		}
		// No push goes to a stale listing.
		q, err := b.e.PutRecord(ctx, "t", &store.ERPRecord{EntityID: b.entity.ID, Kind: "variant", ID: rec.ID, Fields: map[string]string{"price": "21.00"}, Source: "erp"})
		if err != nil || len(q) != 1 || q[0].Queued {
			t.Fatalf("push to a stale listing: %+v %v", q, err)
		}
	})
}

func TestResolveAndOutbound(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seedMapped()
		b.m.put("stock", "V1|L1", "V1", map[string]string{"variant_id": "V1", "location_id": "L1", "available": "2"})
		b.m.put("variant", "V2", "P1", map[string]string{"sku": "TEE-M", "title": "TEE-M", "price": "24.00", "product_title": "Tee"})
		b.sync(false)
		d := b.openDrifts()
		stock, price := d["stock/V1|L1/available"], d["variant/V2/price"]
		// Preview first: nothing changes.
		p, err := b.e.PreviewResolution(ctx, stock.ID, Push)
		if err != nil || !p.Allow || p.From != "2" || p.To != "5" || !strings.Contains(p.Change, "on the service") {
			t.Fatalf("preview %+v %v", p, err)
		}
		if len(b.m.sent) != 0 {
			t.Fatal("a preview sent something")
		}
		// Push: queued and sent; the drift closes; the service has the ERP's value.
		if _, err := b.e.Resolve(ctx, "op", stock.ID, Push); err != nil {
			t.Fatal(err)
		}
		if err := b.e.Flush(ctx, b.connID, ""); err != nil {
			t.Fatal(err)
		}
		if b.m.recs["stock"]["V1|L1"].Fields["available"] != "5" {
			t.Fatalf("push did not reach the service: %+v", b.m.recs["stock"]["V1|L1"])
		}
		// Pull: the ERP takes the service's price.
		if _, err := b.e.Resolve(ctx, "op", price.ID, Pull); err != nil {
			t.Fatal(err)
		}
		erp, _ := b.db.GetERPRecord(ctx, b.entity.ID, "variant", "var-tee-m")
		if erp.Fields["price"] != "24.00" {
			t.Fatalf("pull: %v", erp.Fields)
		}
		if _, err := b.e.Resolve(ctx, "op", price.ID, Accept); err == nil {
			t.Fatal("a resolved drift was resolved again")
		}
		if n := len(b.openDrifts()); n != 0 {
			t.Fatalf("%d drifts still open: %+v", n, b.openDrifts())
		}
		// A later import agrees: no drift comes back.
		b.sync(false)
		if n := len(b.openDrifts()); n != 0 {
			t.Fatalf("drift came back after resolution: %+v", b.openDrifts())
		}
		// Coalescing: five price writes to one variant make one change with the last value.
		calls := b.m.calls
		for _, price := range []string{"20.00", "20.50", "21.00", "21.50", "22.00"} {
			b.erp("variant", "var-tee-s", map[string]string{"price": price})
		}
		st, _ := b.db.OutboxStats(ctx, b.connID, b.db.Now().Add(-1e12))
		if st.Pending != 1 || st.Coalesced != 4 {
			t.Fatalf("outbox %+v", st)
		}
		if err := b.e.Flush(ctx, b.connID, ""); err != nil {
			t.Fatal(err)
		}
		if b.m.calls != calls+1 || b.m.recs["variant"]["V1"].Fields["price"] != "22.00" {
			t.Fatalf("coalesced push: %d calls, price %q", b.m.calls-calls, b.m.recs["variant"]["V1"].Fields["price"])
		}
		// Sync Dashboard data for both directions.
		dash, err := b.e.Dashboard(ctx, b.entity.ID, "all")
		if err != nil || len(dash.Flows) != 2 {
			t.Fatalf("dashboard %+v %v", dash, err)
		}
		for _, f := range dash.Flows {
			if f.State != OnTime || f.LastSuccessAt == nil && f.Direction == Inbound {
				t.Fatalf("flow %+v", f)
			}
		}
	})
}

func TestCheckpointResumeAndLostData(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		for i := 0; i < 7; i++ {
			b.m.put("order", "O"+string(rune('A'+i)), "", map[string]string{"number": "#" + string(rune('A'+i)), "financial_status": "paid", "lines": "[]"})
		}
		runs, err := b.e.StartRuns(ctx, "t", b.connID, "order", Inbound, true)
		if err != nil {
			t.Fatal(err)
		}
		b.m.failPage = 3 // the run dies after two committed pages
		if err := b.e.runOne(ctx, runs[0].ID, false); err == nil {
			t.Fatal("expected the page failure")
		}
		if err := b.e.runOne(ctx, runs[0].ID, false); err != nil {
			t.Fatal(err)
		}
		recs, _, _ := b.db.ListERPRecords(ctx, b.entity.ID, "order", store.Page{Limit: 100})
		if len(recs) != 7 {
			t.Fatalf("after resume: %d orders, want 7 exactly (no duplicate, no gap)", len(recs))
		}
		run, _ := b.db.GetSyncRun(ctx, runs[0].ID)
		if run.Status != store.RunSucceeded || run.Moved != 7 || run.Total != 7 || run.Warning != "" {
			t.Fatalf("run %+v", run)
		}
		// The service claims more than it lists: the run succeeds with a warning and health says so.
		b.m.extra = 1
		r2 := b.sync(true)
		var warned bool
		for _, r := range r2 {
			warned = warned || strings.Contains(r.Warning, "count mismatch")
		}
		c, _ := b.db.GetConnection(ctx, b.connID)
		if !warned || c.StateReason != "sync_count_mismatch" {
			t.Fatalf("lost-data check: warned=%v state=%s/%s", warned, c.State, c.StateReason)
		}
	})
}

func TestReimportGuard(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		b.sync(true)
		b.m.put("order", "O1", "", map[string]string{"number": "#1001", "financial_status": "paid", "fulfillment_status": "unfulfilled",
			"total": "10.00", "currency": "USD", "lines": "[]"})
		b.sync(false) // pulls "paid" (service wins); lines and total drift
		m := b.mappings(store.MappingActive, "order")[0]
		p, err := b.e.Reimport(ctx, "op", m.ID, false, false)
		if err != nil || !p.RequiresOverride || len(p.Changes) == 0 || p.Applied {
			t.Fatalf("preview %+v %v", p, err)
		}
		if _, err := b.e.Reimport(ctx, "op", m.ID, false, true); err == nil {
			t.Fatal("re-import over a paid order went through without override")
		}
		p, err = b.e.Reimport(ctx, "op", m.ID, true, true)
		if err != nil || !p.Applied {
			t.Fatalf("override %+v %v", p, err)
		}
		erp, _ := b.db.GetERPRecord(ctx, b.entity.ID, "order", m.ERPID)
		if erp.Fields["total"] != "10.00" {
			t.Fatalf("re-import not applied: %v", erp.Fields)
		}
		entries, _, _ := b.db.ListAudit(ctx, store.AuditFilter{}, store.Page{Limit: 5})
		if entries[0].Action != "record.reimport" || !strings.Contains(entries[0].Detail, "override") {
			t.Fatalf("override not audited: %+v", entries[0])
		}
	})
}

func TestSyncSettings(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		b.sync(true)
		b.approveAll("variant")
		all, err := b.e.Settings(ctx, b.connID)
		if err != nil || len(all) != 5 || !all[0].Inbound || all[0].IntervalSeconds != 3600 {
			t.Fatalf("defaults %+v %v", all, err)
		}
		if err := b.e.PutSetting(ctx, "op", b.connID, store.SyncSetting{Kind: "variant", Inbound: true, Outbound: false, IntervalSeconds: 600}); err != nil {
			t.Fatal(err)
		}
		if err := b.e.PutSetting(ctx, "op", b.connID, store.SyncSetting{Kind: "variant", IntervalSeconds: 5}); err == nil {
			t.Fatal("a 5 s interval was accepted")
		}
		q, err := b.e.PutRecord(ctx, "t", &store.ERPRecord{EntityID: b.entity.ID, Kind: "variant", ID: "var-tee-s", Fields: map[string]string{"price": "30.00"}, Source: "erp"})
		if err != nil || len(q) != 1 || q[0].Queued || !strings.Contains(q[0].Reason, "Sync Settings") {
			t.Fatalf("outbound off: %+v %v", q, err)
		}
		// The schedule starts only the kinds that are due: everything ran just now.
		w := &ScheduleWorker{Engine: b.e}
		before, _ := b.db.ListSyncRuns(ctx, b.connID, b.db.Now().Add(-1e12), 500)
		w.startDue(ctx, b.connID)
		after, _ := b.db.ListSyncRuns(ctx, b.connID, b.db.Now().Add(-1e12), 500)
		if len(after) != len(before) {
			t.Fatalf("the schedule started %d runs that were not due", len(after)-len(before))
		}
	})
}

// TestDeliveredOutOfOrder: a webhook report that is not newer than the stored one never
// overwrites it; a poll (the service's current state) always may.
func TestDeliveredOutOfOrder(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seedMapped()
		cur := b.m.recs["stock"]["V1|L1"]
		old := cur
		old.Fields = map[string]string{"variant_id": "V1", "location_id": "L1", "available": "99"}
		old.UpdatedAt = cur.UpdatedAt.Add(-time.Minute)
		same := old
		same.UpdatedAt = cur.UpdatedAt
		for _, r := range []connector.SyncRecord{old, same} {
			if err := b.db.InTx(ctx, func(tx *store.Tx) error {
				_, err := b.e.ApplyDelivered(ctx, tx, b.connID, []connector.SyncRecord{r})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(b.openDrifts()); n != 0 {
			t.Fatalf("a stale delivery opened %d drifts", n)
		}
		snap, _ := b.db.GetSyncRecord(ctx, b.connID, "stock", "V1|L1")
		if snap.Fields["available"] != cur.Fields["available"] {
			t.Fatalf("a stale delivery overwrote the snapshot: %v", snap.Fields)
		}
	})
}

func TestCurrencyMismatchAndStaleActions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		b.erp("variant", "var-tee-s", map[string]string{"currency": "USD"})
		b.m.put("variant", "V1", "P1", map[string]string{"sku": "TEE-S", "title": "TEE-S", "price": "19.90", "currency": "EUR", "product_title": "Tee"})
		b.sync(true)
		b.approveAll("variant")
		d := b.openDrifts()["variant/V1/currency"]
		if d.Cause != "currency mismatch" || d.ERPValue != "USD" || d.ExternalValue != "EUR" {
			t.Fatalf("currency drift %+v", d)
		}
		q, _ := b.e.PutRecord(ctx, "t", &store.ERPRecord{EntityID: b.entity.ID, Kind: "variant", ID: "var-tee-s", Fields: map[string]string{"price": "25.00"}, Source: "erp"})
		if len(q) != 1 || q[0].Queued || !strings.Contains(q[0].Reason, "currency") {
			t.Fatalf("price pushed across currencies: %+v", q)
		}
		// A stale mapping: clear it (the listing goes back to rejected), then relink another.
		b.m.put("variant", "V2", "P1", map[string]string{"sku": "TEE-XL", "title": "x", "price": "19.90"})
		b.sync(false)
		var stale store.Mapping
		for _, m := range b.mappings(store.MappingStale, "variant") {
			stale = m
		}
		if stale.ExternalID != "V2" {
			t.Fatalf("no stale mapping for V2: %+v", b.mappings("", "variant"))
		}
		out, _ := b.e.ApplyMappingActions(ctx, "op", b.connID, []MappingAction{{MappingID: stale.ID, Action: "relink", ERPID: "var-tee-m"}})
		if out[0].OK {
			t.Fatal("relinked to a variant whose SKU differs")
		}
		b.erp("variant", "var-tee-xl", map[string]string{"sku": "TEE-XL", "price": "19.90"})
		out, _ = b.e.ApplyMappingActions(ctx, "op", b.connID, []MappingAction{{MappingID: stale.ID, Action: "relink", ERPID: "var-tee-xl"}})
		if !out[0].OK || out[0].Mapping.State != store.MappingActive {
			t.Fatalf("relink %+v", out[0])
		}
		b.m.put("variant", "V2", "P1", map[string]string{"sku": "OTHER", "title": "x", "price": "19.90"})
		b.sync(false)
		out, _ = b.e.ApplyMappingActions(ctx, "op", b.connID, []MappingAction{{MappingID: stale.ID, Action: "clear"}})
		if !out[0].OK || out[0].Mapping.State != store.MappingRejected || out[0].Mapping.ERPID != "" {
			t.Fatalf("clear %+v", out[0])
		}
		if out, _ := b.e.ApplyMappingActions(ctx, "op", b.connID, []MappingAction{{MappingID: stale.ID, Action: "clear"}}); out[0].OK {
			t.Fatal("cleared a mapping that is not stale")
		}
	})
}

func TestConfirmAgreement(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.seed()
		b.sync(true)
		b.approveAll("variant")
		a, err := b.e.Confirm(ctx, b.connID, "variant", "V1")
		if err != nil || !a.Agree || a.ERPID != "var-tee-s" {
			t.Fatalf("agreement %+v %v", a, err)
		}
		// The shop changes the price behind everyone's back: confirm reads it live.
		b.m.put("variant", "V1", "P1", map[string]string{"sku": "TEE-S", "title": "TEE-S", "price": "21.00", "product_title": "Tee"})
		a, err = b.e.Confirm(ctx, b.connID, "variant", "V1")
		if err != nil || a.Agree || len(a.Differs) != 1 || a.Differs[0].Field != "price" || a.Differs[0].New != "21.00" {
			t.Fatalf("disagreement %+v %v", a, err)
		}
	})
}
