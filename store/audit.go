package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
)

const auditColumns = `seq, time, actor, action, resource, entity_id, outcome, before, after, detail, prev_hash, hash`

// AppendAudit appends e to the audit hash chain inside tx, so the change and its audit entry
// commit together or not at all. It returns the entry as stored (Seq, PrevHash, Hash set).
func (tx *Tx) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	if err := tx.db.d.lock(ctx, tx.tx, lockAuditChain); err != nil {
		return e, tx.db.mapErr(err, "audit")
	}
	if e.Time.IsZero() {
		e.Time = tx.db.Now()
	}
	e.Time = e.Time.UTC().Truncate(1000)
	var prev *audit.Entry
	head, err := scanAudit(tx.q().row(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	switch {
	case err == nil:
		prev = &head
	case !errors.Is(err, sql.ErrNoRows):
		return e, tx.db.mapErr(err, "audit")
	}
	e = audit.Chain(prev, e)
	_, err = tx.q().exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, toMicros(e.Time), e.Actor, e.Action, e.Resource, e.EntityID, e.Outcome,
		string(e.Before), string(e.After), e.Detail, e.PrevHash, e.Hash)
	return e, tx.db.mapErr(err, "audit")
}

// AppendAudit appends one entry in its own transaction (for outcomes such as a refused
// request, where there is no other change to commit with it).
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var out audit.Entry
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.AppendAudit(ctx, e)
		return err
	})
	return out, err
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	EntityIDs []string // nil: every entry; otherwise only entries of these entities
	Resource  string
	// Action keeps the entries whose action is this one or starts with it and a dot
	// ("connection" matches "connection.test").
	Action string
}

// ListAudit lists audit entries newest first; the cursor is the last seq seen.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, p Page) ([]audit.Entry, string, error) {
	query := `SELECT ` + auditColumns + ` FROM audit_log WHERE 1 = 1`
	var args []any
	if p.Cursor != "" {
		seq, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil {
			return nil, "", concord.Errorf(concord.EINVALID, "invalid cursor")
		}
		query += ` AND seq < ?`
		args = append(args, seq)
	}
	if f.EntityIDs != nil {
		if len(f.EntityIDs) == 0 {
			return nil, "", nil
		}
		query += ` AND entity_id IN (` + placeholders(len(f.EntityIDs)) + `)`
		for _, id := range f.EntityIDs {
			args = append(args, id)
		}
	}
	if f.Resource != "" {
		query += ` AND resource = ?`
		args = append(args, f.Resource)
	}
	if f.Action != "" {
		query += ` AND (action = ? OR action LIKE ? ESCAPE '\')`
		args = append(args, f.Action, strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Action)+".%")
	}
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, p.limit()+1)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, "", db.mapErr(err, "audit")
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p.limit(), func(e audit.Entry) string { return strconv.FormatInt(e.Seq, 10) })
	return out, next, nil
}

// WalkAudit calls fn for every entry in chain order, streaming, for `concord audit verify`.
func (db *DB) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	rows, err := db.reader().query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return db.mapErr(err, "audit")
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanAudit(s scanner) (audit.Entry, error) {
	var e audit.Entry
	var t int64
	var before, after string
	err := s.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Resource, &e.EntityID, &e.Outcome,
		&before, &after, &e.Detail, &e.PrevHash, &e.Hash)
	if err != nil {
		return e, err
	}
	e.Time = fromMicros(t)
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return e, nil
}
