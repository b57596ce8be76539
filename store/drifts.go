package store

import (
	"context"
	"database/sql"
	"time"
)

// Drift states.
const (
	DriftOpen         = "open"
	DriftResolved     = "resolved"      // by the operator: push, pull or accept
	DriftAutoResolved = "auto_resolved" // by policy, logged
	DriftCleared      = "cleared"       // both sides agree again on their own
)

// Drift is one field on which the ERP and the service disagree.
type Drift struct {
	ID            string     `json:"id"`
	ConnectionID  string     `json:"connection_id"`
	Kind          string     `json:"kind"`
	ERPID         string     `json:"erp_id"`
	ExternalID    string     `json:"external_id"`
	Field         string     `json:"field"`
	ERPValue      string     `json:"erp_value"`
	ExternalValue string     `json:"external_value"`
	Cause         string     `json:"cause"`
	Policy        string     `json:"policy"`
	State         string     `json:"state"`
	Resolution    string     `json:"resolution,omitempty"`
	ResolvedBy    string     `json:"resolved_by,omitempty"`
	DetectedAt    time.Time  `json:"detected_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
}

const driftColumns = `id, connection_id, kind, erp_id, external_id, field, erp_value, external_value, cause, policy, state,
	resolution, resolved_by, detected_at, updated_at, resolved_at`

func scanDrift(s scanner) (Drift, error) {
	var d Drift
	var det, upd int64
	var res sql.NullInt64
	err := s.Scan(&d.ID, &d.ConnectionID, &d.Kind, &d.ERPID, &d.ExternalID, &d.Field, &d.ERPValue, &d.ExternalValue, &d.Cause,
		&d.Policy, &d.State, &d.Resolution, &d.ResolvedBy, &det, &upd, &res)
	d.DetectedAt, d.UpdatedAt, d.ResolvedAt = fromMicros(det), fromMicros(upd), fromNullMicros(res)
	return d, err
}

// OpenDrift records d as open, or refreshes the open drift of the same field with the
// latest values (keeping when it was first detected).
func (tx *Tx) OpenDrift(ctx context.Context, d *Drift) error {
	prev, err := scanDrift(tx.q().row(ctx, `SELECT `+driftColumns+` FROM drifts WHERE connection_id = ? AND kind = ? AND external_id = ?
		AND field = ? AND state = ?`, d.ConnectionID, d.Kind, d.ExternalID, d.Field, DriftOpen))
	now := tx.db.Now()
	if err == nil {
		// The cause found when the drift appeared stays: a later pass that sees no new
		// change must not blur "stock changed externally" into "values differ".
		d.ID, d.DetectedAt, d.State, d.UpdatedAt, d.Cause = prev.ID, prev.DetectedAt, DriftOpen, now, prev.Cause
		_, err = tx.q().exec(ctx, `UPDATE drifts SET erp_value = ?, external_value = ?, policy = ?, erp_id = ?, updated_at = ? WHERE id = ?`,
			d.ERPValue, d.ExternalValue, d.Policy, d.ERPID, toMicros(now), d.ID)
		return tx.db.mapErr(err, "drift")
	}
	if err != sql.ErrNoRows {
		return tx.db.mapErr(err, "drift")
	}
	return tx.insertDrift(ctx, d, DriftOpen)
}

// RecordDrift stores a drift already settled (auto-resolved by policy), for the log.
func (tx *Tx) RecordDrift(ctx context.Context, d *Drift, state string) error {
	return tx.insertDrift(ctx, d, state)
}

func (tx *Tx) insertDrift(ctx context.Context, d *Drift, state string) error {
	now := tx.db.Now()
	d.ID, d.State, d.DetectedAt, d.UpdatedAt = NewID("drf"), state, now, now
	var resolved any
	if state != DriftOpen {
		d.ResolvedAt = &now
		resolved = toMicros(now)
	}
	_, err := tx.q().exec(ctx, `INSERT INTO drifts (`+driftColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.ConnectionID, d.Kind, d.ERPID, d.ExternalID, d.Field, d.ERPValue, d.ExternalValue, d.Cause, d.Policy, d.State,
		d.Resolution, d.ResolvedBy, toMicros(now), toMicros(now), resolved)
	return tx.db.mapErr(err, "drift")
}

// CloseDrift settles an open drift.
func (tx *Tx) CloseDrift(ctx context.Context, id, state, resolution, by string) error {
	now := toMicros(tx.db.Now())
	_, err := tx.q().exec(ctx, `UPDATE drifts SET state = ?, resolution = ?, resolved_by = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND state = ?`,
		state, resolution, by, now, now, id, DriftOpen)
	return tx.db.mapErr(err, "drift")
}

// OpenDriftFor reads the open drift of one field (sql.ErrNoRows when none).
func (tx *Tx) OpenDriftFor(ctx context.Context, connectionID, kind, externalID, field string) (Drift, error) {
	return scanDrift(tx.q().row(ctx, `SELECT `+driftColumns+` FROM drifts WHERE connection_id = ? AND kind = ? AND external_id = ?
		AND field = ? AND state = ?`, connectionID, kind, externalID, field, DriftOpen))
}

// GetDrift reads one drift.
func (db *DB) GetDrift(ctx context.Context, id string) (Drift, error) {
	d, err := scanDrift(db.reader().row(ctx, `SELECT `+driftColumns+` FROM drifts WHERE id = ?`, id))
	return d, db.mapErr(err, "drift")
}

// ListDrifts lists a connection's drifts of a state ("" for all), newest first.
func (db *DB) ListDrifts(ctx context.Context, connectionID, state string, p Page) ([]Drift, string, error) {
	query := `SELECT ` + driftColumns + ` FROM drifts WHERE connection_id = ?`
	args := []any{connectionID}
	if state != "" {
		query += ` AND state = ?`
		args = append(args, state)
	}
	if p.Cursor != "" {
		query += ` AND id < ?`
		args = append(args, p.Cursor)
	}
	rows, err := db.reader().query(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, p.limit()+1)...)
	if err != nil {
		return nil, "", db.mapErr(err, "drifts")
	}
	defer rows.Close()
	var out []Drift
	for rows.Next() {
		d, err := scanDrift(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	out, next := trimPage(out, p.limit(), func(d Drift) string { return d.ID })
	return out, next, rows.Err()
}

// FieldPolicy is a connection's source-of-truth rule for one field.
type FieldPolicy struct {
	Kind        string `json:"kind"`
	Field       string `json:"field"`
	Policy      string `json:"policy"` // erp_wins, service_wins, manual
	AutoResolve bool   `json:"auto_resolve"`
}

// FieldPolicies reads a connection's stored policies (defaults live with the sync engine).
func (db *DB) FieldPolicies(ctx context.Context, connectionID string) ([]FieldPolicy, error) {
	rows, err := db.reader().query(ctx, `SELECT kind, field, policy, auto_resolve FROM field_policies WHERE connection_id = ? ORDER BY kind, field`, connectionID)
	if err != nil {
		return nil, db.mapErr(err, "field policies")
	}
	defer rows.Close()
	var out []FieldPolicy
	for rows.Next() {
		var p FieldPolicy
		if err := rows.Scan(&p.Kind, &p.Field, &p.Policy, &p.AutoResolve); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PutFieldPolicy stores one policy.
func (tx *Tx) PutFieldPolicy(ctx context.Context, connectionID string, p FieldPolicy) error {
	_, err := tx.q().exec(ctx, `INSERT INTO field_policies (connection_id, kind, field, policy, auto_resolve) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind, field) DO UPDATE SET policy = excluded.policy, auto_resolve = excluded.auto_resolve`,
		connectionID, p.Kind, p.Field, p.Policy, p.AutoResolve)
	return tx.db.mapErr(err, "field policy")
}
