package store

import (
	"context"
	"strconv"
	"time"

	"github.com/concordhub/concord"
)

// AppendLog appends one connector-log entry. Excerpts must already be redacted.
func (db *DB) AppendLog(ctx context.Context, e concord.LogEntry) error {
	if e.Time.IsZero() {
		e.Time = db.Now()
	}
	_, err := db.write.ExecContext(ctx, db.d.rebind(`INSERT INTO connector_logs (connection_id, time, direction, kind,
		operation, outcome, status, error_class, latency_ms, excerpt, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ConnectionID, toMicros(e.Time), e.Direction, e.Kind, e.Operation, e.Outcome, e.Status,
		string(e.ErrorClass), e.LatencyMS, truncate(e.Excerpt, 1000), e.CorrelationID)
	return db.mapErr(err, "connector log")
}

// RecordCall implements the outbound client's sink: a log entry per external call. Logging
// must never fail the call it describes, so errors are only reported to the logger.
func (db *DB) RecordCall(ctx context.Context, e concord.LogEntry) {
	if err := db.AppendLog(context.WithoutCancel(ctx), e); err != nil {
		db.log.Warn("connector log append failed", "connection_id", e.ConnectionID, "err", err)
	}
}

// LogFilter narrows ListLogs.
type LogFilter struct {
	Direction string
	Outcome   string
	Kind      string
	Since     time.Time
}

// ListLogs lists a connection's log, newest first. The cursor is the id of the last entry seen.
func (db *DB) ListLogs(ctx context.Context, connectionID string, f LogFilter, p Page) ([]concord.LogEntry, string, error) {
	query := `SELECT id, connection_id, time, direction, kind, operation, outcome, status, error_class,
		latency_ms, excerpt, correlation_id FROM connector_logs WHERE connection_id = ?`
	args := []any{connectionID}
	if p.Cursor != "" {
		id, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil {
			return nil, "", concord.Errorf(concord.EINVALID, "invalid cursor")
		}
		query += ` AND id < ?`
		args = append(args, id)
	}
	for col, v := range map[string]string{"direction": f.Direction, "outcome": f.Outcome, "kind": f.Kind} {
		if v != "" {
			query += ` AND ` + col + ` = ?`
			args = append(args, v)
		}
	}
	if !f.Since.IsZero() {
		query += ` AND time >= ?`
		args = append(args, toMicros(f.Since))
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, p.limit()+1)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, "", db.mapErr(err, "connector log")
	}
	defer rows.Close()
	var out []concord.LogEntry
	for rows.Next() {
		var e concord.LogEntry
		var t int64
		var class string
		if err := rows.Scan(&e.ID, &e.ConnectionID, &t, &e.Direction, &e.Kind, &e.Operation, &e.Outcome,
			&e.Status, &class, &e.LatencyMS, &e.Excerpt, &e.CorrelationID); err != nil {
			return nil, "", err
		}
		e.Time, e.ErrorClass = fromMicros(t), concord.ErrorClass(class)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p.limit(), func(e concord.LogEntry) string { return strconv.FormatInt(e.ID, 10) })
	return out, next, nil
}

// PruneLogs deletes connector-log entries older than before, in batches so a large prune
// never holds the writer for long. It returns how many were deleted.
func (db *DB) PruneLogs(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.write.ExecContext(ctx, db.d.rebind(`DELETE FROM connector_logs WHERE id IN (
			SELECT id FROM connector_logs WHERE time < ? ORDER BY id LIMIT 5000)`), toMicros(before))
		if err != nil {
			return total, db.mapErr(err, "connector log")
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 5000 {
			return total, nil
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// AppendLog appends a connector-log entry inside tx, so it commits with the change it
// describes (and never waits for the single SQLite writer the transaction holds).
func (tx *Tx) AppendLog(ctx context.Context, e concord.LogEntry) error {
	if e.Time.IsZero() {
		e.Time = tx.db.Now()
	}
	_, err := tx.q().exec(ctx, `INSERT INTO connector_logs (connection_id, time, direction, kind,
		operation, outcome, status, error_class, latency_ms, excerpt, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ConnectionID, toMicros(e.Time), e.Direction, e.Kind, e.Operation, e.Outcome, e.Status,
		string(e.ErrorClass), e.LatencyMS, truncate(e.Excerpt, 1000), e.CorrelationID)
	return tx.db.mapErr(err, "connector log")
}
