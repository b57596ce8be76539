package store

import (
	"context"
	"database/sql"
	"errors"
)

// CountCap is where the dashboard stops counting: a page that shows "10,000+" reads at
// most that many index entries per figure, however many mappings a connection has.
const CountCap = 10_000

// CountMappingsCapped counts a connection's mappings in each state, stopping at limit+1:
// a figure above limit means "more than limit". Each count reads at most limit+1 entries
// of the (connection_id, state) index.
func (db *DB) CountMappingsCapped(ctx context.Context, connectionID string, states []string, limit int) (map[string]int, error) {
	out := make(map[string]int, len(states))
	for _, st := range states {
		var n int
		if err := db.reader().row(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM mappings WHERE connection_id = ? AND state = ? LIMIT ?) capped`,
			connectionID, st, limit+1).Scan(&n); err != nil {
			return nil, db.mapErr(err, "mappings")
		}
		out[st] = n
	}
	return out, nil
}

// LastOutboxFailure is the newest refused outbound change of a connection, said as
// "kind external_id field: error"; "" when none failed.
func (db *DB) LastOutboxFailure(ctx context.Context, connectionID string) (string, error) {
	var s string
	err := db.reader().row(ctx, `SELECT kind || ' ' || external_id || ' ' || field || ': ' || error FROM outbox
		WHERE connection_id = ? AND status = ? ORDER BY enqueued_at DESC LIMIT 1`, connectionID, OutboxFailed).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s, db.mapErr(err, "outbox")
}
