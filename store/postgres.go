package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

type postgresDialect struct {
	db           *sql.DB
	pool         *pgxpool.Pool
	listenerPool *pgxpool.Pool
}

// openPostgres opens a pgx pool and serves database/sql from it, so the store's one SQL
// codebase and River's database/sql driver share connections. River listens for job
// notifications on a dedicated pgx pool (LISTEN needs a session of its own). schema, when
// set, becomes the search_path of every connection (the tests isolate themselves this way).
func openPostgres(ctx context.Context, dsn, schema string) (*sql.DB, *postgresDialect, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("store: parse postgres url: %w", err)
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	lcfg := cfg.Copy()
	lcfg.MinConns, lcfg.MaxConns = 0, 1
	listenerPool, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("store: open postgres listener pool: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return db, &postgresDialect{db: db, pool: pool, listenerPool: listenerPool}, nil
}

func (d *postgresDialect) name() string           { return "postgres" }
func (d *postgresDialect) rebind(q string) string { return rebindDollar(q) }
func (d *postgresDialect) migrations() fs.FS {
	sub, _ := fs.Sub(postgresMigrations, "migrations/postgres")
	return sub
}

func (d *postgresDialect) isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func (d *postgresDialect) lock(ctx context.Context, tx *sql.Tx, key int64) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key)
	return err
}

func (d *postgresDialect) riverDriver() riverdriver.Driver[*sql.Tx] {
	return riverdatabasesql.NewWithPgxListener(d.db, d.listenerPool)
}

func (d *postgresDialect) close() {
	d.listenerPool.Close()
	d.pool.Close()
}

func (d *postgresDialect) forUpdateSkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (d *postgresDialect) isTransient(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}
