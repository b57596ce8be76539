package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// IdempotentResponse is the first response to a write sent with an Idempotency-Key.
type IdempotentResponse struct {
	RequestHash string
	Status      int // 0 while the first request is still being handled
	Body        []byte
}

// ClaimIdempotencyKey claims (scope, key) for a request with hash. If the key was claimed
// before, it returns the stored response and claimed=false; the caller compares hashes.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string) (prev IdempotentResponse, claimed bool, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		var status int
		var body string
		e := tx.q().row(ctx, `SELECT request_hash, status, response_body FROM idempotency_keys WHERE scope = ? AND key = ?`,
			scope, key).Scan(&prev.RequestHash, &status, &body)
		switch {
		case e == nil:
			prev.Status, prev.Body = status, []byte(body)
			return nil
		case !errors.Is(e, sql.ErrNoRows):
			return e
		}
		_, e = tx.q().exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
			scope, key, hash, toMicros(db.Now()))
		claimed = e == nil
		return e
	})
	return prev, claimed, db.mapErr(err, "idempotency key")
}

// CompleteIdempotencyKey stores the response for a claimed key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, body []byte) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(`UPDATE idempotency_keys SET status = ?, response_body = ?
		WHERE scope = ? AND key = ?`), status, string(body), scope, key)
	return db.mapErr(err, "idempotency key")
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed on our side, so the
// client may retry it.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(`DELETE FROM idempotency_keys WHERE scope = ? AND key = ?`), scope, key)
	return db.mapErr(err, "idempotency key")
}

// PruneIdempotencyKeys forgets keys older than before (clients retry within hours, not days).
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.d.rebind(`DELETE FROM idempotency_keys WHERE created_at < ?`), toMicros(before))
	if err != nil {
		return 0, db.mapErr(err, "idempotency key")
	}
	return res.RowsAffected()
}
