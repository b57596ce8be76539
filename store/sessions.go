package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/concordhub/concord"
)

// UISession is one dashboard sign-in. IDHash and TokenHash are SHA-256 digests: the store
// never holds the cookie value or the API token itself.
type UISession struct {
	IDHash     string
	TokenHash  string
	CSRF       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// CreateUISession stores a new session.
func (tx *Tx) CreateUISession(ctx context.Context, s UISession) error {
	_, err := tx.q().exec(ctx, `INSERT INTO ui_sessions (id_hash, token_hash, csrf, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, s.IDHash, s.TokenHash, s.CSRF, toMicros(s.CreatedAt), toMicros(s.ExpiresAt), toMicros(s.LastSeenAt))
	return tx.db.mapErr(err, "session")
}

// UISession reads a session by the hash of its id: ENOTFOUND when there is none.
// Expiry is the caller's to judge, against its own clock and idle limit.
func (db *DB) UISession(ctx context.Context, idHash string) (UISession, error) {
	var s UISession
	var created, expires, seen int64
	err := db.reader().row(ctx, `SELECT id_hash, token_hash, csrf, created_at, expires_at, last_seen_at
		FROM ui_sessions WHERE id_hash = ?`, idHash).Scan(&s.IDHash, &s.TokenHash, &s.CSRF, &created, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return UISession{}, &concord.Error{Code: concord.ENOTFOUND, Message: "session not found"}
	}
	if err != nil {
		return UISession{}, db.mapErr(err, "session")
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = fromMicros(created), fromMicros(expires), fromMicros(seen)
	return s, nil
}

// TouchUISession records activity on a session.
func (tx *Tx) TouchUISession(ctx context.Context, idHash string, at time.Time) error {
	_, err := tx.q().exec(ctx, `UPDATE ui_sessions SET last_seen_at = ? WHERE id_hash = ?`, toMicros(at), idHash)
	return tx.db.mapErr(err, "session")
}

// DeleteUISession ends a session (sign-out); ending one that is gone is not an error.
func (tx *Tx) DeleteUISession(ctx context.Context, idHash string) error {
	_, err := tx.q().exec(ctx, `DELETE FROM ui_sessions WHERE id_hash = ?`, idHash)
	return tx.db.mapErr(err, "session")
}

// PurgeUISessions deletes sessions that expired before before, or were idle since idleBefore.
func (tx *Tx) PurgeUISessions(ctx context.Context, before, idleBefore time.Time) (int64, error) {
	res, err := tx.q().exec(ctx, `DELETE FROM ui_sessions WHERE expires_at < ? OR last_seen_at < ?`,
		toMicros(before), toMicros(idleBefore))
	if err != nil {
		return 0, tx.db.mapErr(err, "sessions")
	}
	return res.RowsAffected()
}
