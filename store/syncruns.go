package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Sync run statuses.
const (
	RunQueued      = "queued"
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// SyncRun is one pass of a connection's sync for one kind and direction.
type SyncRun struct {
	ID           string     `json:"id"`
	ConnectionID string     `json:"connection_id"`
	Kind         string     `json:"kind"`
	Direction    string     `json:"direction"`
	Full         bool       `json:"full"`
	Status       string     `json:"status"`
	Cancel       bool       `json:"cancel_requested"`
	Moved        int        `json:"moved"`
	Failed       int        `json:"failed"`
	Total        int        `json:"total"` // -1 when the service does not say
	Warning      string     `json:"warning,omitempty"`
	Error        string     `json:"error,omitempty"`
	StartedAt    time.Time  `json:"started_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
}

const runColumns = `id, connection_id, kind, direction, full_sync, status, cancel, moved, failed, total, warning, error, started_at, updated_at, finished_at`

func scanRun(s scanner) (SyncRun, error) {
	var r SyncRun
	var started, updated int64
	var finished sql.NullInt64
	err := s.Scan(&r.ID, &r.ConnectionID, &r.Kind, &r.Direction, &r.Full, &r.Status, &r.Cancel, &r.Moved, &r.Failed, &r.Total,
		&r.Warning, &r.Error, &started, &updated, &finished)
	r.StartedAt, r.UpdatedAt, r.FinishedAt = fromMicros(started), fromMicros(updated), fromNullMicros(finished)
	return r, err
}

// CreateSyncRun inserts r as queued.
func (tx *Tx) CreateSyncRun(ctx context.Context, r *SyncRun) error {
	now := tx.db.Now()
	if r.ID == "" {
		r.ID = NewID("run")
	}
	r.Status, r.StartedAt, r.UpdatedAt, r.Total = RunQueued, now, now, -1
	_, err := tx.q().exec(ctx, `INSERT INTO sync_runs (`+runColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ConnectionID, r.Kind, r.Direction, r.Full, r.Status, false, 0, 0, r.Total, "", "", toMicros(now), toMicros(now), nil)
	return tx.db.mapErr(err, "sync run")
}

// UpdateSyncRun writes a run's progress and outcome.
func (tx *Tx) UpdateSyncRun(ctx context.Context, r *SyncRun) error {
	r.UpdatedAt = tx.db.Now()
	_, err := tx.q().exec(ctx, `UPDATE sync_runs SET status = ?, moved = ?, failed = ?, total = ?, warning = ?, error = ?,
		updated_at = ?, finished_at = ? WHERE id = ?`, r.Status, r.Moved, r.Failed, r.Total, r.Warning, truncate(r.Error, 500),
		toMicros(r.UpdatedAt), nullMicros(r.FinishedAt), r.ID)
	return tx.db.mapErr(err, "sync run")
}

// GetSyncRun reads a run.
func (db *DB) GetSyncRun(ctx context.Context, id string) (SyncRun, error) {
	r, err := scanRun(db.reader().row(ctx, `SELECT `+runColumns+` FROM sync_runs WHERE id = ?`, id))
	return r, db.mapErr(err, "sync run")
}

// RequestRunCancel asks a running run to stop after its current page.
func (db *DB) RequestRunCancel(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(`UPDATE sync_runs SET cancel = ? WHERE id = ?`), true, id)
	return db.mapErr(err, "sync run")
}

// ListSyncRuns lists a connection's runs started since since, newest first.
func (db *DB) ListSyncRuns(ctx context.Context, connectionID string, since time.Time, limit int) ([]SyncRun, error) {
	rows, err := db.reader().query(ctx, `SELECT `+runColumns+` FROM sync_runs WHERE connection_id = ? AND started_at >= ?
		ORDER BY started_at DESC LIMIT ?`, connectionID, toMicros(since), limit)
	if err != nil {
		return nil, db.mapErr(err, "sync runs")
	}
	defer rows.Close()
	var out []SyncRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SyncCursor is a connection's checkpoint for one kind.
type SyncCursor struct {
	ConnectionID string
	Kind         string
	// Since is the high-water mark of the last finished pass: the next pass asks for
	// changes after it.
	Since time.Time
	// PageCursor, PassSince and PassHigh describe a pass in progress: the next page to
	// ask for, what the pass asked "since", and the newest change it has seen so far.
	PageCursor string
	PassSince  time.Time
	PassHigh   time.Time
}

// GetSyncCursor reads the checkpoint (zero when none).
func (tx *Tx) GetSyncCursor(ctx context.Context, connectionID, kind string) (SyncCursor, error) {
	c := SyncCursor{ConnectionID: connectionID, Kind: kind}
	var since, passSince, passHigh int64
	err := tx.q().row(ctx, `SELECT since, page_cursor, pass_since, pass_high FROM sync_cursors WHERE connection_id = ? AND kind = ?`,
		connectionID, kind).Scan(&since, &c.PageCursor, &passSince, &passHigh)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if since > 0 {
		c.Since = fromMicros(since)
	}
	if passSince > 0 {
		c.PassSince = fromMicros(passSince)
	}
	if passHigh > 0 {
		c.PassHigh = fromMicros(passHigh)
	}
	return c, tx.db.mapErr(err, "sync cursor")
}

// SaveSyncCursor writes the checkpoint inside the transaction of the page it follows.
func (tx *Tx) SaveSyncCursor(ctx context.Context, c SyncCursor) error {
	micros := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return toMicros(t)
	}
	_, err := tx.q().exec(ctx, `INSERT INTO sync_cursors (connection_id, kind, since, page_cursor, pass_since, pass_high, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, kind) DO UPDATE SET since = excluded.since,
		page_cursor = excluded.page_cursor, pass_since = excluded.pass_since, pass_high = excluded.pass_high, updated_at = excluded.updated_at`,
		c.ConnectionID, c.Kind, micros(c.Since), c.PageCursor, micros(c.PassSince), micros(c.PassHigh), toMicros(tx.db.Now()))
	return tx.db.mapErr(err, "sync cursor")
}

// RunSummary sums one direction of a connection's runs started in a window, for the Sync
// Dashboard.
type RunSummary struct {
	Direction string
	// Moved and Failed are the records of the runs started since the window's start;
	// RecentMoved and RecentFailed those of the runs started since recent.
	Moved, Failed             int
	RecentMoved, RecentFailed int
	// LastSuccessAt is when the newest succeeded run finished.
	LastSuccessAt *time.Time
	// LastError is the error of the first run that failed after the newest success ("" when
	// none did): the direction is failing.
	LastError string
	Failing   bool
	// Running is the oldest run of the window still queued or running.
	Running *SyncRun
}

// SummarizeSyncRuns sums a connection's runs started since since, per direction, with
// aggregates over the (connection_id, started_at) index range: no run is left out however
// many the window holds, and none is read into Go but the few the summary names.
func (db *DB) SummarizeSyncRuns(ctx context.Context, connectionID string, since, recent time.Time) (map[string]*RunSummary, error) {
	out := map[string]*RunSummary{}
	s, r := toMicros(since), toMicros(recent)
	rows, err := db.reader().query(ctx, `SELECT direction, COALESCE(SUM(moved), 0), COALESCE(SUM(failed), 0),
		COALESCE(SUM(CASE WHEN started_at >= ? THEN moved ELSE 0 END), 0), COALESCE(SUM(CASE WHEN started_at >= ? THEN failed ELSE 0 END), 0),
		MAX(CASE WHEN status = 'succeeded' THEN finished_at END), MAX(CASE WHEN status = 'succeeded' THEN started_at END)
		FROM sync_runs WHERE connection_id = ? AND started_at >= ? GROUP BY direction`, r, r, connectionID, s)
	if err != nil {
		return nil, db.mapErr(err, "sync runs")
	}
	lastStarted := map[string]int64{}
	for rows.Next() {
		var sum RunSummary
		var fin, started sql.NullInt64
		if err := rows.Scan(&sum.Direction, &sum.Moved, &sum.Failed, &sum.RecentMoved, &sum.RecentFailed, &fin, &started); err != nil {
			rows.Close()
			return nil, db.mapErr(err, "sync runs")
		}
		sum.LastSuccessAt = fromNullMicros(fin)
		lastStarted[sum.Direction] = s - 1
		if started.Valid {
			lastStarted[sum.Direction] = started.Int64
		}
		out[sum.Direction] = &sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(err, "sync runs")
	}
	for dir, sum := range out {
		// The first failure after the newest success, and the oldest run still going.
		var msg string
		err := db.reader().row(ctx, `SELECT error FROM sync_runs WHERE connection_id = ? AND started_at > ? AND direction = ?
			AND status = 'failed' ORDER BY started_at LIMIT 1`, connectionID, lastStarted[dir], dir).Scan(&msg)
		switch {
		case err == nil:
			sum.Failing, sum.LastError = true, msg
		case !errors.Is(err, sql.ErrNoRows):
			return nil, db.mapErr(err, "sync runs")
		}
		run, err := scanRun(db.reader().row(ctx, `SELECT `+runColumns+` FROM sync_runs WHERE connection_id = ? AND started_at >= ?
			AND direction = ? AND status IN ('queued', 'running') ORDER BY started_at LIMIT 1`, connectionID, s, dir))
		switch {
		case err == nil:
			sum.Running = &run
		case !errors.Is(err, sql.ErrNoRows):
			return nil, db.mapErr(err, "sync runs")
		}
	}
	return out, nil
}
