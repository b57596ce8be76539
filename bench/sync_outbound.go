package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord/connector"
	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

// emulator's real GraphQL limit (Shopify's standard plan) and what a mutation costs.
const (
	shopifyBucket   = 2000
	shopifyRestore  = 100
	shopifyMutation = 10
	shopifyBatch    = 250
)

// Outbound measures ERP stock changes pushed to the Shopify emulator with its real rate
// limit (cost bucket 2,000, restoring 100 a second): Changes writes spread at random over
// SKUs stock records go through Engine.PutRecord (outbox, coalesced per record), then
// Engine.Flush sends them in batches of up to 250. Reported: calls made, changes coalesced,
// throttled answers, and the flush rate against the rate the limit allows.
func Outbound(ctx context.Context, cfg SyncConfig) error {
	cfg.defaults()
	if cfg.SKUs <= 0 {
		cfg.SKUs = 2000
	}
	if cfg.Changes <= 0 {
		cfg.Changes = 10 * cfg.SKUs
	}
	env, err := newSyncEnv(ctx, cfg.DB, shopifyemu.Options{MaxAvailable: shopifyBucket, RestoreRate: shopifyRestore}, false)
	if err != nil {
		return err
	}
	defer env.close()
	if err := env.seed((cfg.SKUs+4)/5, 5, 0); err != nil {
		return err
	}
	st := env.emu.State()["shops"].([]shopifyemu.ShopState)[0]
	mainLoc := st.Locations[0]["id"]
	type sku struct{ item, loc string }
	var skus []sku
	for _, l := range st.InventoryLevels {
		if l["location_id"] == mainLoc && len(skus) < cfg.SKUs {
			skus = append(skus, sku{fmt.Sprintf("gid://shopify/InventoryItem/%v", l["inventory_item_id"]),
				fmt.Sprintf("gid://shopify/Location/%v", l["location_id"])})
		}
	}
	if len(skus) < cfg.SKUs {
		return fmt.Errorf("bench: emulator has %d stock levels at its first location, want %d", len(skus), cfg.SKUs)
	}
	cfg.progress("outbound: %d changes over %d SKUs; emulator limit: bucket %d, restore %d/s, %d a mutation",
		cfg.Changes, cfg.SKUs, shopifyBucket, shopifyRestore, shopifyMutation)

	var putRates, flushRates, callRates, allowedRates, callsL, coalescedL, throttledL, waitsL []float64
	for r := range cfg.Runs {
		entity, connID, err := env.connect(ctx, "outbound")
		if err != nil {
			return err
		}
		// Set-up: each SKU's ERP stock record, its active mapping and the service's snapshot.
		if err := env.db.InTx(ctx, func(tx *store.Tx) error {
			for i, s := range skus {
				id := fmt.Sprintf("var-%d|wh-main", i)
				rec := store.ERPRecord{EntityID: entity.ID, Kind: connector.KindStock, ID: id, Source: "erp",
					Fields: map[string]string{"variant_id": fmt.Sprintf("var-%d", i), "location_id": "wh-main", "available": "10"}}
				if _, err := tx.PutERPRecord(ctx, &rec); err != nil {
					return err
				}
				ext := s.item + "|" + s.loc
				if _, _, err := tx.UpsertSyncRecord(ctx, connID, connector.SyncRecord{Kind: connector.KindStock, ExternalID: ext,
					UpdatedAt: time.Now().Add(-time.Hour), Fields: map[string]string{"variant_id": "gid://shopify/ProductVariant/x",
						"location_id": s.loc, "available": "10"}}, "fp"); err != nil {
					return err
				}
				m := store.Mapping{ConnectionID: connID, Kind: connector.KindStock, ERPID: id, ExternalID: ext, State: store.MappingActive,
					Score: 1, Reason: "bench", SyncedVersion: rec.Version, ERPFingerprint: "fp", ExtFingerprint: "fp"}
				if err := tx.PutMapping(ctx, &m); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("bench: outbound set-up: %w", err)
		}
		rng := rand.New(rand.NewPCG(uint64(r), 7))
		runtime.GC()
		start := time.Now()
		// The ERP writes its changes in batches (POST .../records/{kind}/batch): each batch
		// is one transaction. A record appears once per batch; a later batch changes it again.
		for i := 0; i < cfg.Changes; {
			batch := make([]*store.ERPRecord, 0, syncer.MaxRecordBatch)
			inBatch := map[int]bool{}
			for ; i < cfg.Changes && len(batch) < syncer.MaxRecordBatch; i++ {
				k := rng.IntN(cfg.SKUs)
				if inBatch[k] {
					break
				}
				inBatch[k] = true
				batch = append(batch, &store.ERPRecord{EntityID: entity.ID, Kind: connector.KindStock, ID: fmt.Sprintf("var-%d|wh-main", k),
					Source: "erp", Fields: map[string]string{"available": strconv.Itoa(11 + i)}})
			}
			qs, err := env.eng.PutRecords(ctx, syncActor, batch)
			if err != nil {
				return fmt.Errorf("bench: put records: %w", err)
			}
			for _, q := range qs {
				if len(q) != 1 || !q[0].Queued {
					return fmt.Errorf("bench: put record queued %+v", q)
				}
			}
		}
		putTook := time.Since(start)
		stats, err := env.db.OutboxStats(ctx, connID, start)
		if err != nil {
			return err
		}
		pending := stats.Pending
		before, thrBefore := env.calls.snapshot()

		stop := startProfile(cfg, r == 0)
		start = time.Now()
		waits := 0
		for {
			err := env.eng.Flush(ctx, connID, "")
			if err == nil {
				break
			}
			var snooze *river.JobSnoozeError
			if !errors.As(err, &snooze) || time.Since(start) > 2*time.Minute {
				stop()
				return fmt.Errorf("bench: flush: %w", err)
			}
			waits++ // the hub's own limiter or pacer asked to wait: the job would snooze
			time.Sleep(snooze.Duration)
		}
		flushTook := time.Since(start)
		stop()
		after, thrAfter := env.calls.snapshot()
		calls := after["SetQuantities"] - before["SetQuantities"]
		left, err := env.db.OutboxStats(ctx, connID, start)
		if err != nil {
			return err
		}
		if left.Pending != 0 || left.SentSince != pending {
			return fmt.Errorf("bench: flush left %d pending, sent %d of %d (failed %d, blocked %d)", left.Pending, left.SentSince, pending, left.Failed, left.Blocked)
		}
		// What the limit allows for these calls: the bucket's points at once, then the restore.
		points := float64(calls * shopifyMutation)
		ceiling := max(0, (points-shopifyBucket)/shopifyRestore)
		sustained := float64(shopifyRestore) / shopifyMutation // calls a second
		putRates = append(putRates, float64(cfg.Changes)/putTook.Seconds())
		flushRates = append(flushRates, float64(pending)/flushTook.Seconds())
		callRates = append(callRates, float64(calls)/flushTook.Seconds())
		allowedRates = append(allowedRates, sustained*shopifyBatch)
		callsL = append(callsL, float64(calls))
		coalescedL = append(coalescedL, float64(cfg.Changes-pending))
		throttledL = append(throttledL, float64(thrAfter-thrBefore))
		waitsL = append(waitsL, float64(waits))
		cfg.progress("outbound run %d/%d: %d records written in batches in %s (%.0f/s), %d rows pending (%d coalesced); flush %s: %d calls, %d throttled, %d local waits (limit needs at least %.1fs for these calls)",
			r+1, cfg.Runs, cfg.Changes, putTook.Round(time.Millisecond), putRates[r], pending, cfg.Changes-pending,
			flushTook.Round(time.Millisecond), calls, thrAfter-thrBefore, waits, ceiling)
	}
	w, b := cfg.Out, env.db.Dialect()
	Line(w, "outbound", "changes", float64(cfg.Changes), "changes", 0)
	Line(w, "outbound", "skus", float64(cfg.SKUs), "skus", 0)
	Line(w, "outbound", b+"_put_record_per_s", Median(putRates), "changes/s", 0)
	Line(w, "outbound", "coalesced", Median(coalescedL), "changes", float64(cfg.Changes))
	Line(w, "outbound", "calls", Median(callsL), "calls", float64(cfg.Changes))
	Line(w, "outbound", "calls_per_100k_changes", Median(callsL)*100000/float64(cfg.Changes), "calls", 10500)
	Line(w, "outbound", "throttled", Median(throttledL), "answers", 0)
	Line(w, "outbound", "local_waits", Median(waitsL), "waits", 0)
	Line(w, "outbound", b+"_flush_changes_per_s", Median(flushRates), "changes/s", Median(allowedRates))
	Line(w, "outbound", b+"_flush_calls_per_s", Median(callRates), "calls/s", float64(shopifyRestore)/shopifyMutation)
	return nil
}
