package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/concordhub/concord/connector"
)

// UpsertObject stores o unless a report of the same object with a higher or equal version
// is stored already: an older event delivered late never overwrites newer state.
func (tx *Tx) UpsertObject(ctx context.Context, o connector.Object) (bool, error) {
	if len(o.Data) == 0 {
		o.Data = json.RawMessage(`{}`)
	}
	now := tx.db.Now()
	res, err := tx.q().exec(ctx, `INSERT INTO external_objects (connection_id, kind, external_id, status, version, data, due_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind, external_id) DO UPDATE SET status = excluded.status, version = excluded.version,
			data = excluded.data, due_at = excluded.due_at, updated_at = excluded.updated_at
		WHERE external_objects.version < excluded.version`,
		o.ConnectionID, o.Kind, o.ExternalID, o.Status, o.Version, string(o.Data), nullMicros(o.DueAt), toMicros(now))
	if err != nil {
		return false, tx.db.mapErr(err, "external object")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ObjectsFor binds the connection's objects to tx for an event handler.
func (tx *Tx) ObjectsFor(connectionID string) connector.ObjectStore {
	return objectStore{tx: tx, connectionID: connectionID}
}

type objectStore struct {
	tx           *Tx
	connectionID string
}

func (s objectStore) UpsertObject(ctx context.Context, o connector.Object) (bool, error) {
	o.ConnectionID = s.connectionID // a handler cannot write another connection's objects
	return s.tx.UpsertObject(ctx, o)
}

// ListObjects lists a connection's objects of one kind ("" for all).
func (db *DB) ListObjects(ctx context.Context, connectionID, kind string) ([]connector.Object, error) {
	query := `SELECT connection_id, kind, external_id, status, version, data, due_at, updated_at FROM external_objects WHERE connection_id = ?`
	args := []any{connectionID}
	if kind != "" {
		query += ` AND kind = ?`
		args = append(args, kind)
	}
	rows, err := db.reader().query(ctx, query+` ORDER BY kind, external_id`, args...)
	if err != nil {
		return nil, db.mapErr(err, "external objects")
	}
	defer rows.Close()
	var out []connector.Object
	for rows.Next() {
		var o connector.Object
		var data string
		var due sql.NullInt64
		var updated int64
		if err := rows.Scan(&o.ConnectionID, &o.Kind, &o.ExternalID, &o.Status, &o.Version, &data, &due, &updated); err != nil {
			return nil, err
		}
		o.Data, o.DueAt, o.UpdatedAt = json.RawMessage(data), fromNullMicros(due), fromMicros(updated)
		out = append(out, o)
	}
	return out, rows.Err()
}
