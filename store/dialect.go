package store

import (
	"context"
	"database/sql"
	"io/fs"
	"strconv"
	"strings"

	"github.com/riverqueue/river/riverdriver"
)

// dialect is what differs between the databases the store runs on.
type dialect interface {
	name() string
	// rebind turns the store's "?" placeholders into the database's own.
	rebind(q string) string
	migrations() fs.FS
	isUniqueViolation(err error) bool
	// isTransient reports a conflict worth retrying (deadlock, serialization, busy).
	isTransient(err error) bool
	// lock takes a transaction-scoped lock named by key, serializing that work across
	// processes (the audit chain head, migrations).
	lock(ctx context.Context, tx *sql.Tx, key int64) error
	riverDriver() riverdriver.Driver[*sql.Tx]
	// forUpdateSkipLocked is the clause that lets several processes claim different rows
	// (SQLite's single writer makes it unnecessary there).
	forUpdateSkipLocked() string
	close()
}

// Lock keys.
const (
	lockAuditChain int64 = 0x636f6e636f7264 // "concord"
	lockMigrations int64 = lockAuditChain + 1
)

// rebindDollar numbers "?" placeholders as $1, $2, ... (PostgreSQL).
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
