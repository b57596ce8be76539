package store

import (
	"context"

	"github.com/concordhub/concord"
)

// Page asks for one page of a list: at most Limit rows after Cursor (an id).
type Page struct {
	Limit  int
	Cursor string
}

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > 500:
		return 500
	}
	return p.Limit
}

// CreateEntity inserts e, assigning ID and CreatedAt when empty.
func (tx *Tx) CreateEntity(ctx context.Context, e *concord.Entity) error {
	if e.ID == "" {
		e.ID = NewID("ent")
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.db.Now()
	}
	_, err := tx.q().exec(ctx, `INSERT INTO entities (id, name, mode, active, created_at) VALUES (?, ?, ?, ?, ?)`,
		e.ID, e.Name, string(e.Mode), e.Active, toMicros(e.CreatedAt))
	return tx.db.mapErr(err, "entity")
}

// SetEntityActive activates or deactivates an entity.
func (tx *Tx) SetEntityActive(ctx context.Context, id string, active bool) error {
	res, err := tx.q().exec(ctx, `UPDATE entities SET active = ? WHERE id = ?`, active, id)
	if err != nil {
		return tx.db.mapErr(err, "entity")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	return nil
}

// GetEntity reads one entity.
func (db *DB) GetEntity(ctx context.Context, id string) (concord.Entity, error) {
	return getEntity(ctx, db.reader(), id)
}

// GetEntity reads one entity inside the transaction.
func (tx *Tx) GetEntity(ctx context.Context, id string) (concord.Entity, error) {
	return getEntity(ctx, tx.q(), id)
}

func getEntity(ctx context.Context, q q, id string) (concord.Entity, error) {
	var e concord.Entity
	var mode string
	var created int64
	err := q.row(ctx, `SELECT id, name, mode, active, created_at FROM entities WHERE id = ?`, id).
		Scan(&e.ID, &e.Name, &mode, &e.Active, &created)
	if err != nil {
		return e, q.mapErr(err, "entity")
	}
	e.Mode, e.CreatedAt = concord.Mode(mode), fromMicros(created)
	return e, nil
}

// ListEntities lists entities in creation order; only ids in only when only is non-nil.
func (db *DB) ListEntities(ctx context.Context, only []string, p Page) ([]concord.Entity, string, error) {
	query := `SELECT id, name, mode, active, created_at FROM entities WHERE id > ?`
	args := []any{p.Cursor}
	if only != nil {
		if len(only) == 0 {
			return nil, "", nil
		}
		query += ` AND id IN (` + placeholders(len(only)) + `)`
		for _, id := range only {
			args = append(args, id)
		}
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, p.limit()+1)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, "", db.mapErr(err, "entities")
	}
	defer rows.Close()
	var out []concord.Entity
	for rows.Next() {
		var e concord.Entity
		var mode string
		var created int64
		if err := rows.Scan(&e.ID, &e.Name, &mode, &e.Active, &created); err != nil {
			return nil, "", db.mapErr(err, "entities")
		}
		e.Mode, e.CreatedAt = concord.Mode(mode), fromMicros(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.mapErr(err, "entities")
	}
	out, next := trimPage(out, p.limit(), func(e concord.Entity) string { return e.ID })
	return out, next, nil
}

// trimPage cuts the extra row fetched to learn whether there is a next page.
func trimPage[T any](rows []T, limit int, id func(T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, id(rows[len(rows)-1])
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}
