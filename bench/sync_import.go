package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

// Import measures records per second through the whole inbound path: an inbound run of
// orders (fetch a page from the Shopify emulator, normalize, ApplyInbound, checkpoint), and
// the engine alone (ApplyInbound over pre-built pages of 250 orders). Baselines, in the
// same run: the same rows written into a scratch table shaped like sync_records with one
// multi-row INSERT per page (of the connector's page size, and of 250).
//
// The emulator's GraphQL cost bucket is relaxed (10,000,000 points, restoring 10,000,000/s)
// and the hub's 2 requests/s per-connection limiter is lifted for the full-path figure;
// the shipped limiter is measured apart, bounded (shipped_fetch_*).
func Import(ctx context.Context, cfg SyncConfig) error {
	cfg.defaults()
	if cfg.Orders <= 0 {
		cfg.Orders = 2000
	}
	if cfg.Variants <= 0 {
		cfg.Variants = 2000
	}
	if cfg.EngineOrders <= 0 {
		cfg.EngineOrders = cfg.Orders
	}
	if cfg.EngineLines <= 0 {
		cfg.EngineLines = 5
	}
	env, err := newSyncEnv(ctx, cfg.DB, shopifyemu.Options{MaxAvailable: 1e7, RestoreRate: 1e7}, true)
	if err != nil {
		return err
	}
	defer env.close()
	if err := env.seed(cfg.Variants/5, 5, cfg.Orders); err != nil {
		return err
	}
	dialect := env.db.Dialect()
	lines := 0
	for _, s := range env.emu.State()["shops"].([]shopifyemu.ShopState) {
		for _, o := range s.Orders {
			if ls, ok := o["line_items"].([]any); ok {
				lines += len(ls)
			}
		}
		break
	}
	cfg.progress("import: emulator seeded with %d orders (%d lines: the emulator's seed gives 2 lines an order) and %d variants; GraphQL cost bucket relaxed to 1e7 points, restore 1e7/s",
		cfg.Orders, lines, cfg.Variants)
	if err := env.db.InTx(ctx, func(tx *store.Tx) error {
		return execTx(ctx, tx, dialect, `CREATE TABLE IF NOT EXISTS bench_sync_records (connection_id TEXT NOT NULL, kind TEXT NOT NULL,
			external_id TEXT NOT NULL, parent_id TEXT NOT NULL DEFAULT '', fields TEXT NOT NULL, fingerprint TEXT NOT NULL,
			external_updated_at BIGINT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT FALSE, seen_at BIGINT NOT NULL,
			PRIMARY KEY (connection_id, kind, external_id))`)
	}); err != nil {
		return fmt.Errorf("bench: scratch table: %w", err)
	}

	var fullOrders, fullLines, fullBase, engOrders, engLines, engBase, perPage, pageMs []float64
	for r := range cfg.Runs {
		runtime.GC()
		// Full path: an inbound run of orders, as RunWorker runs it, with no job round trip.
		_, connID, err := env.connect(ctx, "import")
		if err != nil {
			return err
		}
		before, _ := env.calls.snapshot()
		stop := startProfile(cfg, r == 0)
		start := time.Now()
		runs, err := env.eng.StartRuns(ctx, syncActor, connID, connector.KindOrder, syncer.Inbound, true)
		if err != nil {
			stop()
			return err
		}
		if err := env.eng.RunToEnd(ctx, runs[0].ID); err != nil {
			stop()
			return fmt.Errorf("bench: import run: %w", err)
		}
		took := time.Since(start)
		stop()
		run, err := env.db.GetSyncRun(ctx, runs[0].ID)
		if err != nil || run.Status != store.RunSucceeded || run.Moved != cfg.Orders {
			return fmt.Errorf("bench: import run ended %s moved %d of %d: %s %v", run.Status, run.Moved, cfg.Orders, run.Error, err)
		}
		after, throttled := env.calls.snapshot()
		pages := after["Orders"] - before["Orders"]
		fullOrders = append(fullOrders, float64(cfg.Orders)/took.Seconds())
		fullLines = append(fullLines, float64(lines)/took.Seconds())
		perPage = append(perPage, float64(cfg.Orders)/float64(max(pages, 1)))
		pageMs = append(pageMs, ms(took)/float64(max(pages, 1)))

		// Baseline: the same rows, one multi-row INSERT per page of the connector's size.
		rows, err := readSnapshots(ctx, env.db, dialect, connID)
		if err != nil {
			return err
		}
		bt, err := insertPages(ctx, env.db, dialect, "base_"+connID, rows, max(int(perPage[r]+0.5), 1))
		if err != nil {
			return err
		}
		fullBase = append(fullBase, float64(len(rows))/bt.Seconds())
		cfg.progress("import run %d/%d: full path %d orders in %s (%d pages of ~%.1f orders, %d throttled), %.0f orders/s; baseline same pages %.0f rows/s",
			r+1, cfg.Runs, cfg.Orders, took.Round(time.Millisecond), pages, perPage[r], throttled, fullOrders[r], fullBase[r])

		// Engine alone: ApplyInbound over pre-built pages of 250, each page with its
		// checkpoint in one transaction.
		_, conn2, err := env.connect(ctx, "engine")
		if err != nil {
			return err
		}
		recs := syntheticOrders(conn2, cfg.EngineOrders, cfg.EngineLines)
		runtime.GC()
		start = time.Now()
		for p := 0; p < len(recs); p += 250 {
			page := recs[p:min(p+250, len(recs))]
			if err := env.db.InTx(ctx, func(tx *store.Tx) error {
				t, err := env.eng.ApplyInbound(ctx, tx, conn2, page)
				if err != nil {
					return err
				}
				if t.Applied != len(page) {
					return fmt.Errorf("bench: applied %d of %d: %v", t.Applied, len(page), t.Problems)
				}
				return tx.SaveSyncCursor(ctx, store.SyncCursor{ConnectionID: conn2, Kind: connector.KindOrder,
					PageCursor: fmt.Sprint(p + len(page)), PassHigh: page[len(page)-1].UpdatedAt})
			}); err != nil {
				return fmt.Errorf("bench: engine import: %w", err)
			}
		}
		took = time.Since(start)
		engOrders = append(engOrders, float64(len(recs))/took.Seconds())
		engLines = append(engLines, float64(len(recs)*cfg.EngineLines)/took.Seconds())
		rows, err = readSnapshots(ctx, env.db, dialect, conn2)
		if err != nil {
			return err
		}
		bt, err = insertPages(ctx, env.db, dialect, "base_"+conn2, rows, 250)
		if err != nil {
			return err
		}
		engBase = append(engBase, float64(len(rows))/bt.Seconds())
		cfg.progress("import run %d/%d: engine alone %d orders × %d lines in %s, %.0f orders/s; baseline pages of 250 %.0f rows/s",
			r+1, cfg.Runs, len(recs), cfg.EngineLines, took.Round(time.Millisecond), engOrders[r], engBase[r])
	}

	// The shipped limiter: 2 requests/s with a burst of 40 per connection, on GraphQL too.
	shipped, err := shippedFetch(ctx, cfg)
	if err != nil {
		return err
	}

	w, b := cfg.Out, dialect
	base := Median(fullBase)
	Line(w, "import", b+"_baseline_connector_pages_rows_per_s", base, "rows/s", 0)
	Line(w, "import", b+"_full_orders_per_s", Median(fullOrders), "orders/s", base)
	Line(w, "import", b+"_full_lines_per_s", Median(fullLines), "lines/s", base*float64(lines)/float64(cfg.Orders))
	Line(w, "import", b+"_full_orders_per_page", Median(perPage), "orders", 0)
	Line(w, "import", b+"_full_ms_per_page", Median(pageMs), "ms", 0)
	eb := Median(engBase)
	Line(w, "import", b+"_baseline_250_rows_per_s", eb, "rows/s", 0)
	Line(w, "import", b+"_engine_orders_per_s", Median(engOrders), "orders/s", eb)
	Line(w, "import", b+"_engine_lines_per_s", Median(engLines), "lines/s", eb*float64(cfg.EngineLines))
	Line(w, "import", "shipped_fetch_orders_per_s", shipped, "orders/s", Median(fullOrders))
	return nil
}

// shippedFetch reads order pages through a connection with the shipped per-connection
// limiter, no database writes, for at most 45 pages or 10 s: the ceiling the limiter sets.
func shippedFetch(ctx context.Context, cfg SyncConfig) (float64, error) {
	env, err := newSyncEnv(ctx, cfg.DB, shopifyemu.Options{MaxAvailable: 1e7, RestoreRate: 1e7}, false)
	if err != nil {
		return 0, err
	}
	defer env.close()
	if err := env.seed(cfg.Variants/5, 5, cfg.Orders); err != nil {
		return 0, err
	}
	_, connID, err := env.connect(ctx, "shipped")
	if err != nil {
		return 0, err
	}
	o, err := env.svc.Open(ctx, connID)
	if err != nil {
		return 0, err
	}
	imp := o.Connector.(connector.Importer)
	// Spend the burst the connect call left, so the figure is the sustained rate.
	deadline := time.Now().Add(10 * time.Second)
	n, cursor, pages := 0, "", 0
	var start time.Time
	for pages < 45 && time.Now().Before(deadline) {
		p, err := imp.ImportPage(ctx, o.Session, connector.ImportRequest{Kind: connector.KindOrder, Cursor: cursor, PageSize: 250})
		if err != nil {
			return 0, fmt.Errorf("bench: shipped fetch: %w", err)
		}
		pages++
		if pages == 41 {
			start = time.Now()
		}
		if pages > 41 {
			n += len(p.Records)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if start.IsZero() || n == 0 {
		return 0, nil
	}
	rate := float64(n) / time.Since(start).Seconds()
	cfg.progress("import: shipped limiter: %d pages fetched; after the burst of 40, %.1f orders/s", pages, rate)
	return rate, nil
}

// syntheticOrders are orders shaped as the Shopify connector normalizes them.
func syntheticOrders(tag string, n, lines int) []connector.SyncRecord {
	out := make([]connector.SyncRecord, n)
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for i := range out {
		ls := make([]map[string]any, lines)
		for j := range ls {
			ls[j] = map[string]any{"sku": fmt.Sprintf("SKU-%d-%d", i%400+1, j+1), "quantity": j + 1, "price": "19.90",
				"variant_id": fmt.Sprintf("gid://shopify/ProductVariant/%d", 2001+(i*3+j)%2000)}
		}
		lj, _ := json.Marshal(ls)
		out[i] = connector.SyncRecord{Kind: connector.KindOrder, ExternalID: fmt.Sprintf("gid://shopify/Order/%s-%d", tag, i),
			UpdatedAt: t0.Add(time.Duration(i) * time.Millisecond),
			Fields: map[string]string{"number": fmt.Sprintf("#%s-%d", tag, 1001+i), "email": fmt.Sprintf("customer%d@example.com", i),
				"financial_status": "paid", "fulfillment_status": "unfulfilled", "cancelled": "false",
				"total": fmt.Sprintf("%d.90", 19*lines), "currency": "USD", "lines": string(lj)}}
	}
	return out
}

type snapRow struct {
	kind, id, parent, fields, fp string
	updated                      int64
}

func readSnapshots(ctx context.Context, db *store.DB, dialect, connID string) ([]snapRow, error) {
	var out []snapRow
	err := db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.SQL().QueryContext(ctx, rebind(dialect, `SELECT kind, external_id, parent_id, fields, fingerprint, external_updated_at
			FROM sync_records WHERE connection_id = ? ORDER BY external_updated_at, external_id`), connID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r snapRow
			if err := rows.Scan(&r.kind, &r.id, &r.parent, &r.fields, &r.fp, &r.updated); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// insertPages is the baseline: rows written with one multi-row INSERT (and one commit) per page.
func insertPages(ctx context.Context, db *store.DB, dialect, connID string, rows []snapRow, page int) (time.Duration, error) {
	start := time.Now()
	for p := 0; p < len(rows); p += page {
		chunk := rows[p:min(p+page, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO bench_sync_records (connection_id, kind, external_id, parent_id, fields, fingerprint, external_updated_at, deleted, seen_at) VALUES `)
		args := make([]any, 0, len(chunk)*9)
		now := time.Now().UnixMicro()
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, connID, r.kind, r.id, r.parent, r.fields, r.fp, r.updated, false, now)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return execTx(ctx, tx, dialect, q.String(), args...) }); err != nil {
			return 0, fmt.Errorf("bench: baseline insert: %w", err)
		}
	}
	return time.Since(start), nil
}

// startProfile starts the CPU profile when on and set; the returned func stops it.
func startProfile(cfg SyncConfig, on bool) func() {
	if !on || cfg.CPUProfile == nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
		cfg.progress("cpu profile not taken: %v", err)
		return func() {}
	}
	return pprof.StopCPUProfile
}
