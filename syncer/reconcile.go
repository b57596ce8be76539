package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// reconcile compares the mapped record's compared fields on both sides. Where they differ:
// a pending ERP change on its way out is left alone; a field the service owns (with
// automatic resolution) is pulled into the ERP and logged; anything else opens a drift with
// both values and its cause. Fingerprints are refreshed so the full scan stays cheap.
func (e *Engine) reconcile(ctx context.Context, tx *store.Tx, c conn, m *store.Mapping, erp store.ERPRecord,
	ext, prevExt map[string]string, t *Tally) error {
	compared := c.policies.Fields(m.Kind)
	pull := map[string]string{}
	drifted := false
	for _, f := range compared {
		ev, xv := canonical(f, erp.Fields[f]), canonical(f, ext[f])
		if f == "currency" && (ev == "" || xv == "") {
			xv = ev // a side that does not say its currency does not disagree
		}
		open, openErr := tx.OpenDriftFor(ctx, c.c.ID, m.Kind, m.ExternalID, f)
		if ev == xv {
			if openErr == nil {
				if err := tx.CloseDrift(ctx, open.ID, store.DriftCleared, "both sides agree again", "system"); err != nil {
					return err
				}
			}
			continue
		}
		if openErr != nil && !errors.Is(openErr, sql.ErrNoRows) {
			return openErr
		}
		if pending, err := e.pendingOut(ctx, tx, c.c.ID, m.Kind, m.ExternalID, f); err != nil {
			return err
		} else if pending {
			continue // the ERP's newer value is on its way
		}
		fp := c.policies[m.Kind][f]
		d := store.Drift{ConnectionID: c.c.ID, Kind: m.Kind, ERPID: m.ERPID, ExternalID: m.ExternalID, Field: f,
			ERPValue: erp.Fields[f], ExternalValue: ext[f], Cause: cause(m.Kind, f, ext, prevExt), Policy: fp.Policy}
		if fp.Policy == ServiceWins && fp.AutoResolve {
			pull[f] = ext[f]
			d.Resolution, d.ResolvedBy = "pull (policy "+fp.Policy+")", "system"
			if err := tx.RecordDrift(ctx, &d, store.DriftAutoResolved); err != nil {
				return err
			}
			t.AutoResolved++
			continue
		}
		if err := tx.OpenDrift(ctx, &d); err != nil {
			return err
		}
		drifted = true
		t.Drifts++
	}
	if len(pull) > 0 {
		erp.Fields = pull
		erp.Source = "sync:" + c.c.ID
		if _, err := tx.PutERPRecord(ctx, &erp); err != nil {
			return err
		}
		t.Applied++
		if err := tx.AppendLog(ctx, concord.LogEntry{ConnectionID: c.c.ID, Direction: concord.DirectionInbound, Kind: concord.KindSyncRun,
			Operation: "drift.auto_resolve", Outcome: concord.OutcomeOK,
			Excerpt: fmt.Sprintf("%s %s: took the service's %s (its policy)", m.Kind, m.ExternalID, keys(pull))}); err != nil {
			return err
		}
	} else if !drifted {
		t.Unchanged++
	}
	m.ERPFingerprint, m.ExtFingerprint = fingerprint(erp.Fields, compared), fingerprint(ext, compared)
	if !drifted {
		m.SyncedVersion = erp.Version
	}
	return tx.PutMapping(ctx, m)
}

// pendingOut reports whether an ERP change of the field is queued to go out.
func (e *Engine) pendingOut(ctx context.Context, tx *store.Tx, connectionID, kind, externalID, field string) (bool, error) {
	return tx.OutboxPendingFor(ctx, connectionID, kind, externalID, field)
}

// cause names why a field differs, in the words of BRIEF.md's marketplace drift cases.
func cause(kind, field string, ext, prev map[string]string) string {
	changed := prev != nil && prev[field] != ext[field]
	switch {
	case field == "currency":
		return "currency mismatch"
	case kind == connector.KindStock && changed:
		return "stock changed externally"
	case kind == connector.KindVariant && field == "price" && changed:
		return "price changed on the marketplace"
	case kind == connector.KindOrder && changed:
		return "order changed after import"
	case kind == connector.KindFulfillment && changed:
		return "fulfillment updated outside the ERP"
	case changed:
		return field + " changed on the service"
	}
	return "the ERP and the service hold different values"
}

func keys(m map[string]string) string {
	s := ""
	for k := range m {
		if s != "" {
			s += ", "
		}
		s += k
	}
	return s
}
