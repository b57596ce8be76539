package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/connectors/shopify"
	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/vault"
)

// SyncConfig sizes the sync benchmarks (import, drift-scan, outbound).
type SyncConfig struct {
	// DB is the database URL; it is migrated in place. Each run uses fresh connections.
	DB   string
	Runs int
	// import: orders and variants seeded in the emulator; EngineOrders pre-built orders of
	// EngineLines lines for the engine-only figure.
	Orders, Variants, EngineOrders, EngineLines int
	// drift-scan: mapped records, how many of them drift, how many change for the
	// incremental case.
	Mapped, Drifted, Changed int
	// outbound: ERP changes over SKUs stock records.
	Changes, SKUs int
	// CPUProfile, when set, receives a CPU profile of the first measured run.
	CPUProfile io.Writer
	Out        io.Writer
	Progress   io.Writer
}

func (cfg *SyncConfig) defaults() {
	cfg.Runs = max(cfg.Runs, 1)
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
}

func (cfg *SyncConfig) progress(format string, args ...any) {
	fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
}

const syncActor = "bench"

// shopifyUnlimited is the Shopify connector with the hub's per-connection request limiter
// lifted (its Descriptor's REST figure of 2 requests/s, burst 40, which the shared outbound
// client also applies to GraphQL calls). Only the import benchmark uses it, to measure the
// inbound path rather than that limiter; the GraphQL cost pacer stays in place.
type shopifyUnlimited struct{ *shopify.Connector }

func (u shopifyUnlimited) Describe() connector.Descriptor {
	d := u.Connector.Describe()
	d.RateLimit, d.RateBurst = 0, 0
	return d
}

// syncEnv is an engine on a real database with Shopify connections to an in-process
// emulator on loopback, whose every answer is counted.
type syncEnv struct {
	db    *store.DB
	svc   *connections.Service
	eng   *syncer.Engine
	emu   *shopifyemu.Emulator
	url   string
	calls *callCounter
	close func()
}

func newSyncEnv(ctx context.Context, dbURL string, emuOpts shopifyemu.Options, unlimited bool) (*syncEnv, error) {
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	key, err := vault.GenerateKey()
	if err != nil {
		db.Close()
		return nil, err
	}
	keys, err := vault.NewKeyring(key)
	if err != nil {
		db.Close()
		return nil, err
	}
	var conn connector.Connector = shopify.New()
	if unlimited {
		conn = shopifyUnlimited{shopify.New()}
	}
	svc := &connections.Service{DB: db, Registry: connector.NewRegistry(conn), Keys: keys,
		Outbound: connector.NewOutbound(connector.OutboundOptions{Sink: db}), PublicURL: "http://127.0.0.1"}
	eng := &syncer.Engine{DB: db, Svc: svc}
	ws := river.NewWorkers()
	eng.Workers(ws, time.Hour)
	svc.Workers(ws, time.Hour)
	// Jobs are inserted as in production; the benchmark works them itself, in line.
	q, err := jobs.New(db, jobs.Options{Workers: ws, InsertOnly: true})
	if err != nil {
		db.Close()
		return nil, err
	}
	svc.Jobs, eng.Jobs = q, q
	if emuOpts.TokenTTL == 0 {
		emuOpts.TokenTTL = -1 // a non-expiring token: no refresh inside a timed run
	}
	emu := shopifyemu.New(emuOpts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		emu.Close()
		db.Close()
		return nil, err
	}
	calls := &callCounter{byOp: map[string]int{}}
	srv := &http.Server{Handler: calls.wrap(emu.Handler()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &syncEnv{db: db, svc: svc, eng: eng, emu: emu, url: "http://" + ln.Addr().String(), calls: calls,
		close: func() {
			_ = srv.Close()
			emu.Close()
			_ = q.Stop(context.Background())
			db.Close()
		}}, nil
}

// seed replaces the emulator shop's data with a generated catalog.
func (env *syncEnv) seed(products, variantsPerProduct, orders int) error {
	body := fmt.Sprintf(`{"products":%d,"variants_per_product":%d,"orders":%d}`, products, variantsPerProduct, orders)
	resp, err := http.Post(env.url+"/_emulator/seed", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("bench: seed emulator: %d %s", resp.StatusCode, b)
	}
	return nil
}

// connect makes a sandbox entity and a Shopify connection to the emulator.
func (env *syncEnv) connect(ctx context.Context, tag string) (concord.Entity, string, error) {
	e, err := env.svc.CreateEntity(ctx, syncActor, fmt.Sprintf("Bench %s %d", tag, time.Now().UnixNano()), concord.ModeSandbox)
	if err != nil {
		return e, "", fmt.Errorf("bench: create entity: %w", err)
	}
	cr := env.emu.Credentials()
	v, err := env.svc.Connect(ctx, syncActor, e.ID, connections.ConnectInput{Connector: "shopify",
		Credentials: map[string]string{shopify.FieldAccessToken: cr.AccessToken, shopify.FieldClientID: cr.ClientID,
			shopify.FieldClientSecret: cr.ClientSecret},
		Config: map[string]string{shopify.FieldShop: cr.Shop, shopify.FieldAPIBase: env.url}})
	if err != nil {
		return e, "", fmt.Errorf("bench: connect shopify: %w", err)
	}
	return e, v.ID, nil
}

// callCounter counts the emulator's GraphQL calls by operation name, and its throttled
// answers (HTTP 429 or a THROTTLED GraphQL error).
type callCounter struct {
	mu        sync.Mutex
	byOp      map[string]int
	throttled int
}

var opName = regexp.MustCompile(`(?:query|mutation)\s+(\w+)`)

func (c *callCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/graphql.json") {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := "?"
		if m := opName.FindSubmatch(body); m != nil {
			op = string(m[1])
		}
		rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		c.mu.Lock()
		c.byOp[op]++
		if rec.status == http.StatusTooManyRequests || bytes.Contains(rec.buf.Bytes(), []byte(`"THROTTLED"`)) {
			c.throttled++
		}
		c.mu.Unlock()
	})
}

// snapshot copies the counts.
func (c *callCounter) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byOp))
	for k, v := range c.byOp {
		out[k] = v
	}
	return out, c.throttled
}

type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *teeWriter) WriteHeader(s int) { t.status = s; t.ResponseWriter.WriteHeader(s) }
func (t *teeWriter) Write(b []byte) (int, error) {
	if t.buf.Len() < 4096 {
		t.buf.Write(b[:min(len(b), 4096)])
	}
	return t.ResponseWriter.Write(b)
}

// rebind turns "?" placeholders into PostgreSQL's $n.
func rebind(dialect, q string) string {
	if dialect != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// execTx runs one raw statement inside tx (bench set-up and baselines only).
func execTx(ctx context.Context, tx *store.Tx, dialect, q string, args ...any) error {
	_, err := tx.SQL().ExecContext(ctx, rebind(dialect, q), args...)
	return err
}

// sqlQuote quotes a string literal the benchmark generated itself.
func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
