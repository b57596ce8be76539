package syncer

import (
	"context"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// Flow states of the Sync Dashboard.
const (
	OnTime  = "on_time"
	Delayed = "delayed"
	Failing = "failing"
	Idle    = "idle"
)

// delayedAfter is the lag past which a direction is behind.
const delayedAfter = 15 * time.Minute

// Window counts what moved in a recent window.
type Window struct {
	Moved  int `json:"moved"`
	Failed int `json:"failed"`
}

// Flow is one connection's one direction on the Sync Dashboard.
type Flow struct {
	ConnectionID  string            `json:"connection_id"`
	Connector     string            `json:"connector"`
	Direction     string            `json:"direction"`
	State         string            `json:"state"`
	LastSuccessAt *time.Time        `json:"last_success_at"`
	Windows       map[string]Window `json:"windows"` // "1h", "24h"
	Backlog       int               `json:"backlog"`
	LagSeconds    float64           `json:"lag_seconds"`
	LastError     string            `json:"last_error,omitempty"`
	Running       *store.SyncRun    `json:"running,omitempty"`
}

// Dashboard is GET /v1/entities/{id}/sync.
type Dashboard struct {
	EntityID string `json:"entity_id"`
	Flows    []Flow `json:"flows"`
}

// Dashboard builds the Sync Dashboard of an entity for a direction (all, inbound, outbound).
func (e *Engine) Dashboard(ctx context.Context, entityID, direction string) (Dashboard, error) {
	if direction == "" {
		direction = "all"
	}
	if direction != "all" && direction != Inbound && direction != Outbound {
		return Dashboard{}, concord.Errorf(concord.EINVALID, "direction must be all, inbound or outbound")
	}
	conns, _, err := e.DB.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{entityID}}, store.Page{Limit: 500})
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{EntityID: entityID, Flows: []Flow{}}
	now := e.DB.Now()
	for _, c := range conns {
		var sums map[string]*store.RunSummary // both directions' runs, read once
		for _, dir := range []string{Inbound, Outbound} {
			if direction != "all" && direction != dir {
				continue
			}
			f, ok, err := e.flow(ctx, c, dir, now, &sums)
			if err != nil {
				return Dashboard{}, err
			}
			if ok {
				d.Flows = append(d.Flows, f)
			}
		}
	}
	return d, nil
}

// flow is one direction of a connection. Its runs of the last 24 hours are summed by the
// database (*sums, read on first use); the backlog comes from the webhook or outbox indexes.
func (e *Engine) flow(ctx context.Context, c concord.Connection, dir string, now time.Time, sums *map[string]*store.RunSummary) (Flow, bool, error) {
	conn, ok := e.Svc.Registry.Get(c.Connector)
	if !ok {
		return Flow{}, false, nil
	}
	_, imports := conn.(interface{ SyncKinds() []string })
	_, exports := conn.(interface{ MaxBatch() int })
	if (dir == Inbound && !imports) || (dir == Outbound && !exports) {
		return Flow{}, false, nil
	}
	f := Flow{ConnectionID: c.ID, Connector: c.Connector, Direction: dir, Windows: map[string]Window{}}
	if *sums == nil {
		var err error
		if *sums, err = e.DB.SummarizeSyncRuns(ctx, c.ID, now.Add(-24*time.Hour), now.Add(-time.Hour)); err != nil {
			return f, false, err
		}
	}
	failingRecently := false
	f.Windows["1h"], f.Windows["24h"] = Window{}, Window{}
	if sum := (*sums)[dir]; sum != nil {
		f.Windows["1h"] = Window{Moved: sum.RecentMoved, Failed: sum.RecentFailed}
		f.Windows["24h"] = Window{Moved: sum.Moved, Failed: sum.Failed}
		f.LastSuccessAt, f.Running = sum.LastSuccessAt, sum.Running
		failingRecently, f.LastError = sum.Failing, sum.LastError
	}
	var oldest *time.Time
	if dir == Inbound {
		n, err := e.DB.WebhookBacklog(ctx, c.ID)
		if err != nil {
			return f, false, err
		}
		f.Backlog = n
		if f.Running != nil {
			oldest = &f.Running.StartedAt
		}
	} else {
		st, err := e.DB.OutboxStats(ctx, c.ID, now.Add(-time.Hour))
		if err != nil {
			return f, false, err
		}
		f.Backlog, oldest = st.Pending, st.OldestPending
		w := f.Windows["1h"]
		w.Moved, w.Failed = max(w.Moved, st.SentSince), max(w.Failed, st.FailedSince)
		f.Windows["1h"] = w
		if st.FailedSince > 0 {
			failingRecently = true
			if f.LastError == "" { // no failed run says why: the refused change does
				if f.LastError, err = e.DB.LastOutboxFailure(ctx, c.ID); err != nil {
					return f, false, err
				}
			}
		}
	}
	if oldest != nil {
		f.LagSeconds = now.Sub(*oldest).Seconds()
	}
	switch {
	case c.State == concord.StateDisconnected:
		f.State = Idle
	case failingRecently:
		f.State = Failing
	case f.LagSeconds > delayedAfter.Seconds():
		f.State = Delayed
	default:
		f.State = OnTime
	}
	return f, true, nil
}
