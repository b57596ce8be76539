package syncer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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

// activityTTL is how old the chart may be. Its bars are hours, and computing them reads a
// day of events and changes per connection, so operators watching the same entity share
// one computation at most this often.
const activityTTL = 30 * time.Second

// activityCache keeps recent charts by entity, direction and hours; concurrent requests for
// the same chart wait for one computation instead of each running it.
type activityCache struct {
	mu      sync.Mutex
	entries map[string]activityEntry
	group   singleflight.Group
}

type activityEntry struct {
	at    time.Time
	hours []Hour
}

// Activity is the hourly activity of an entity's connections over the last hours hours,
// oldest first, every hour present (a quiet hour is zeros), for the given direction filter
// (all, inbound, outbound: the other direction's counts stay zero). The answer may be up to
// activityTTL old.
func (e *Engine) Activity(ctx context.Context, entityID, direction string, hours int) ([]Hour, error) {
	if direction == "" {
		direction = "all"
	}
	key := fmt.Sprintf("%s|%s|%d", entityID, direction, hours)
	c := &e.activity
	c.mu.Lock()
	if en, ok := c.entries[key]; ok && time.Since(en.at) < activityTTL {
		c.mu.Unlock()
		return en.hours, nil
	}
	c.mu.Unlock()
	v, err, _ := c.group.Do(key, func() (any, error) {
		// One caller computes for all: its cancellation must not fail the others.
		out, err := e.activityNow(context.WithoutCancel(ctx), entityID, direction, hours)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.entries == nil || len(c.entries) > 1000 {
			c.entries = map[string]activityEntry{}
		}
		c.entries[key] = activityEntry{at: time.Now(), hours: out}
		c.mu.Unlock()
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]Hour), nil
}

// activityNow computes the chart from the store.
func (e *Engine) activityNow(ctx context.Context, entityID, direction string, hours int) ([]Hour, error) {
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
