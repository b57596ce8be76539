// Package store is concord's persistence: one API over two databases. SQLite
// (modernc.org/sqlite, cgo-free) is the embedded default: one writer connection, so writes
// are serialized exactly as SQLite requires, and a separate read pool under WAL. PostgreSQL
// (pgx) serves larger users who run several concord processes against one database.
//
// The SQL is written once; what differs between the databases (how to open and tune them,
// placeholders, migrations, locks, how a unique violation is reported, which River driver
// runs the durable job queue) lives behind the dialect interface, with one implementation
// per database in sqlite.go and postgres.go. The conformance tests run every behaviour on
// both: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
//
// Nothing outside this package sees database/sql errors: sql.ErrNoRows becomes
// concord.ErrNotFound and unique violations become concord.ECONFLICT errors.
package store
