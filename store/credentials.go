package store

import (
	"context"
)

// SealedCredential is one credential field as stored: sealed by the vault, never in clear.
type SealedCredential struct {
	ConnectionID string
	Field        string
	Sealed       string
}

// PutCredentials replaces the connection's credentials with creds (field -> sealed value).
func (tx *Tx) PutCredentials(ctx context.Context, connectionID string, sealed map[string]string) error {
	if _, err := tx.q().exec(ctx, `DELETE FROM credentials WHERE connection_id = ?`, connectionID); err != nil {
		return tx.db.mapErr(err, "credentials")
	}
	now := toMicros(tx.db.Now())
	for field, s := range sealed {
		if _, err := tx.q().exec(ctx, `INSERT INTO credentials (connection_id, field, sealed, updated_at) VALUES (?, ?, ?, ?)`,
			connectionID, field, s, now); err != nil {
			return tx.db.mapErr(err, "credentials")
		}
	}
	return nil
}

// DeleteCredentials destroys the connection's credentials and reports how many were removed.
func (tx *Tx) DeleteCredentials(ctx context.Context, connectionID string) (int64, error) {
	res, err := tx.q().exec(ctx, `DELETE FROM credentials WHERE connection_id = ?`, connectionID)
	if err != nil {
		return 0, tx.db.mapErr(err, "credentials")
	}
	return res.RowsAffected()
}

// Credentials returns the connection's sealed credentials, field -> sealed value.
func (db *DB) Credentials(ctx context.Context, connectionID string) (map[string]string, error) {
	return credentials(ctx, db.reader(), connectionID)
}

// Credentials reads the sealed credentials inside the transaction.
func (tx *Tx) Credentials(ctx context.Context, connectionID string) (map[string]string, error) {
	return credentials(ctx, tx.q(), connectionID)
}

func credentials(ctx context.Context, q q, connectionID string) (map[string]string, error) {
	rows, err := q.query(ctx, `SELECT field, sealed FROM credentials WHERE connection_id = ?`, connectionID)
	if err != nil {
		return nil, q.mapErr(err, "credentials")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var f, s string
		if err := rows.Scan(&f, &s); err != nil {
			return nil, err
		}
		out[f] = s
	}
	return out, rows.Err()
}

// AllCredentials returns every sealed credential, for key rotation inside tx.
func (tx *Tx) AllCredentials(ctx context.Context) ([]SealedCredential, error) {
	rows, err := tx.q().query(ctx, `SELECT connection_id, field, sealed FROM credentials ORDER BY connection_id, field`)
	if err != nil {
		return nil, tx.db.mapErr(err, "credentials")
	}
	defer rows.Close()
	var out []SealedCredential
	for rows.Next() {
		var c SealedCredential
		if err := rows.Scan(&c.ConnectionID, &c.Field, &c.Sealed); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateSealed rewrites one sealed value (key rotation).
func (tx *Tx) UpdateSealed(ctx context.Context, c SealedCredential) error {
	_, err := tx.q().exec(ctx, `UPDATE credentials SET sealed = ?, updated_at = ? WHERE connection_id = ? AND field = ?`,
		c.Sealed, toMicros(tx.db.Now()), c.ConnectionID, c.Field)
	return tx.db.mapErr(err, "credentials")
}
