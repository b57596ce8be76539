// Package storetest opens real, migrated, isolated databases for tests: SQLite always, and
// PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). Every store behaviour is proven
// on both by running the same test body on each.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for schema set-up

	"github.com/concordhub/concord/store"
)

// Backend is one database a test runs on.
type Backend struct {
	Name string // "sqlite" or "postgres"
	URL  string
	// Schema isolates a PostgreSQL test; empty for SQLite.
	Schema string
}

// Backends returns a fresh SQLite file for t, and a fresh PostgreSQL schema when
// TEST_DATABASE_URL is set. Both are dropped when t ends.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: "sqlite", URL: "sqlite://" + filepath.Join(t.TempDir(), "concord.db")}}
	if url := os.Getenv("TEST_DATABASE_URL"); url != "" {
		schema := NewSchema(t, url)
		out = append(out, Backend{Name: "postgres", URL: withSearchPath(url, schema), Schema: schema})
	}
	return out
}

// NewSchema creates an empty schema in the PostgreSQL database at url, dropped at cleanup.
func NewSchema(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	return schema
}

// Open opens and migrates b.
func Open(t testing.TB, b Backend) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, b.URL, store.Options{Schema: b.Schema})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", b.Name, err)
	}
	return db
}

// Each runs fn once per backend as a parallel subtest with a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, b))
		})
	}
}

// withSearchPath adds search_path to a PostgreSQL URL so every pool opened from it (the
// store's, River's listener) lands in the test's schema.
func withSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
