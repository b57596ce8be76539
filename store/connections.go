package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/concordhub/concord"
)

const connectionColumns = `id, entity_id, connector, mode, state, state_reason, state_detail, account_id, config,
	last_activity_at, last_tested_at, disconnected_at, credentials_purge_at, created_at, updated_at`

// CreateConnection inserts c, assigning ID and times when empty.
func (tx *Tx) CreateConnection(ctx context.Context, c *concord.Connection) error {
	now := tx.db.Now()
	if c.ID == "" {
		c.ID = NewID("con")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = now
	cfg, err := json.Marshal(nonNil(c.Config))
	if err != nil {
		return err
	}
	_, err = tx.q().exec(ctx, `INSERT INTO connections (`+connectionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.EntityID, c.Connector, string(c.Mode), string(c.State), c.StateReason, c.StateDetail, c.AccountID, string(cfg),
		nullMicros(c.LastActivityAt), nullMicros(c.LastTestedAt), nullMicros(c.DisconnectedAt),
		nullMicros(c.CredentialsPurgeAt), toMicros(c.CreatedAt), toMicros(c.UpdatedAt))
	return tx.db.mapErr(err, "connection")
}

// UpdateConnection writes every mutable field of c.
func (tx *Tx) UpdateConnection(ctx context.Context, c *concord.Connection) error {
	c.UpdatedAt = tx.db.Now()
	cfg, err := json.Marshal(nonNil(c.Config))
	if err != nil {
		return err
	}
	res, err := tx.q().exec(ctx, `UPDATE connections SET mode = ?, state = ?, state_reason = ?, state_detail = ?, account_id = ?,
		config = ?, last_activity_at = ?, last_tested_at = ?, disconnected_at = ?, credentials_purge_at = ?,
		updated_at = ? WHERE id = ?`,
		string(c.Mode), string(c.State), c.StateReason, c.StateDetail, c.AccountID, string(cfg),
		nullMicros(c.LastActivityAt), nullMicros(c.LastTestedAt), nullMicros(c.DisconnectedAt),
		nullMicros(c.CredentialsPurgeAt), toMicros(c.UpdatedAt), c.ID)
	if err != nil {
		return tx.db.mapErr(err, "connection")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "connection not found"}
	}
	return nil
}

// TouchConnection records activity on a connection without rewriting the row otherwise.
func (db *DB) TouchConnection(ctx context.Context, id string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(`UPDATE connections SET last_activity_at = ?
		WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)`), toMicros(at), id, toMicros(at))
	return db.mapErr(err, "connection")
}

// GetConnection reads one connection (without credentials).
func (db *DB) GetConnection(ctx context.Context, id string) (concord.Connection, error) {
	return getConnection(ctx, db.reader(), id)
}

// GetConnection reads one connection inside the transaction.
func (tx *Tx) GetConnection(ctx context.Context, id string) (concord.Connection, error) {
	return getConnection(ctx, tx.q(), id)
}

func getConnection(ctx context.Context, q q, id string) (concord.Connection, error) {
	c, err := scanConnection(q.row(ctx, `SELECT `+connectionColumns+` FROM connections WHERE id = ?`, id))
	return c, q.mapErr(err, "connection")
}

// ConnectionFilter narrows ListConnections.
type ConnectionFilter struct {
	EntityIDs []string // nil: all entities
	Connector string
}

// ListConnections lists connections in creation order.
func (db *DB) ListConnections(ctx context.Context, f ConnectionFilter, p Page) ([]concord.Connection, string, error) {
	query := `SELECT ` + connectionColumns + ` FROM connections WHERE id > ?`
	args := []any{p.Cursor}
	if f.EntityIDs != nil {
		if len(f.EntityIDs) == 0 {
			return nil, "", nil
		}
		query += ` AND entity_id IN (` + placeholders(len(f.EntityIDs)) + `)`
		for _, id := range f.EntityIDs {
			args = append(args, id)
		}
	}
	if f.Connector != "" {
		query += ` AND connector = ?`
		args = append(args, f.Connector)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, p.limit()+1)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, "", db.mapErr(err, "connections")
	}
	defer rows.Close()
	var out []concord.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, "", db.mapErr(err, "connections")
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.mapErr(err, "connections")
	}
	out, next := trimPage(out, p.limit(), func(c concord.Connection) string { return c.ID })
	return out, next, nil
}

// ConnectionsToPurge lists disconnected connections whose credential recovery window ended.
func (db *DB) ConnectionsToPurge(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := db.reader().query(ctx, `SELECT id FROM connections
		WHERE credentials_purge_at IS NOT NULL AND credentials_purge_at <= ? AND state = ? ORDER BY id`,
		toMicros(now), string(concord.StateDisconnected))
	if err != nil {
		return nil, db.mapErr(err, "connections")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanConnection(s scanner) (concord.Connection, error) {
	var c concord.Connection
	var mode, state, cfg string
	var lastAct, lastTest, disc, purge sql.NullInt64
	var created, updated int64
	err := s.Scan(&c.ID, &c.EntityID, &c.Connector, &mode, &state, &c.StateReason, &c.StateDetail, &c.AccountID, &cfg,
		&lastAct, &lastTest, &disc, &purge, &created, &updated)
	if err != nil {
		return c, err
	}
	c.Mode, c.State = concord.Mode(mode), concord.State(state)
	c.Config = map[string]string{}
	if err := json.Unmarshal([]byte(cfg), &c.Config); err != nil {
		return c, err
	}
	c.LastActivityAt, c.LastTestedAt = fromNullMicros(lastAct), fromNullMicros(lastTest)
	c.DisconnectedAt, c.CredentialsPurgeAt = fromNullMicros(disc), fromNullMicros(purge)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
