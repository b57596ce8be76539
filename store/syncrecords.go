package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/concordhub/concord/connector"
)

// SyncSnapshot is an external record as the service last reported it.
type SyncSnapshot struct {
	ConnectionID string
	connector.SyncRecord
	Fingerprint string
	SeenAt      time.Time
}

// UpsertSyncRecord stores the service's latest report of r and returns the previous one
// (nil when new). A report older than the stored one is ignored (stale=true).
func (tx *Tx) UpsertSyncRecord(ctx context.Context, connectionID string, r connector.SyncRecord, fingerprint string) (prev *SyncSnapshot, stale bool, err error) {
	old, err := tx.GetSyncRecord(ctx, connectionID, r.Kind, r.ExternalID)
	switch {
	case err == nil:
		prev = &old
		if r.UpdatedAt.Before(old.UpdatedAt) {
			return prev, true, nil
		}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, false, tx.db.mapErr(err, "sync record")
	}
	fields, _ := json.Marshal(r.Fields)
	now := toMicros(tx.db.Now())
	_, err = tx.q().exec(ctx, `INSERT INTO sync_records (connection_id, kind, external_id, parent_id, fields, fingerprint,
		external_updated_at, deleted, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind, external_id) DO UPDATE SET parent_id = excluded.parent_id, fields = excluded.fields,
			fingerprint = excluded.fingerprint, external_updated_at = excluded.external_updated_at, deleted = excluded.deleted,
			seen_at = excluded.seen_at`,
		connectionID, r.Kind, r.ExternalID, r.ParentID, string(fields), fingerprint, toMicros(r.UpdatedAt), r.Deleted, now)
	return prev, false, tx.db.mapErr(err, "sync record")
}

const syncRecordColumns = `connection_id, kind, external_id, parent_id, fields, fingerprint, external_updated_at, deleted, seen_at`

func scanSyncRecord(s scanner) (SyncSnapshot, error) {
	var r SyncSnapshot
	var fields string
	var updated, seen int64
	if err := s.Scan(&r.ConnectionID, &r.Kind, &r.ExternalID, &r.ParentID, &fields, &r.Fingerprint, &updated, &r.Deleted, &seen); err != nil {
		return r, err
	}
	r.UpdatedAt, r.SeenAt = fromMicros(updated), fromMicros(seen)
	return r, json.Unmarshal([]byte(fields), &r.Fields)
}

// GetSyncRecord reads the stored report of one external record (sql.ErrNoRows when none).
func (tx *Tx) GetSyncRecord(ctx context.Context, connectionID, kind, externalID string) (SyncSnapshot, error) {
	return scanSyncRecord(tx.q().row(ctx, `SELECT `+syncRecordColumns+` FROM sync_records WHERE connection_id = ? AND kind = ? AND external_id = ?`,
		connectionID, kind, externalID))
}

// GetSyncRecord reads the stored report of one external record.
func (db *DB) GetSyncRecord(ctx context.Context, connectionID, kind, externalID string) (SyncSnapshot, error) {
	r, err := scanSyncRecord(db.reader().row(ctx, `SELECT `+syncRecordColumns+` FROM sync_records WHERE connection_id = ? AND kind = ? AND external_id = ?`,
		connectionID, kind, externalID))
	return r, db.mapErr(err, "sync record")
}

// SyncRecordsOf lists the external records whose parent is parentID (a product's variants).
func (tx *Tx) SyncRecordsOf(ctx context.Context, connectionID, kind, parentID string) ([]SyncSnapshot, error) {
	rows, err := tx.q().query(ctx, `SELECT `+syncRecordColumns+` FROM sync_records WHERE connection_id = ? AND kind = ? AND parent_id = ?`,
		connectionID, kind, parentID)
	if err != nil {
		return nil, tx.db.mapErr(err, "sync records")
	}
	defer rows.Close()
	var out []SyncSnapshot
	for rows.Next() {
		r, err := scanSyncRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountSyncRecords counts a connection's live (not deleted) records of a kind.
func (db *DB) CountSyncRecords(ctx context.Context, connectionID, kind string) (int, error) {
	var n int
	err := db.reader().row(ctx, `SELECT COUNT(*) FROM sync_records WHERE connection_id = ? AND kind = ? AND deleted = ?`,
		connectionID, kind, false).Scan(&n)
	return n, db.mapErr(err, "sync records")
}
