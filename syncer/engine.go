package syncer

import (
	"context"
	"log/slog"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
)

// Engine is the sync engine.
type Engine struct {
	DB   *store.DB
	Svc  *connections.Service
	Jobs *jobs.Queue
	Log  *slog.Logger
	// DefaultInterval is the backup-poll interval when Sync Settings do not say (15 minutes
	// when zero).
	DefaultInterval time.Duration

	activity activityCache // the Sync Dashboard chart's recent answers (activity.go)
}

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// conn is what the inbound pipeline needs to know about a connection.
type conn struct {
	c        concord.Connection
	entity   concord.Entity
	policies Policies
	// delivered marks records announced by webhook (possibly stale) rather than read.
	delivered bool
}

func (e *Engine) loadConn(ctx context.Context, id string) (conn, error) {
	c, err := e.DB.GetConnection(ctx, id)
	if err != nil {
		return conn{}, err
	}
	entity, err := e.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return conn{}, err
	}
	p, err := LoadPolicies(ctx, e.DB, id)
	if err != nil {
		return conn{}, err
	}
	return conn{c: c, entity: entity, policies: p}, nil
}

// Tally counts what an inbound batch did.
type Tally struct {
	Applied      int      `json:"applied"`
	Unchanged    int      `json:"unchanged"`
	Skipped      int      `json:"skipped"`
	Drifts       int      `json:"drifts"`
	AutoResolved int      `json:"auto_resolved"`
	Stale        int      `json:"stale"`
	Suggested    int      `json:"suggested"`
	Unmapped     int      `json:"unmapped"`
	Problems     []string `json:"problems,omitempty"`
}

func (t *Tally) problem(s string) {
	t.Skipped++
	if len(t.Problems) < 50 {
		t.Problems = append(t.Problems, s)
	}
}
