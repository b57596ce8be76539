package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for VACUUM outside a transaction
	_ "modernc.org/sqlite"             // the "sqlite" driver, for the checkpoint

	"github.com/concordhub/concord/store"
)

// DashboardConnection is one seeded connection of the dashboard benchmark.
type DashboardConnection struct {
	ID        string
	Connector string
}

// DashboardConfig sizes the dashboard benchmark: a server already running at BaseURL on DB,
// an entity with Connections, seeded here with Logs connector-log rows over 30 days and
// Mappings mappings (on the first connection whose connector is "shopify", else the first),
// plus webhook events, sync runs, outbox rows and drifts so every page has real work.
type DashboardConfig struct {
	DB *store.DB
	// DBURL is DB's URL; on PostgreSQL the seeded tables are vacuumed through it.
	DBURL       string
	BaseURL     string
	Token       string
	EntityID    string
	Connections []DashboardConnection
	Logs        int
	Mappings    int
	Events      int // webhook events, over 30 days
	Outbox      int // outbox rows (mostly sent, some pending, failed, blocked)
	Requests    int // per path and mode
	Clients     int // the concurrent mode's clients
	Runs        int // runs per figure (the median of the runs' percentiles is reported)
	// Paths are the measured paths: names of DashboardPaths or templates with {entity} and
	// {connection}.
	Paths    []string
	Out      io.Writer
	Progress io.Writer
}

// DashboardPaths are the named paths of the dashboard benchmark. entity_api is the floor:
// the cheapest authenticated read (routing, auth, one row).
var DashboardPaths = map[string]string{
	"entity_api":        "/v1/entities/{entity}",
	"integrations_api":  "/v1/entities/{entity}/integrations",
	"sync_api":          "/v1/entities/{entity}/sync?direction=all",
	"logs_api":          "/v1/connections/{connection}/logs",
	"integrations_page": "/ui/e/{entity}/integrations",
	"sync_page":         "/ui/e/{entity}/sync?direction=all",
	"logs_page":         "/ui/c/{connection}?tab=logs",
	"logs_errors_page":  "/ui/c/{connection}?tab=logs&outcome=error",
	"mapping_page":      "/ui/c/{connection}?tab=mapping",
}

// DefaultDashboardPaths is what the benchmark measures unless told otherwise.
var DefaultDashboardPaths = []string{"entity_api", "integrations_api", "sync_api", "integrations_page", "sync_page",
	"logs_page", "logs_errors_page", "mapping_page"}

// DashboardTargetMs is BENCHMARKS.md's target for the p95 of every dashboard page.
const DashboardTargetMs = 50

func (cfg *DashboardConfig) defaults() {
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	cfg.Requests = max(cfg.Requests, 1)
	cfg.Clients = max(cfg.Clients, 1)
	cfg.Runs = max(cfg.Runs, 1)
	if len(cfg.Paths) == 0 {
		cfg.Paths = DefaultDashboardPaths
	}
}

func (cfg *DashboardConfig) progress(format string, args ...any) {
	fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
}

// mainConnection is the connection that carries the mappings, outbox and drifts.
func (cfg *DashboardConfig) mainConnection() string {
	for _, c := range cfg.Connections {
		if c.Connector == "shopify" {
			return c.ID
		}
	}
	return cfg.Connections[0].ID
}

// Dashboard seeds the database and measures the dashboard's pages.
func Dashboard(ctx context.Context, cfg DashboardConfig) error {
	cfg.defaults()
	if len(cfg.Connections) == 0 {
		return fmt.Errorf("bench: dashboard needs at least one connection")
	}
	if err := SeedDashboard(ctx, cfg); err != nil {
		return err
	}
	return MeasureDashboard(ctx, cfg)
}

// seedWindow is how far back the seeded history goes.
const seedWindow = 30 * 24 * time.Hour

// SeedDashboard writes the benchmark's history straight into the tables (set-up, not
// measured): connector logs with one INSERT … SELECT over generated numbers per chunk (the
// database makes the rows itself), the rest with multi-row INSERTs in large transactions.
func SeedDashboard(ctx context.Context, cfg DashboardConfig) error {
	cfg.defaults()
	db, dialect := cfg.DB, cfg.DB.Dialect()
	now := time.Now()
	start := time.Now()
	if err := seedLogs(ctx, &cfg, dialect, now); err != nil {
		return err
	}
	cfg.progress("dashboard: %d connector-log rows written in %s", cfg.Logs, time.Since(start).Round(time.Millisecond))
	main := cfg.mainConnection()
	t := time.Now()
	drifted := min(1000, max(cfg.Mappings/1000, 1))
	if cfg.Mappings > 0 {
		if err := seedMappings(ctx, db, dialect, main, cfg.Mappings, drifted, 0); err != nil {
			return err
		}
		// The mapping inbox: suggested and unmapped listings.
		if err := insertRows(ctx, db, 100, func(b *strings.Builder, i int) {
			state := "suggested"
			if i%2 == 1 {
				state = "unmapped"
			}
			fmt.Fprintf(b, "(%s, %s, 'variant', '', %s, 'gid://shopify/Product/2', %s, 0.8, 'title', 0, '', '', %d, %d)",
				sqlQuote(fmt.Sprintf("map_i%08d", i)), sqlQuote(main), sqlQuote(fmt.Sprintf("gid://shopify/ProductVariant/i%07d", i)),
				sqlQuote(state), now.UnixMicro(), now.UnixMicro())
		}, `INSERT INTO mappings (id, connection_id, kind, erp_id, external_id, parent_id, state, score, reason, synced_version, erp_fp, ext_fp, created_at, updated_at) VALUES `); err != nil {
			return fmt.Errorf("bench: seed mapping inbox: %w", err)
		}
	}
	cfg.progress("dashboard: %d mappings written in %s", cfg.Mappings, time.Since(t).Round(time.Millisecond))
	t = time.Now()
	if err := seedDrifts(ctx, db, main, drifted, cfg.Mappings/50, now); err != nil {
		return err
	}
	if err := seedEvents(ctx, &cfg, now); err != nil {
		return err
	}
	if err := seedRuns(ctx, &cfg, now); err != nil {
		return err
	}
	if err := seedOutbox(ctx, db, main, cfg.Outbox, now); err != nil {
		return err
	}
	cfg.progress("dashboard: %d webhook events, sync runs, %d outbox rows and drifts written in %s", cfg.Events, cfg.Outbox,
		time.Since(t).Round(time.Millisecond))
	if dialect == "sqlite" && cfg.DBURL != "" {
		// As the automatic checkpoints of a steady write load would: the bulk load's WAL
		// copied into the database, so readers do not search it page by page.
		t = time.Now()
		if err := checkpoint(ctx, cfg.DBURL); err != nil {
			return err
		}
		cfg.progress("dashboard: WAL checkpoint in %s", time.Since(t).Round(time.Millisecond))
	}
	if dialect == "postgres" {
		// As autovacuum would after a bulk load: planner statistics and the visibility map.
		t = time.Now()
		if err := vacuumAnalyze(ctx, cfg.DBURL); err != nil {
			return err
		}
		cfg.progress("dashboard: VACUUM ANALYZE in %s", time.Since(t).Round(time.Millisecond))
	}
	return nil
}

// vacuumAnalyze runs VACUUM ANALYZE on the seeded PostgreSQL tables (outside any
// transaction, on a connection of its own).
func vacuumAnalyze(ctx context.Context, url string) error {
	if url == "" {
		return nil
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, table := range []string{"connector_logs", "mappings", "webhook_events", "sync_runs", "outbox", "drifts"} {
		if _, err := db.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
			return fmt.Errorf("bench: vacuum %s: %w", table, err)
		}
	}
	return nil
}

// checkpoint runs a truncating WAL checkpoint on the SQLite database at url, on a
// connection of its own (the server's readers and writer stay open).
func checkpoint(ctx context.Context, url string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, logFrames, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("bench: wal checkpoint: %w", err)
	}
	return nil
}

// seedLogs writes cfg.Logs connector-log rows spread evenly over the connections and the
// last 30 days (ids in time order, as appends make them): mostly outbound API calls, some
// webhooks and sync runs, one in 40 an error.
func seedLogs(ctx context.Context, cfg *DashboardConfig, dialect string, now time.Time) error {
	if cfg.Logs <= 0 {
		return nil
	}
	n := int64(cfg.Logs)
	first := now.Add(-seedWindow).UnixMicro()
	step := max(seedWindow.Microseconds()/n, 1)
	var conn strings.Builder
	conn.WriteString("CASE i % " + fmt.Sprint(len(cfg.Connections)))
	for k, c := range cfg.Connections {
		fmt.Fprintf(&conn, " WHEN %d THEN %s", k, sqlQuote(c.ID))
	}
	conn.WriteString(" END")
	// j numbers a connection's own rows, so each connection gets every kind and outcome.
	j := fmt.Sprintf("(i / %d)", len(cfg.Connections))
	sel := `SELECT ` + conn.String() + `, ` + fmt.Sprint(first) + ` + i * ` + fmt.Sprint(step) + `,` +
		strings.ReplaceAll(`
		CASE WHEN j % 10 = 3 THEN 'inbound' WHEN j % 10 = 7 THEN 'internal' ELSE 'outbound' END,
		CASE WHEN j % 10 = 3 THEN 'webhook' WHEN j % 10 = 7 THEN 'sync_run' ELSE 'api_call' END,
		CASE WHEN j % 10 = 3 THEN 'webhook.received' WHEN j % 10 = 7 THEN 'sync.variant' WHEN j % 4 = 0 THEN 'products.list' ELSE 'inventory.set' END,
		CASE WHEN j % 40 = 1 THEN 'error' ELSE 'ok' END,
		CASE WHEN j % 40 = 1 THEN (CASE WHEN j % 120 = 1 THEN 429 ELSE 500 END) ELSE 200 END,
		CASE WHEN j % 40 = 1 THEN (CASE WHEN j % 120 = 1 THEN 'rate_limited' ELSE 'provider_outage' END) ELSE '' END,
		20 + i % 180,
		CASE WHEN j % 40 = 1 THEN '{"errors":"Internal error, please retry"}' ELSE '{"data":{"ok":true}}' END,
		'req-bench'`, "j %", j+" %")
	const cols = `INSERT INTO connector_logs (connection_id, time, direction, kind, operation, outcome, status, error_class, latency_ms, excerpt, correlation_id) `
	const chunk = 100_000 // a transaction holds the one SQLite writer for well under a second
	t := time.Now()
	for lo := int64(0); lo < n; lo += chunk {
		hi := min(lo+chunk, n) - 1
		var q string
		if dialect == "postgres" {
			q = cols + sel + fmt.Sprintf(` FROM generate_series(%d::bigint, %d::bigint) AS g(i)`, lo, hi)
		} else {
			q = fmt.Sprintf(`WITH RECURSIVE g(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM g WHERE i < %d) `, lo, hi) + cols + sel + ` FROM g`
		}
		if err := cfg.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, q)
			return err
		}); err != nil {
			return fmt.Errorf("bench: seed connector logs: %w", err)
		}
		if done := hi + 1; done%1_000_000 < chunk || done == n {
			el := time.Since(t)
			cfg.progress("dashboard: connector logs %d/%d (%.0f rows/s)", done, n, float64(done)/el.Seconds())
		}
	}
	return nil
}

// insertRows writes n rows with multi-row INSERTs of 500 rows, 50,000 rows a transaction.
func insertRows(ctx context.Context, db *store.DB, n int, row func(b *strings.Builder, i int), head string) error {
	for lo := 0; lo < n; lo += 50_000 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for s := lo; s < min(lo+50_000, n); s += 500 {
				var b strings.Builder
				b.WriteString(head)
				for i := s; i < min(s+500, n); i++ {
					if i > s {
						b.WriteString(", ")
					}
					row(&b, i)
				}
				if _, err := tx.SQL().ExecContext(ctx, b.String()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// idAt is an id shaped like store.NewID's for a moment in the past (seq orders ids made in
// the same millisecond).
func idAt(prefix string, t time.Time, seq int) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16|uint64(seq&0xffff))
	_, _ = rand.Read(b[8:])
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// seedEvents writes cfg.Events webhook events over the connections and 30 days: processed,
// a few failed, the newest few still waiting; one in 20 had duplicates. And a day of
// refused deliveries (verification failures) per connection.
func seedEvents(ctx context.Context, cfg *DashboardConfig, now time.Time) error {
	n := cfg.Events
	if n <= 0 {
		return nil
	}
	step := seedWindow / time.Duration(n)
	err := insertRows(ctx, cfg.DB, n, func(b *strings.Builder, i int) {
		c := cfg.Connections[i%len(cfg.Connections)]
		at := now.Add(-seedWindow + time.Duration(i)*step)
		status, processed := "processed", fmt.Sprint(at.Add(50*time.Millisecond).UnixMicro())
		switch {
		case i >= n-5:
			status, processed = "received", "NULL"
		case i%500 == 7:
			status = "failed"
		}
		typ := "payment_intent.succeeded"
		if c.Connector == "shopify" {
			typ = "inventory_levels/update"
		}
		dups := 0
		if i%20 == 0 {
			dups = 1
		}
		fmt.Fprintf(b, "(%s, %s, %s, %s, 'webhook', %d, %d, 'sandbox', FALSE, %s, TRUE, %d, %s, 1, %s, '')",
			sqlQuote(idAt("whe", at, i)), sqlQuote(c.ID), sqlQuote(fmt.Sprintf("evt_bench_%08d", i)), sqlQuote(typ),
			at.UnixMicro(), at.Add(-time.Second).UnixMicro(), sqlQuote(`{"id":"evt_bench","type":"`+typ+`","data":{"object":{}}}`),
			dups, sqlQuote(status), processed)
	}, `INSERT INTO webhook_events (id, connection_id, provider_event_id, event_type, source, received_at, occurred_at, mode, hint, body, verified, duplicates, status, attempts, processed_at, error) VALUES `)
	if err != nil {
		return fmt.Errorf("bench: seed webhook events: %w", err)
	}
	err = insertRows(ctx, cfg.DB, 24*len(cfg.Connections), func(b *strings.Builder, i int) {
		c := cfg.Connections[i%len(cfg.Connections)]
		m := now.Add(-time.Duration(i/len(cfg.Connections)) * time.Hour).Truncate(time.Minute)
		fmt.Fprintf(b, "(%s, %d, 'bad_signature', %d, %d)", sqlQuote(c.ID), m.Unix(), 1+i%3, m.UnixMicro())
	}, `INSERT INTO webhook_rejections (connection_id, minute, reason, count, last_at) VALUES `)
	if err != nil {
		return fmt.Errorf("bench: seed webhook rejections: %w", err)
	}
	return nil
}

// seedRuns writes a sync run every 15 minutes over 30 days for each connection, kind and
// direction the Shopify connector has (inbound kinds, outbound stock and price), one in 50
// failed.
func seedRuns(ctx context.Context, cfg *DashboardConfig, now time.Time) error {
	type flow struct{ conn, kind, dir string }
	var flows []flow
	for _, c := range cfg.Connections {
		if c.Connector != "shopify" {
			continue
		}
		for _, k := range []string{"location", "variant", "stock", "order", "fulfillment"} {
			flows = append(flows, flow{c.ID, k, "inbound"})
		}
		flows = append(flows, flow{c.ID, "stock", "outbound"}, flow{c.ID, "variant", "outbound"})
	}
	if len(flows) == 0 {
		return nil
	}
	per := int(seedWindow / (15 * time.Minute))
	n := per * len(flows)
	err := insertRows(ctx, cfg.DB, n, func(b *strings.Builder, i int) {
		f := flows[i%len(flows)]
		at := now.Add(-seedWindow + time.Duration(i/len(flows))*15*time.Minute)
		status, errMsg := "succeeded", ""
		if i%50 == 13 {
			status, errMsg = "failed", "provider_outage: 503 from the service"
		}
		fin := at.Add(4 * time.Second).UnixMicro()
		fmt.Fprintf(b, "(%s, %s, %s, %s, FALSE, %s, FALSE, %d, %d, -1, '', %s, %d, %d, %d)",
			sqlQuote(idAt("run", at, i)), sqlQuote(f.conn), sqlQuote(f.kind), sqlQuote(f.dir), sqlQuote(status),
			10+i%40, i%50/49, sqlQuote(errMsg), at.UnixMicro(), fin, fin)
	}, `INSERT INTO sync_runs (id, connection_id, kind, direction, full_sync, status, cancel, moved, failed, total, warning, error, started_at, updated_at, finished_at) VALUES `)
	if err != nil {
		return fmt.Errorf("bench: seed sync runs: %w", err)
	}
	return nil
}

// seedOutbox writes n outbox rows on conn: sent over 30 days, the last 50 pending, 20
// failed, 10 blocked.
func seedOutbox(ctx context.Context, db *store.DB, conn string, n int, now time.Time) error {
	if n <= 0 {
		return nil
	}
	step := seedWindow / time.Duration(n)
	err := insertRows(ctx, db, n, func(b *strings.Builder, i int) {
		at := now.Add(-seedWindow + time.Duration(i)*step)
		status, sent, errMsg := "sent", fmt.Sprint(at.Add(time.Second).UnixMicro()), ""
		switch {
		case i >= n-50:
			status, sent = "pending", "NULL"
		case i >= n-70:
			status, sent, errMsg = "failed", "NULL", "validation: inventory item not stocked at location"
		case i >= n-80:
			status, sent, errMsg = "blocked", "NULL", "stale mapping"
		}
		field := "available"
		if i%3 == 0 {
			field = "price"
		}
		fmt.Fprintf(b, "(%s, 'stock', %s, %s, 'gid://shopify/Location/1', %s, %s, 1, %s, 1, %d, %s, %d, %d, %s)",
			sqlQuote(conn), sqlQuote(fmt.Sprintf("gid://shopify/InventoryItem/%d", 10_000_000+i)), sqlQuote(field),
			sqlQuote(fmt.Sprint(i%97)), sqlQuote(fmt.Sprintf("erp-%07d", i)), sqlQuote(status), i%4, sqlQuote(errMsg),
			at.UnixMicro(), at.Add(time.Second).UnixMicro(), sent)
	}, `INSERT INTO outbox (connection_id, kind, external_id, field, location_id, value, erp_id, erp_version, status, attempts, coalesced, error, enqueued_at, updated_at, sent_at) VALUES `)
	if err != nil {
		return fmt.Errorf("bench: seed outbox: %w", err)
	}
	return nil
}

// seedDrifts writes open drifts for the drifted mappings seedMappings made, and resolved
// ones over 30 days.
func seedDrifts(ctx context.Context, db *store.DB, conn string, open, resolved int, now time.Time) error {
	n := open + resolved
	step := seedWindow / time.Duration(max(n, 1))
	err := insertRows(ctx, db, n, func(b *strings.Builder, i int) {
		at := now.Add(-seedWindow + time.Duration(i)*step)
		state, res, by, resAt := "open", "", "", "NULL"
		ext := fmt.Sprintf("gid://shopify/ProductVariant/d%07d", i)
		if i >= open {
			state, res, by, resAt = "resolved", "push", "bench", fmt.Sprint(at.Add(time.Hour).UnixMicro())
			ext = fmt.Sprintf("gid://shopify/ProductVariant/r%07d", i)
		}
		fmt.Fprintf(b, "(%s, %s, 'variant', %s, %s, 'price', '10.00', '12.00', 'external_change', 'erp_wins', %s, %s, %s, %d, %d, %s)",
			sqlQuote(idAt("dft", at, i)), sqlQuote(conn), sqlQuote(fmt.Sprintf("drf-%07d", i)), sqlQuote(ext),
			sqlQuote(state), sqlQuote(res), sqlQuote(by), at.UnixMicro(), at.UnixMicro(), resAt)
	}, `INSERT INTO drifts (id, connection_id, kind, erp_id, external_id, field, erp_value, external_value, cause, policy, state, resolution, resolved_by, detected_at, updated_at, resolved_at) VALUES `)
	if err != nil {
		return fmt.Errorf("bench: seed drifts: %w", err)
	}
	return nil
}

// MeasureDashboard times GET requests of every path: cfg.Requests one after another, then
// cfg.Requests spread over cfg.Clients concurrent clients, after a short warm-up. A path
// that answers 404 (a page not built yet) is reported as not available.
func MeasureDashboard(ctx context.Context, cfg DashboardConfig) error {
	cfg.defaults()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients + 1}}
	defer client.CloseIdleConnections()
	b := cfg.DB.Dialect()
	conn := cfg.mainConnection()
	for _, p := range cfg.Paths {
		name, tmpl := p, p
		if t, ok := DashboardPaths[p]; ok {
			tmpl = t
		} else {
			name = strings.NewReplacer("/", "_", "{", "", "}", "", "?", "_", "=", "_").Replace(strings.Trim(p, "/"))
		}
		url := cfg.BaseURL + strings.NewReplacer("{entity}", cfg.EntityID, "{connection}", conn).Replace(tmpl)
		status, size, err := getOnce(ctx, client, url, cfg.Token)
		if err != nil {
			return err
		}
		if status == http.StatusNotFound {
			fmt.Fprintf(cfg.Out, "dashboard %s_%s not-available - 404 -\n", b, name)
			cfg.progress("dashboard: %s (%s) answers 404: not available", name, tmpl)
			continue
		}
		if status != http.StatusOK {
			return fmt.Errorf("bench: GET %s: %d", tmpl, status)
		}
		for range 5 { // warm-up: caches, connections, prepared state
			if _, _, err := getOnce(ctx, client, url, cfg.Token); err != nil {
				return err
			}
		}
		for _, mode := range []struct {
			tag     string
			clients int
		}{{"seq", 1}, {fmt.Sprintf("c%d", cfg.Clients), cfg.Clients}} {
			var p50, p95, p99, rate []float64
			for range cfg.Runs {
				runtime.GC()
				ds, el, err := timeGets(ctx, client, url, cfg.Token, cfg.Requests, mode.clients)
				if err != nil {
					return fmt.Errorf("bench: GET %s: %w", tmpl, err)
				}
				p50 = append(p50, ms(Percentile(ds, 50)))
				p95 = append(p95, ms(Percentile(ds, 95)))
				p99 = append(p99, ms(Percentile(ds, 99)))
				rate = append(rate, float64(len(ds))/el.Seconds())
			}
			cfg.progress("dashboard: %s %s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %.0f req/s (%d bytes)", name, mode.tag,
				Median(p50), Median(p95), Median(p99), Median(rate), size)
			Line(cfg.Out, "dashboard", fmt.Sprintf("%s_%s_%s_p50", b, name, mode.tag), Median(p50), "ms", 0)
			Line(cfg.Out, "dashboard", fmt.Sprintf("%s_%s_%s_p95", b, name, mode.tag), Median(p95), "ms", DashboardTargetMs)
			Line(cfg.Out, "dashboard", fmt.Sprintf("%s_%s_%s_p99", b, name, mode.tag), Median(p99), "ms", 0)
			Line(cfg.Out, "dashboard", fmt.Sprintf("%s_%s_%s_rate", b, name, mode.tag), Median(rate), "req/s", 0)
		}
	}
	return nil
}

// getOnce GETs url with the bearer token and reads the whole answer.
func getOnce(ctx context.Context, c *http.Client, url, token string) (int, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n, err
}

// timeGets sends n GETs of url from clients concurrent clients (bounded in count; each
// request has the client's timeout) and returns each one's latency and the elapsed time.
func timeGets(ctx context.Context, c *http.Client, url, token string, n, clients int) ([]time.Duration, time.Duration, error) {
	var mu sync.Mutex
	var firstErr error
	ds := make([]time.Duration, 0, n)
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t := time.Now()
				status, _, err := getOnce(ctx, c, url, token)
				d := time.Since(t)
				mu.Lock()
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d", status)
				}
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
				} else {
					ds = append(ds, d)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return ds, time.Since(start), firstErr
}
