package store

import "context"

// SyncSetting is a connection's Sync Settings for one record kind: which directions move
// and how often the backup poll runs.
type SyncSetting struct {
	Kind            string `json:"kind"`
	Inbound         bool   `json:"inbound"`
	Outbound        bool   `json:"outbound"`
	IntervalSeconds int    `json:"interval_seconds"`
}

// SyncSettings reads a connection's stored settings by kind (defaults live with the engine).
func (db *DB) SyncSettings(ctx context.Context, connectionID string) (map[string]SyncSetting, error) {
	rows, err := db.reader().query(ctx, `SELECT kind, inbound, outbound, interval_seconds FROM sync_settings WHERE connection_id = ?`, connectionID)
	if err != nil {
		return nil, db.mapErr(err, "sync settings")
	}
	defer rows.Close()
	out := map[string]SyncSetting{}
	for rows.Next() {
		var s SyncSetting
		if err := rows.Scan(&s.Kind, &s.Inbound, &s.Outbound, &s.IntervalSeconds); err != nil {
			return nil, err
		}
		out[s.Kind] = s
	}
	return out, rows.Err()
}

// PutSyncSetting stores one kind's settings.
func (tx *Tx) PutSyncSetting(ctx context.Context, connectionID string, s SyncSetting) error {
	_, err := tx.q().exec(ctx, `INSERT INTO sync_settings (connection_id, kind, inbound, outbound, interval_seconds) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, kind) DO UPDATE SET inbound = excluded.inbound, outbound = excluded.outbound,
		interval_seconds = excluded.interval_seconds`, connectionID, s.Kind, s.Inbound, s.Outbound, s.IntervalSeconds)
	return tx.db.mapErr(err, "sync settings")
}
