package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

type sqliteDialect struct {
	writer *sql.DB
}

// openSQLite opens path with one writer connection and a read pool. busy_timeout is set
// before WAL so that switching the journal mode itself waits for other processes.
// synchronous=FULL: an acknowledged webhook must survive power loss, not just a crash.
func openSQLite(path string) (writer, reader *sql.DB, d *sqliteDialect, err error) {
	if path == "" {
		return nil, nil, nil, errors.New("store: empty sqlite path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, nil, fmt.Errorf("store: create data folder: %w", err)
		}
	}
	pragmas := []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	// Writes take the lock when the transaction begins, so a read-then-write transaction can
	// never fail half-way with SQLITE_BUSY on lock upgrade.
	wq.Set("_txlock", "immediate")
	writer, err = sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, nil, nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	rq := url.Values{}
	for k, v := range q {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(1)")
	reader, err = sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		writer.Close()
		return nil, nil, nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	reader.SetMaxOpenConns(4)
	reader.SetMaxIdleConns(4)
	return writer, reader, &sqliteDialect{writer: writer}, nil
}

func (d *sqliteDialect) name() string           { return "sqlite" }
func (d *sqliteDialect) rebind(q string) string { return q }
func (d *sqliteDialect) migrations() fs.FS {
	sub, _ := fs.Sub(sqliteMigrations, "migrations/sqlite")
	return sub
}

func (d *sqliteDialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// lock needs nothing on SQLite: the single writer connection and immediate transactions
// already serialize every write.
func (d *sqliteDialect) lock(context.Context, *sql.Tx, int64) error { return nil }

func (d *sqliteDialect) riverDriver() riverdriver.Driver[*sql.Tx] { return riversqlite.New(d.writer) }
func (d *sqliteDialect) close()                                   {}

func (d *sqliteDialect) forUpdateSkipLocked() string { return "" }

func (d *sqliteDialect) isTransient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}
