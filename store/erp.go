package store

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/concordhub/concord"
)

// ERPRecord is the ERP's canonical record of one product variant, stock level, order or
// fulfillment. Fields use the canonical field names of connector.SyncRecord. Every change
// makes a new version, kept in erp_record_versions.
type ERPRecord struct {
	EntityID string            `json:"entity_id"`
	Kind     string            `json:"kind"`
	ID       string            `json:"id"`
	Fields   map[string]string `json:"fields"`
	Version  int64             `json:"version"`
	// Source says who wrote the current version: "erp" (through the API) or "sync:<connection>".
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// lookupKey is the field ERP records are found by: a variant's SKU, an order's number.
func lookupKey(kind string, f map[string]string) string {
	switch kind {
	case "variant":
		return f["sku"]
	case "order":
		return f["number"]
	case "stock":
		return f["variant_id"] + "|" + f["location_id"]
	case "location":
		return f["name"]
	}
	return ""
}

// PutERPRecord writes r. When its fields differ from the stored version it stores a new
// version and returns the fields that changed (old, new); an unchanged write is a no-op.
func (tx *Tx) PutERPRecord(ctx context.Context, r *ERPRecord) (map[string][2]string, error) {
	if r.ID == "" {
		r.ID = NewID("rec")
	}
	prev, err := tx.GetERPRecord(ctx, r.EntityID, r.Kind, r.ID)
	exists := err == nil
	if err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
		return nil, err
	}
	changed := map[string][2]string{}
	for k, v := range r.Fields {
		if prev.Fields[k] != v {
			changed[k] = [2]string{prev.Fields[k], v}
		}
	}
	if exists && len(changed) == 0 {
		*r = prev
		return nil, nil
	}
	merged := map[string]string{}
	maps.Copy(merged, prev.Fields)
	maps.Copy(merged, r.Fields)
	r.Fields, r.Version, r.UpdatedAt = merged, prev.Version+1, tx.db.Now()
	body, _ := json.Marshal(merged)
	if exists {
		_, err = tx.q().exec(ctx, `UPDATE erp_records SET fields = ?, lookup_key = ?, version = ?, source = ?, updated_at = ?
			WHERE entity_id = ? AND kind = ? AND id = ?`, string(body), lookupKey(r.Kind, merged), r.Version, r.Source,
			toMicros(r.UpdatedAt), r.EntityID, r.Kind, r.ID)
	} else {
		_, err = tx.q().exec(ctx, `INSERT INTO erp_records (entity_id, kind, id, lookup_key, fields, version, source, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.EntityID, r.Kind, r.ID, lookupKey(r.Kind, merged), string(body), r.Version, r.Source, toMicros(r.UpdatedAt))
	}
	if err != nil {
		return nil, tx.db.mapErr(err, "erp record")
	}
	_, err = tx.q().exec(ctx, `INSERT INTO erp_record_versions (entity_id, kind, id, version, fields, source, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.EntityID, r.Kind, r.ID, r.Version, string(body), r.Source, toMicros(r.UpdatedAt))
	return changed, tx.db.mapErr(err, "erp record version")
}

const erpColumns = `entity_id, kind, id, fields, version, source, updated_at`

func scanERP(s scanner) (ERPRecord, error) {
	var r ERPRecord
	var fields string
	var updated int64
	if err := s.Scan(&r.EntityID, &r.Kind, &r.ID, &fields, &r.Version, &r.Source, &updated); err != nil {
		return r, err
	}
	r.UpdatedAt = fromMicros(updated)
	return r, json.Unmarshal([]byte(fields), &r.Fields)
}

// GetERPRecord reads one ERP record inside tx.
func (tx *Tx) GetERPRecord(ctx context.Context, entityID, kind, id string) (ERPRecord, error) {
	r, err := scanERP(tx.q().row(ctx, `SELECT `+erpColumns+` FROM erp_records WHERE entity_id = ? AND kind = ? AND id = ?`, entityID, kind, id))
	return r, tx.db.mapErr(err, "erp record")
}

// GetERPRecord reads one ERP record.
func (db *DB) GetERPRecord(ctx context.Context, entityID, kind, id string) (ERPRecord, error) {
	r, err := scanERP(db.reader().row(ctx, `SELECT `+erpColumns+` FROM erp_records WHERE entity_id = ? AND kind = ? AND id = ?`, entityID, kind, id))
	return r, db.mapErr(err, "erp record")
}

// FindERPRecords finds ERP records of a kind by their lookup key (a variant's SKU).
func (tx *Tx) FindERPRecords(ctx context.Context, entityID, kind, key string) ([]ERPRecord, error) {
	rows, err := tx.q().query(ctx, `SELECT `+erpColumns+` FROM erp_records WHERE entity_id = ? AND kind = ? AND lookup_key = ? ORDER BY id`,
		entityID, kind, key)
	if err != nil {
		return nil, tx.db.mapErr(err, "erp records")
	}
	defer rows.Close()
	var out []ERPRecord
	for rows.Next() {
		r, err := scanERP(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListERPRecords lists an entity's records of a kind in id order.
func (db *DB) ListERPRecords(ctx context.Context, entityID, kind string, p Page) ([]ERPRecord, string, error) {
	rows, err := db.reader().query(ctx, `SELECT `+erpColumns+` FROM erp_records WHERE entity_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?`,
		entityID, kind, p.Cursor, p.limit()+1)
	if err != nil {
		return nil, "", db.mapErr(err, "erp records")
	}
	defer rows.Close()
	var out []ERPRecord
	for rows.Next() {
		r, err := scanERP(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	out, next := trimPage(out, p.limit(), func(r ERPRecord) string { return r.ID })
	return out, next, rows.Err()
}

// ERPRecordVersions lists the versions of one record, newest first.
func (db *DB) ERPRecordVersions(ctx context.Context, entityID, kind, id string) ([]ERPRecord, error) {
	rows, err := db.reader().query(ctx, `SELECT entity_id, kind, id, fields, version, source, changed_at FROM erp_record_versions
		WHERE entity_id = ? AND kind = ? AND id = ? ORDER BY version DESC`, entityID, kind, id)
	if err != nil {
		return nil, db.mapErr(err, "erp record versions")
	}
	defer rows.Close()
	var out []ERPRecord
	for rows.Next() {
		r, err := scanERP(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
