package syncer

import (
	"context"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// Hour is one bar of the Sync Dashboard's activity chart: what moved and failed in one
// clock hour, per direction, across an entity's connections.
type Hour struct {
	Start          time.Time `json:"start"`
	InboundMoved   int       `json:"inbound_moved"`
	InboundFailed  int       `json:"inbound_failed"`
	OutboundMoved  int       `json:"outbound_moved"`
	OutboundFailed int       `json:"outbound_failed"`
}

// Activity is the hourly activity of an entity's connections over the last hours hours,
// oldest first, every hour present (a quiet hour is zeros), for the given direction filter
// (all, inbound, outbound: the other direction's counts stay zero).
func (e *Engine) Activity(ctx context.Context, entityID, direction string, hours int) ([]Hour, error) {
	if direction == "" {
		direction = "all"
	}
	if direction != "all" && direction != Inbound && direction != Outbound {
		return nil, concord.Errorf(concord.EINVALID, "direction must be all, inbound or outbound")
	}
	if hours < 1 || hours > 24*14 {
		return nil, concord.Errorf(concord.EINVALID, "hours must be 1 to 336")
	}
	now := e.DB.Now().UTC()
	first := now.Truncate(time.Hour).Add(-time.Duration(hours-1) * time.Hour)
	out := make([]Hour, hours)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * time.Hour)
	}
	conns, _, err := e.DB.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{entityID}}, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		acts, err := e.DB.Activity(ctx, c.ID, first)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			i := int(a.Hour.Sub(first) / time.Hour)
			if i < 0 || i >= hours || (direction != "all" && direction != a.Direction) {
				continue
			}
			if a.Direction == Inbound {
				out[i].InboundMoved += a.Moved
				out[i].InboundFailed += a.Failed
			} else {
				out[i].OutboundMoved += a.Moved
				out[i].OutboundFailed += a.Failed
			}
		}
	}
	return out, nil
}
