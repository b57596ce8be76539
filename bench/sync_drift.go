package bench

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/store"
)

// DriftScan measures the full drift scan over Mapped active variant mappings, Drifted of
// them with differing fingerprints (Engine.Scan, and store.DB.DriftCandidates alone),
// against a plain SELECT COUNT(*) and a plain SELECT of every row's fingerprints; then the
// incremental case: the inbound pipeline on Changed/10 and Changed changed records, whose
// cost must follow what changed, not the number of mappings. The mappings are written
// straight into the table with multi-row INSERTs (set-up, not measured).
func DriftScan(ctx context.Context, cfg SyncConfig) error {
	cfg.defaults()
	if cfg.Mapped <= 0 {
		cfg.Mapped = 1_000_000
	}
	if cfg.Drifted <= 0 {
		cfg.Drifted = cfg.Mapped / 1000
	}
	if cfg.Changed <= 0 {
		cfg.Changed = 1000
	}
	env, err := newSyncEnv(ctx, cfg.DB, shopifyemu.Options{}, false)
	if err != nil {
		return err
	}
	defer env.close()
	entity, connID, err := env.connect(ctx, "drift")
	if err != nil {
		return err
	}
	dialect := env.db.Dialect()
	start := time.Now()
	if err := seedMappings(ctx, env.db, dialect, connID, cfg.Mapped, cfg.Drifted, cfg.Changed); err != nil {
		return err
	}
	// The drifted and changed records have both sides stored, as after an import.
	if err := env.db.InTx(ctx, func(tx *store.Tx) error {
		put := func(erpID, extID, erpPrice, extPrice string) error {
			sku := "SKU-" + erpID
			r := store.ERPRecord{EntityID: entity.ID, Kind: connector.KindVariant, ID: erpID, Source: "erp",
				Fields: map[string]string{"sku": sku, "price": erpPrice, "title": "Bench " + erpID}}
			if _, err := tx.PutERPRecord(ctx, &r); err != nil {
				return err
			}
			_, _, err := tx.UpsertSyncRecord(ctx, connID, connector.SyncRecord{Kind: connector.KindVariant, ExternalID: extID,
				ParentID: "gid://shopify/Product/1", UpdatedAt: time.Now().Add(-time.Hour),
				Fields: map[string]string{"sku": sku, "price": extPrice, "title": "Bench " + erpID}}, "x")
			return err
		}
		for i := range cfg.Drifted {
			if err := put(fmt.Sprintf("drf-%07d", i), fmt.Sprintf("gid://shopify/ProductVariant/d%07d", i), "10.00", "12.00"); err != nil {
				return err
			}
		}
		for i := range cfg.Changed {
			if err := put(fmt.Sprintf("chg-%07d", i), fmt.Sprintf("gid://shopify/ProductVariant/c%07d", i), "10.00", "10.00"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("bench: drift records: %w", err)
	}
	cfg.progress("drift-scan: %d mappings (%d drifting, %d to change) written in %s", cfg.Mapped+cfg.Changed, cfg.Drifted,
		cfg.Changed, time.Since(start).Round(time.Millisecond))

	var scanMs, candMs, countMs, selectMs, inc1Ms, incMs []float64
	var cands, drifts int
	small := max(cfg.Changed/10, 1)
	for r := range cfg.Runs {
		runtime.GC()
		t := time.Now()
		cs, err := env.db.DriftCandidates(ctx, connID, 100000)
		if err != nil {
			return err
		}
		candMs = append(candMs, ms(time.Since(t)))
		cands = len(cs)
		stop := startProfile(cfg, r == 0)
		res, err := env.eng.Scan(ctx, connID)
		stop()
		if err != nil {
			return err
		}
		scanMs = append(scanMs, ms(res.Duration))
		drifts = res.Drifts
		c, s, err := plainSelects(ctx, env.db, dialect, connID)
		if err != nil {
			return err
		}
		countMs, selectMs = append(countMs, c), append(selectMs, s)

		// Incremental: the service reports changed prices; the inbound pipeline compares
		// exactly those records.
		a, err := applyChanged(ctx, env, connID, 0, small, r)
		if err != nil {
			return err
		}
		b, err := applyChanged(ctx, env, connID, small, cfg.Changed, r)
		if err != nil {
			return err
		}
		inc1Ms, incMs = append(inc1Ms, a), append(incMs, b)
		// Settle the changed records again so every run scans the same candidates.
		if err := env.db.InTx(ctx, func(tx *store.Tx) error {
			if err := execTx(ctx, tx, dialect, `UPDATE mappings SET ext_fp = erp_fp WHERE connection_id = ? AND erp_id LIKE 'chg-%'`, connID); err != nil {
				return err
			}
			return execTx(ctx, tx, dialect, `UPDATE drifts SET state = 'cleared' WHERE connection_id = ? AND erp_id LIKE 'chg-%' AND state = 'open'`, connID)
		}); err != nil {
			return err
		}
		cfg.progress("drift-scan run %d/%d: Scan %.0f ms (%d candidates, %d drifts), DriftCandidates %.0f ms; COUNT(*) %.0f ms, SELECT all %.0f ms; incremental %d records %.0f ms, %d records %.0f ms",
			r+1, cfg.Runs, scanMs[r], cands, drifts, candMs[r], countMs[r], selectMs[r], small, a, cfg.Changed-small, b)
	}
	w, b := cfg.Out, dialect
	n := float64(cfg.Mapped + cfg.Changed)
	Line(w, "drift-scan", b+"_mappings", n, "mappings", 0)
	Line(w, "drift-scan", b+"_candidates", float64(cands), "mappings", 0)
	Line(w, "drift-scan", b+"_baseline_count_ms", Median(countMs), "ms", 0)
	Line(w, "drift-scan", b+"_baseline_select_ms", Median(selectMs), "ms", 0)
	Line(w, "drift-scan", b+"_candidates_ms", Median(candMs), "ms", Median(countMs))
	Line(w, "drift-scan", b+"_full_scan_ms", Median(scanMs), "ms", Median(selectMs))
	Line(w, "drift-scan", b+"_compared_per_s", n/(Median(scanMs)/1000), "mappings/s", n/(Median(selectMs)/1000))
	Line(w, "drift-scan", b+"_reconcile_us_per_candidate", 1000*(Median(scanMs)-Median(candMs))/float64(max(cands, 1)), "us", 0)
	Line(w, "drift-scan", fmt.Sprintf("%s_incremental_%d_ms", b, small), Median(inc1Ms), "ms", Median(scanMs))
	Line(w, "drift-scan", fmt.Sprintf("%s_incremental_%d_ms", b, cfg.Changed-small), Median(incMs), "ms", Median(scanMs))
	Line(w, "drift-scan", b+"_incremental_us_per_record_small", 1000*Median(inc1Ms)/float64(small), "us", 0)
	Line(w, "drift-scan", b+"_incremental_us_per_record_large", 1000*Median(incMs)/float64(cfg.Changed-small), "us",
		1000*Median(inc1Ms)/float64(small))
	return nil
}

// seedMappings writes n active variant mappings (drifted of them with differing
// fingerprints, spread evenly) and changed more (agreeing, to be changed later) with
// multi-row INSERTs, 500 rows a statement.
func seedMappings(ctx context.Context, db *store.DB, dialect, connID string, n, drifted, changed int) error {
	every := max(n/max(drifted, 1), 1)
	now := time.Now().UnixMicro()
	row := func(b *strings.Builder, id, erpID, extID, efp, xfp string) {
		fmt.Fprintf(b, "(%s, %s, 'variant', %s, %s, 'gid://shopify/Product/1', 'active', 1, 'bench', 1, %s, %s, %d, %d)",
			sqlQuote(id), sqlQuote(connID), sqlQuote(erpID), sqlQuote(extID), sqlQuote(efp), sqlQuote(xfp), now, now)
	}
	const head = `INSERT INTO mappings (id, connection_id, kind, erp_id, external_id, parent_id, state, score, reason, synced_version, erp_fp, ext_fp, created_at, updated_at) VALUES `
	d := 0
	total := n + changed
	for lo := 0; lo < total; lo += 50000 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for s := lo; s < min(lo+50000, total); s += 500 {
				var b strings.Builder
				b.WriteString(head)
				for i := s; i < min(s+500, total); i++ {
					if i > s {
						b.WriteString(", ")
					}
					fp := fmt.Sprintf("%024x", i)
					if i >= n {
						row(&b, fmt.Sprintf("map_b%08d", i), fmt.Sprintf("chg-%07d", i-n), fmt.Sprintf("gid://shopify/ProductVariant/c%07d", i-n), fp, fp)
						continue
					}
					if i%every == every/2 && d < drifted {
						row(&b, fmt.Sprintf("map_b%08d", i), fmt.Sprintf("drf-%07d", d), fmt.Sprintf("gid://shopify/ProductVariant/d%07d", d), fp, "drifted")
						d++
						continue
					}
					row(&b, fmt.Sprintf("map_b%08d", i), fmt.Sprintf("erp-%07d", i), fmt.Sprintf("gid://shopify/ProductVariant/%d", 10_000_000+i), fp, fp)
				}
				if _, err := tx.SQL().ExecContext(ctx, b.String()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bench: seed mappings: %w", err)
		}
	}
	return nil
}

// plainSelects times the baselines: a COUNT(*) of the connection's active mappings, and a
// SELECT reading every one's two fingerprints and comparing them here.
func plainSelects(ctx context.Context, db *store.DB, dialect, connID string) (countMs, selectMs float64, err error) {
	err = db.InTx(ctx, func(tx *store.Tx) error {
		t := time.Now()
		var n int
		if err := tx.SQL().QueryRowContext(ctx, rebind(dialect, `SELECT COUNT(*) FROM mappings WHERE connection_id = ? AND state = ?`),
			connID, store.MappingActive).Scan(&n); err != nil {
			return err
		}
		countMs = ms(time.Since(t))
		t = time.Now()
		rows, err := tx.SQL().QueryContext(ctx, rebind(dialect, `SELECT id, erp_fp, ext_fp FROM mappings WHERE connection_id = ? AND state = ?`),
			connID, store.MappingActive)
		if err != nil {
			return err
		}
		defer rows.Close()
		diff := 0
		var id, a, b string
		for rows.Next() {
			if err := rows.Scan(&id, &a, &b); err != nil {
				return err
			}
			if a != b {
				diff++
			}
		}
		selectMs = ms(time.Since(t))
		return rows.Err()
	})
	return countMs, selectMs, err
}

// applyChanged runs the inbound pipeline on changed records [lo, hi): each reports a new
// price, in pages of 250, one transaction a page.
func applyChanged(ctx context.Context, env *syncEnv, connID string, lo, hi, run int) (float64, error) {
	recs := make([]connector.SyncRecord, 0, hi-lo)
	at := time.Now()
	for i := lo; i < hi; i++ {
		erpID := fmt.Sprintf("chg-%07d", i)
		recs = append(recs, connector.SyncRecord{Kind: connector.KindVariant, ExternalID: fmt.Sprintf("gid://shopify/ProductVariant/c%07d", i),
			ParentID: "gid://shopify/Product/1", UpdatedAt: at,
			Fields: map[string]string{"sku": "SKU-" + erpID, "price": fmt.Sprintf("11.%02d", run%100), "title": "Bench " + erpID}})
	}
	t := time.Now()
	for p := 0; p < len(recs); p += 250 {
		page := recs[p:min(p+250, len(recs))]
		if err := env.db.InTx(ctx, func(tx *store.Tx) error {
			tl, err := env.eng.ApplyInbound(ctx, tx, connID, page)
			if err == nil && tl.Drifts != len(page) {
				err = concord.Errorf(concord.EINTERNAL, "bench: %d drifts of %d changed (%+v)", tl.Drifts, len(page), tl)
			}
			return err
		}); err != nil {
			return 0, err
		}
	}
	return ms(time.Since(t)), nil
}
