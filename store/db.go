package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river/riverdriver"

	"github.com/concordhub/concord"
)

// Options configure Open.
type Options struct {
	// Schema, for PostgreSQL only, isolates the store in one schema (tests use it).
	Schema string
	Logger *slog.Logger
	Now    func() time.Time
}

// DB is concord's database: a writer and a reader over the same data.
type DB struct {
	write *sql.DB
	read  *sql.DB
	d     dialect
	log   *slog.Logger
	now   func() time.Time

	stmts     sync.Map // stmtKey -> *sql.Stmt
	stmtCount atomic.Int64
}

// Open opens the database named by url: "sqlite://path" (or a bare path) selects SQLite,
// "postgres://..." or "postgresql://..." PostgreSQL. It does not migrate; call Migrate.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	db := &DB{log: o.Logger, now: o.Now}
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		w, d, err := openPostgres(ctx, url, o.Schema)
		if err != nil {
			return nil, err
		}
		db.write, db.read, db.d = w, w, d
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		path = strings.TrimPrefix(path, "sqlite:")
		w, r, d, err := openSQLite(path)
		if err != nil {
			return nil, err
		}
		db.write, db.read, db.d = w, r, d
	}
	return db, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name() }

// RiverDriver is the River driver for this database; the job queue lives beside the data
// so a job is enqueued in the same transaction as the change that calls for it.
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] { return db.d.riverDriver() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Close closes every pool.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	db.d.close()
	return err
}

// Tx is one write transaction.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt // prepared for this transaction; closed with it
}

// SQL is the underlying transaction, for River's InsertTx.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// InTx runs fn in a write transaction and commits if fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: stx, db: db}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// runner is what both the read pool and a transaction can run queries on.
type runner interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// q binds a runner to the dialect so queries are written once with "?" placeholders.
type q struct {
	pool *sql.DB // the pool statements are prepared on
	tx   *Tx     // set inside a transaction
	db   *DB
}

func (q q) mapErr(err error, what string) error { return q.db.mapErr(err, what) }

// stmt returns the prepared statement for query: parsing SQL is most of the cost of a
// small statement on SQLite, so each distinct query is prepared once per pool and reused
// (bound to the transaction when there is one). ok=false means run it unprepared (the
// cache is full of one-off queries, or preparing failed; the plain call reports why).
func (q q) stmt(ctx context.Context, query string) (*sql.Stmt, bool) {
	if q.tx != nil {
		// Inside a transaction statements are prepared on its own connection and kept for
		// its life: SQLite has one writer connection, held by this very transaction, so
		// preparing on the pool would wait for it forever.
		if st, ok := q.tx.stmts[query]; ok {
			return st, true
		}
		if len(q.tx.stmts) >= maxCachedStmts {
			return nil, false
		}
		st, err := q.tx.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, false
		}
		if q.tx.stmts == nil {
			q.tx.stmts = map[string]*sql.Stmt{}
		}
		q.tx.stmts[query] = st
		return st, true
	}
	key := stmtKey{pool: q.pool, query: query}
	if v, ok := q.db.stmts.Load(key); ok {
		return v.(*sql.Stmt), true
	}
	if q.db.stmtCount.Load() >= maxCachedStmts {
		return nil, false
	}
	st, err := q.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, false
	}
	if prev, loaded := q.db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	} else {
		q.db.stmtCount.Add(1)
	}
	return st, true
}

// maxCachedStmts bounds the statement cache (queries with IN lists vary in length).
const maxCachedStmts = 512

type stmtKey struct {
	pool  *sql.DB
	query string
}

func (q q) runner() runner {
	if q.tx != nil {
		return q.tx.tx
	}
	return q.pool
}

func (q q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = q.db.d.rebind(query)
	if st, ok := q.stmt(ctx, query); ok {
		return st.ExecContext(ctx, args...)
	}
	return q.runner().ExecContext(ctx, query, args...)
}
func (q q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = q.db.d.rebind(query)
	if st, ok := q.stmt(ctx, query); ok {
		return st.QueryContext(ctx, args...)
	}
	return q.runner().QueryContext(ctx, query, args...)
}
func (q q) row(ctx context.Context, query string, args ...any) *sql.Row {
	query = q.db.d.rebind(query)
	if st, ok := q.stmt(ctx, query); ok {
		return st.QueryRowContext(ctx, args...)
	}
	return q.runner().QueryRowContext(ctx, query, args...)
}

func (db *DB) reader() q { return q{pool: db.read, db: db} }
func (tx *Tx) q() q      { return q{pool: tx.db.write, tx: tx, db: tx.db} }

// mapErr turns database errors into domain errors at the boundary.
func (db *DB) mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return &concord.Error{Code: concord.ENOTFOUND, Message: what + " not found"}
	case db.d.isUniqueViolation(err):
		return &concord.Error{Code: concord.ECONFLICT, Message: what + " already exists"}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// Times are stored as unix microseconds in both dialects.
func toMicros(t time.Time) int64 { return t.UnixMicro() }
func fromMicros(us int64) time.Time {
	return time.UnixMicro(us).UTC()
}
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}
func fromNullMicros(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// Now is the store's clock, truncated to what both databases keep.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// Savepoint runs fn inside a savepoint of tx: if fn fails, only its own changes are rolled
// back and the transaction goes on (a batch where one bad item must not undo the others).
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT concord_sp"); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT concord_sp"); rerr != nil {
			return errors.Join(err, rerr)
		}
		_, _ = tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT concord_sp")
		return err
	}
	_, err := tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT concord_sp")
	return err
}

// Retryable reports whether err is a transient conflict between transactions (a
// PostgreSQL deadlock or serialization failure, a busy SQLite): the same work may simply
// be tried again.
func (db *DB) Retryable(err error) bool { return db.d.isTransient(err) }
