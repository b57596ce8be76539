package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxBlocked = "blocked" // a guard stopped it (stale or unmapped record, mode mismatch)
)

// OutboxChange is one pending outbound change, coalesced per record and field.
type OutboxChange struct {
	ConnectionID string     `json:"connection_id"`
	Kind         string     `json:"kind"`
	ExternalID   string     `json:"external_id"`
	Field        string     `json:"field"`
	LocationID   string     `json:"location_id,omitempty"`
	Value        string     `json:"value"`
	ERPID        string     `json:"erp_id"`
	ERPVersion   int64      `json:"erp_version"`
	Status       string     `json:"status"`
	Attempts     int        `json:"attempts"`
	Coalesced    int        `json:"coalesced"`
	Error        string     `json:"error,omitempty"`
	EnqueuedAt   time.Time  `json:"enqueued_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
}

// EnqueueChange queues c. A change already pending for the same record and field takes
// the new value (the latest wins) and keeps its place in line and its age (for lag).
func (tx *Tx) EnqueueChange(ctx context.Context, c OutboxChange) error {
	now := toMicros(tx.db.Now())
	_, err := tx.q().exec(ctx, `INSERT INTO outbox (connection_id, kind, external_id, field, location_id, value, erp_id, erp_version,
		status, enqueued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind, external_id, field) DO UPDATE SET value = excluded.value, location_id = excluded.location_id,
			erp_id = excluded.erp_id, erp_version = excluded.erp_version, updated_at = excluded.updated_at, error = '',
			coalesced = CASE WHEN outbox.status IN ('pending', 'sending') THEN outbox.coalesced + 1 ELSE 0 END,
			enqueued_at = CASE WHEN outbox.status IN ('pending', 'sending') THEN outbox.enqueued_at ELSE excluded.enqueued_at END,
			attempts = CASE WHEN outbox.status IN ('pending', 'sending') THEN outbox.attempts ELSE 0 END,
			status = 'pending'`,
		c.ConnectionID, c.Kind, c.ExternalID, c.Field, c.LocationID, c.Value, c.ERPID, c.ERPVersion, OutboxPending, now, now)
	return tx.db.mapErr(err, "outbox")
}

const outboxColumns = `connection_id, kind, external_id, field, location_id, value, erp_id, erp_version, status, attempts, coalesced,
	error, enqueued_at, updated_at, sent_at`

func scanOutbox(s scanner) (OutboxChange, error) {
	var c OutboxChange
	var enq, upd int64
	var sent sql.NullInt64
	err := s.Scan(&c.ConnectionID, &c.Kind, &c.ExternalID, &c.Field, &c.LocationID, &c.Value, &c.ERPID, &c.ERPVersion, &c.Status,
		&c.Attempts, &c.Coalesced, &c.Error, &enq, &upd, &sent)
	c.EnqueuedAt, c.UpdatedAt, c.SentAt = fromMicros(enq), fromMicros(upd), fromNullMicros(sent)
	return c, err
}

// ClaimOutbox takes up to limit pending changes of a connection, oldest first, marking them
// sending. The value claimed is returned; a newer value enqueued meanwhile turns the row
// back to pending, so FinishOutbox only marks a row sent if it still holds that value.
func (db *DB) ClaimOutbox(ctx context.Context, connectionID string, limit int) ([]OutboxChange, error) {
	var out []OutboxChange
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.q().query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE connection_id = ? AND status = ?
			ORDER BY enqueued_at LIMIT ?`+db.d.forUpdateSkipLocked(), connectionID, OutboxPending, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			c, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
		}
		rows.Close()
		for _, c := range out {
			if _, err := tx.q().exec(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1 WHERE connection_id = ? AND kind = ?
				AND external_id = ? AND field = ?`, OutboxSending, c.ConnectionID, c.Kind, c.ExternalID, c.Field); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return out, db.mapErr(err, "outbox")
}

// FinishOutbox records the outcome of sending c (the value that was claimed). If a newer
// value arrived while c was in flight, the row stays pending for that value.
func (tx *Tx) FinishOutbox(ctx context.Context, c OutboxChange, status, errMsg string) error {
	var sent any
	if status == OutboxSent {
		sent = toMicros(tx.db.Now())
	}
	_, err := tx.q().exec(ctx, `UPDATE outbox SET status = CASE WHEN value = ? THEN ? ELSE 'pending' END, error = ?, sent_at = ?,
		updated_at = ? WHERE connection_id = ? AND kind = ? AND external_id = ? AND field = ? AND status = ?`,
		c.Value, status, truncate(errMsg, 500), sent, toMicros(tx.db.Now()), c.ConnectionID, c.Kind, c.ExternalID, c.Field, OutboxSending)
	return tx.db.mapErr(err, "outbox")
}

// ReleaseOutbox puts claimed changes back to pending (a rate limit or outage: try later).
func (db *DB) ReleaseOutbox(ctx context.Context, cs []OutboxChange, errMsg string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		for _, c := range cs {
			if _, err := tx.q().exec(ctx, `UPDATE outbox SET status = ?, error = ? WHERE connection_id = ? AND kind = ? AND external_id = ?
				AND field = ? AND status = ?`, OutboxPending, truncate(errMsg, 500), c.ConnectionID, c.Kind, c.ExternalID, c.Field, OutboxSending); err != nil {
				return tx.db.mapErr(err, "outbox")
			}
		}
		return nil
	})
}

// OutboxStats is the outbound backlog of a connection.
type OutboxStats struct {
	Pending       int        `json:"pending"`
	OldestPending *time.Time `json:"oldest_pending_at,omitempty"`
	Failed        int        `json:"failed"`
	Blocked       int        `json:"blocked"`
	SentSince     int        `json:"sent_since"`
	FailedSince   int        `json:"failed_since"`
	// Coalesced counts the changes folded into those pending or in flight.
	Coalesced int `json:"coalesced"`
}

// OutboxStats counts a connection's outbound changes; *Since counts are since since. Each
// figure reads its own index range (outbox_pending by status, outbox_sent by time), so the
// cost follows the backlog and the window, not every change ever sent.
func (db *DB) OutboxStats(ctx context.Context, connectionID string, since time.Time) (OutboxStats, error) {
	var st OutboxStats
	var oldest sql.NullInt64
	s := toMicros(since)
	err := db.reader().row(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND status IN ('pending', 'sending')),
		(SELECT MIN(enqueued_at) FROM outbox WHERE connection_id = ? AND status IN ('pending', 'sending')),
		(SELECT COALESCE(SUM(coalesced), 0) FROM outbox WHERE connection_id = ? AND status IN ('pending', 'sending')),
		(SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND status = 'failed'),
		(SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND status = 'failed' AND updated_at >= ?),
		(SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND status = 'blocked'),
		(SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND status = 'sent' AND sent_at >= ?)`,
		connectionID, connectionID, connectionID, connectionID, connectionID, s, connectionID, connectionID, s).Scan(
		&st.Pending, &oldest, &st.Coalesced, &st.Failed, &st.FailedSince, &st.Blocked, &st.SentSince)
	st.OldestPending = fromNullMicros(oldest)
	return st, db.mapErr(err, "outbox")
}

// ListOutbox lists a connection's outbound changes of a status.
func (db *DB) ListOutbox(ctx context.Context, connectionID, status string, limit int) ([]OutboxChange, error) {
	rows, err := db.reader().query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE connection_id = ? AND status = ? ORDER BY enqueued_at LIMIT ?`,
		connectionID, status, limit)
	if err != nil {
		return nil, db.mapErr(err, "outbox")
	}
	defer rows.Close()
	var out []OutboxChange
	for rows.Next() {
		c, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OutboxPendingFor reports whether a change of the field is queued or in flight.
func (tx *Tx) OutboxPendingFor(ctx context.Context, connectionID, kind, externalID, field string) (bool, error) {
	var n int
	err := tx.q().row(ctx, `SELECT COUNT(*) FROM outbox WHERE connection_id = ? AND kind = ? AND external_id = ? AND field = ?
		AND status IN ('pending', 'sending')`, connectionID, kind, externalID, field).Scan(&n)
	return n > 0, tx.db.mapErr(err, "outbox")
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
