package store

import (
	"context"
	"encoding/json"
)

// RecordKey names one record of a kind.
type RecordKey struct{ Kind, ID string }

// RecordFields reads the fields of many records in one query per kind, for pages that
// name a page of mappings: side "external" reads the connection's stored reports
// (sync_records), side "erp" the entity's ERP records. Missing records are left out.
func (db *DB) RecordFields(ctx context.Context, side, owner string, keys []RecordKey) (map[RecordKey]map[string]string, error) {
	table, ownerCol, idCol := "sync_records", "connection_id", "external_id"
	if side == "erp" {
		table, ownerCol, idCol = "erp_records", "entity_id", "id"
	}
	byKind := map[string][]string{}
	for _, k := range keys {
		byKind[k.Kind] = append(byKind[k.Kind], k.ID)
	}
	out := make(map[RecordKey]map[string]string, len(keys))
	for kind, ids := range byKind {
		args := []any{owner, kind}
		for _, id := range ids {
			args = append(args, id)
		}
		// The primary key (owner, kind, id) serves each lookup.
		rows, err := db.reader().query(ctx, `SELECT `+idCol+`, fields FROM `+table+` WHERE `+ownerCol+` = ? AND kind = ? AND `+
			idCol+` IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return nil, db.mapErr(err, "records")
		}
		for rows.Next() {
			var id, raw string
			if err := rows.Scan(&id, &raw); err != nil {
				rows.Close()
				return nil, db.mapErr(err, "records")
			}
			var f map[string]string
			if json.Unmarshal([]byte(raw), &f) == nil {
				out[RecordKey{kind, id}] = f
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, db.mapErr(err, "records")
		}
	}
	return out, nil
}
