package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"

	"github.com/riverqueue/river/rivermigrate"
)

// MigrationResult says what Migrate did.
type MigrationResult struct {
	Applied      []string // concord migrations applied by this call
	RiverApplied []int    // River queue migrations applied by this call
	Version      string   // concord schema version after the call
}

// Migrate applies concord's embedded migrations for this dialect and River's queue
// migrations. It is safe to run concurrently from several processes on PostgreSQL (an
// advisory lock serializes them) and to run again (applied versions are skipped).
func (db *DB) Migrate(ctx context.Context) (MigrationResult, error) {
	var res MigrationResult
	files, err := fs.Glob(db.d.migrations(), "*.sql")
	if err != nil {
		return res, err
	}
	sort.Strings(files)
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS concord_migrations (
		version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return res, fmt.Errorf("store: migrations table: %w", err)
	}
	for _, name := range files {
		version := strings.TrimSuffix(name, ".sql")
		body, err := fs.ReadFile(db.d.migrations(), name)
		if err != nil {
			return res, err
		}
		applied := false
		err = db.InTx(ctx, func(tx *Tx) error {
			if err := db.d.lock(ctx, tx.tx, lockMigrations); err != nil {
				return err
			}
			var n int
			if err := tx.q().row(ctx, "SELECT COUNT(*) FROM concord_migrations WHERE version = ?", version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", version, err)
				}
			}
			applied = true
			_, err := tx.q().exec(ctx, "INSERT INTO concord_migrations (version, applied_at) VALUES (?, ?)", version, toMicros(db.Now()))
			return err
		})
		if err != nil {
			return res, fmt.Errorf("store: migrate %s: %w", version, err)
		}
		if applied {
			res.Applied = append(res.Applied, version)
		}
		res.Version = version
	}
	// River logs every applied migration at info; ours are summarized by the caller.
	m, err := rivermigrate.New(db.d.riverDriver(), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return res, fmt.Errorf("store: river migrator: %w", err)
	}
	rr, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("store: river migrate: %w", err)
	}
	for _, v := range rr.Versions {
		res.RiverApplied = append(res.RiverApplied, v.Version)
	}
	return res, nil
}

// SchemaVersion returns the newest applied concord migration, "" when none.
func (db *DB) SchemaVersion(ctx context.Context) (string, error) {
	var v sql.NullString
	err := db.reader().row(ctx, "SELECT MAX(version) FROM concord_migrations").Scan(&v)
	if err != nil {
		return "", err
	}
	return v.String, nil
}

// splitStatements splits a migration file on semicolons that end a line. Migrations keep
// to plain DDL so this is enough; no statement body contains ";\n".
func splitStatements(sqlText string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sqlText, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
