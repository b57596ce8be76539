package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/concordhub/concord"
)

// APIKey is a stored API token: only the SHA-256 of the token is kept.
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	EntityIDs []string   `json:"entity_ids"`
	TokenHash string     `json:"-"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateAPIKey inserts k, assigning ID and CreatedAt when empty.
func (tx *Tx) CreateAPIKey(ctx context.Context, k *APIKey) error {
	if k.ID == "" {
		k.ID = NewID("ak")
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = tx.db.Now()
	}
	if k.EntityIDs == nil {
		k.EntityIDs = []string{}
	}
	ids, _ := json.Marshal(k.EntityIDs)
	_, err := tx.q().exec(ctx, `INSERT INTO api_keys (id, name, role, entity_ids, token_hash, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, k.Name, k.Role, string(ids), k.TokenHash, k.CreatedBy, toMicros(k.CreatedAt))
	return tx.db.mapErr(err, "api key")
}

// RevokeAPIKey marks a key revoked; it stops working at once.
func (tx *Tx) RevokeAPIKey(ctx context.Context, id string) error {
	res, err := tx.q().exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		toMicros(tx.db.Now()), id)
	if err != nil {
		return tx.db.mapErr(err, "api key")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "api key not found"}
	}
	return nil
}

// GetAPIKey reads a key by id.
func (tx *Tx) GetAPIKey(ctx context.Context, id string) (APIKey, error) {
	k, err := scanAPIKey(tx.q().row(ctx, `SELECT id, name, role, entity_ids, token_hash, created_by, created_at, revoked_at
		FROM api_keys WHERE id = ?`, id))
	return k, tx.db.mapErr(err, "api key")
}

// ListAPIKeys lists keys newest first, at most limit (the token hashes stay unread).
func (db *DB) ListAPIKeys(ctx context.Context, limit int) ([]APIKey, error) {
	rows, err := db.reader().query(ctx, `SELECT id, name, role, entity_ids, '', created_by, created_at, revoked_at
		FROM api_keys ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, db.mapErr(err, "api keys")
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, db.mapErr(err, "api keys")
		}
		out = append(out, k)
	}
	return out, db.mapErr(rows.Err(), "api keys")
}

// APIKeyByHash finds a key by its token hash.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (APIKey, error) {
	k, err := scanAPIKey(db.reader().row(ctx, `SELECT id, name, role, entity_ids, token_hash, created_by, created_at, revoked_at
		FROM api_keys WHERE token_hash = ?`, hash))
	return k, db.mapErr(err, "api key")
}

func scanAPIKey(s scanner) (APIKey, error) {
	var k APIKey
	var ids string
	var created int64
	var revoked sql.NullInt64
	if err := s.Scan(&k.ID, &k.Name, &k.Role, &ids, &k.TokenHash, &k.CreatedBy, &created, &revoked); err != nil {
		return k, err
	}
	if err := json.Unmarshal([]byte(ids), &k.EntityIDs); err != nil {
		return k, err
	}
	k.CreatedAt, k.RevokedAt = fromMicros(created), fromNullMicros(revoked)
	return k, nil
}
