package store

import "context"

// JobCounts counts River's jobs by state with one grouped query over its table.
func (db *DB) JobCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := db.reader().query(ctx, `SELECT state, COUNT(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, db.mapErr(err, "jobs")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
