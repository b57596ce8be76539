package store

import "context"

// CountCap is where the dashboard stops counting: a page that shows "10,000+" reads at
// most that many index entries per figure, however many mappings a connection has.
const CountCap = 10_000

// CountMappingsCapped counts a connection's mappings in each state, stopping at limit+1:
// a figure above limit means "more than limit". Each count reads at most limit+1 entries
// of the (connection_id, state) index.
func (db *DB) CountMappingsCapped(ctx context.Context, connectionID string, states []string, limit int) (map[string]int, error) {
	out := make(map[string]int, len(states))
	for _, st := range states {
		var n int
		if err := db.reader().row(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM mappings WHERE connection_id = ? AND state = ? LIMIT ?) capped`,
			connectionID, st, limit+1).Scan(&n); err != nil {
			return nil, db.mapErr(err, "mappings")
		}
		out[st] = n
	}
	return out, nil
}
