package store

import (
	"context"
	"time"
)

// Mapping states.
const (
	MappingSuggested = "suggested"
	MappingActive    = "active"
	MappingRejected  = "rejected"
	MappingStale     = "stale"
	MappingUnmapped  = "unmapped" // an external record with no ERP match yet: the mapping inbox
)

// Mapping links an ERP record to an external record of one connection.
type Mapping struct {
	ID            string  `json:"id"`
	ConnectionID  string  `json:"connection_id"`
	Kind          string  `json:"kind"`
	ERPID         string  `json:"erp_id"`
	ExternalID    string  `json:"external_id"`
	ParentID      string  `json:"parent_id,omitempty"`
	State         string  `json:"state"`
	Score         float64 `json:"score"`
	Reason        string  `json:"reason,omitempty"`
	SyncedVersion int64   `json:"synced_version"`
	// ERPFingerprint and ExtFingerprint hash the compared fields on each side; a full drift
	// scan is one pass over mappings whose two fingerprints differ.
	ERPFingerprint string    `json:"-"`
	ExtFingerprint string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

const mappingColumns = `id, connection_id, kind, erp_id, external_id, parent_id, state, score, reason, synced_version, erp_fp, ext_fp, created_at, updated_at`

func scanMapping(s scanner) (Mapping, error) {
	var m Mapping
	var created, updated int64
	err := s.Scan(&m.ID, &m.ConnectionID, &m.Kind, &m.ERPID, &m.ExternalID, &m.ParentID, &m.State, &m.Score, &m.Reason,
		&m.SyncedVersion, &m.ERPFingerprint, &m.ExtFingerprint, &created, &updated)
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return m, err
}

// PutMapping inserts or updates the mapping of (connection, kind, external id).
func (tx *Tx) PutMapping(ctx context.Context, m *Mapping) error {
	now := tx.db.Now()
	if m.ID == "" {
		m.ID = NewID("map")
		m.CreatedAt = now
	}
	m.UpdatedAt = now
	_, err := tx.q().exec(ctx, `INSERT INTO mappings (`+mappingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind, external_id) DO UPDATE SET erp_id = excluded.erp_id, parent_id = excluded.parent_id,
			state = excluded.state, score = excluded.score, reason = excluded.reason, synced_version = excluded.synced_version,
			erp_fp = excluded.erp_fp, ext_fp = excluded.ext_fp, updated_at = excluded.updated_at`,
		m.ID, m.ConnectionID, m.Kind, m.ERPID, m.ExternalID, m.ParentID, m.State, m.Score, m.Reason, m.SyncedVersion,
		m.ERPFingerprint, m.ExtFingerprint, toMicros(m.CreatedAt), toMicros(m.UpdatedAt))
	return tx.db.mapErr(err, "mapping")
}

// MappingByExternal reads the mapping of an external record.
func (tx *Tx) MappingByExternal(ctx context.Context, connectionID, kind, externalID string) (Mapping, error) {
	m, err := scanMapping(tx.q().row(ctx, `SELECT `+mappingColumns+` FROM mappings WHERE connection_id = ? AND kind = ? AND external_id = ?`,
		connectionID, kind, externalID))
	return m, tx.db.mapErr(err, "mapping")
}

// MappingsByERP lists the mappings of one ERP record on a connection.
func (tx *Tx) MappingsByERP(ctx context.Context, connectionID, kind, erpID string) ([]Mapping, error) {
	rows, err := tx.q().query(ctx, `SELECT `+mappingColumns+` FROM mappings WHERE connection_id = ? AND kind = ? AND erp_id = ?`,
		connectionID, kind, erpID)
	if err != nil {
		return nil, tx.db.mapErr(err, "mappings")
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetMapping reads a mapping by id.
func (db *DB) GetMapping(ctx context.Context, id string) (Mapping, error) {
	m, err := scanMapping(db.reader().row(ctx, `SELECT `+mappingColumns+` FROM mappings WHERE id = ?`, id))
	return m, db.mapErr(err, "mapping")
}

// GetMapping reads a mapping by id inside tx.
func (tx *Tx) GetMapping(ctx context.Context, id string) (Mapping, error) {
	m, err := scanMapping(tx.q().row(ctx, `SELECT `+mappingColumns+` FROM mappings WHERE id = ?`, id))
	return m, tx.db.mapErr(err, "mapping")
}

// ListMappings lists a connection's mappings, optionally of one state and kind, in id order.
func (db *DB) ListMappings(ctx context.Context, connectionID, state, kind string, p Page) ([]Mapping, string, error) {
	query := `SELECT ` + mappingColumns + ` FROM mappings WHERE connection_id = ? AND id > ?`
	args := []any{connectionID, p.Cursor}
	if state != "" {
		query += ` AND state = ?`
		args = append(args, state)
	}
	if kind != "" {
		query += ` AND kind = ?`
		args = append(args, kind)
	}
	rows, err := db.reader().query(ctx, query+` ORDER BY id LIMIT ?`, append(args, p.limit()+1)...)
	if err != nil {
		return nil, "", db.mapErr(err, "mappings")
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, m)
	}
	out, next := trimPage(out, p.limit(), func(m Mapping) string { return m.ID })
	return out, next, rows.Err()
}

// CountMappings counts a connection's mappings by state.
func (db *DB) CountMappings(ctx context.Context, connectionID string) (map[string]int, error) {
	rows, err := db.reader().query(ctx, `SELECT state, COUNT(*) FROM mappings WHERE connection_id = ? GROUP BY state`, connectionID)
	if err != nil {
		return nil, db.mapErr(err, "mappings")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// DriftCandidates lists active mappings whose ERP and external fingerprints differ: the
// full drift scan is this one indexed pass, whatever the number of mappings.
func (db *DB) DriftCandidates(ctx context.Context, connectionID string, limit int) ([]Mapping, error) {
	// The predicate matches the partial index mappings_drift word for word.
	rows, err := db.reader().query(ctx, `SELECT `+mappingColumns+` FROM mappings WHERE connection_id = ?
		AND state = 'active' AND erp_fp <> ext_fp ORDER BY id LIMIT ?`, connectionID, limit)
	if err != nil {
		return nil, db.mapErr(err, "mappings")
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
