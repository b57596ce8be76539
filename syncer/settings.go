package syncer

import (
	"context"
	"slices"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// defaultInterval is how often the backup poll runs when neither Sync Settings nor the
// engine say.
const defaultInterval = 15 * time.Minute

func (e *Engine) interval() time.Duration {
	if e.DefaultInterval > 0 {
		return e.DefaultInterval
	}
	return defaultInterval
}

// Settings returns a connection's Sync Settings for every kind its connector syncs: stored
// values over the defaults (everything on, polled every 15 minutes).
func (e *Engine) Settings(ctx context.Context, connectionID string) ([]store.SyncSetting, error) {
	c, err := e.DB.GetConnection(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	stored, err := e.DB.SyncSettings(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	var kinds []string
	conn, _ := e.Svc.Registry.Get(c.Connector)
	if imp, ok := conn.(connector.Importer); ok {
		kinds = append(kinds, imp.SyncKinds()...)
	}
	if exp, ok := conn.(connector.Exporter); ok {
		for k := range exp.ExportFields() {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	out := make([]store.SyncSetting, 0, len(kinds))
	for _, k := range kinds {
		s, ok := stored[k]
		if !ok {
			s = store.SyncSetting{Kind: k, Inbound: true, Outbound: true, IntervalSeconds: int(e.interval().Seconds())}
		}
		out = append(out, s)
	}
	return out, nil
}

// PutSetting changes one kind's Sync Settings, audited.
func (e *Engine) PutSetting(ctx context.Context, actor, connectionID string, s store.SyncSetting) error {
	all, err := e.Settings(ctx, connectionID)
	if err != nil {
		return err
	}
	var before *store.SyncSetting
	for i := range all {
		if all[i].Kind == s.Kind {
			before = &all[i]
		}
	}
	if before == nil {
		return concord.Errorf(concord.EINVALID, "this connector does not sync %q", s.Kind)
	}
	if s.IntervalSeconds < 60 || s.IntervalSeconds > 7*24*3600 {
		return concord.Errorf(concord.EINVALID, "interval_seconds must be from 60 to 604800")
	}
	c, err := e.DB.GetConnection(ctx, connectionID)
	if err != nil {
		return err
	}
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutSyncSetting(ctx, connectionID, s); err != nil {
			return err
		}
		b, a, _ := audit.Diff(before, s)
		_, err := tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "sync_settings.put", Resource: "connection:" + connectionID,
			EntityID: c.EntityID, Outcome: audit.OutcomeOK, Before: b, After: a})
		return err
	})
}

// setting finds one kind's effective settings.
func (e *Engine) setting(ctx context.Context, connectionID, kind string) store.SyncSetting {
	all, err := e.Settings(ctx, connectionID)
	if err == nil {
		for _, s := range all {
			if s.Kind == kind {
				return s
			}
		}
	}
	return store.SyncSetting{Kind: kind, Inbound: true, Outbound: true, IntervalSeconds: int(e.interval().Seconds())}
}
