package syncer

import (
	"context"
	"fmt"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Drift resolutions.
const (
	Push   = "push"   // send the ERP's value to the service
	Pull   = "pull"   // take the service's value into the ERP
	Accept = "accept" // leave both as they are and close the drift
)

// Preview says exactly what resolving a drift would do, before anything is done.
type Preview struct {
	Drift  store.Drift `json:"drift"`
	Action string      `json:"action"`
	Change string      `json:"change"`
	// Sets names the side and value written: ERP or service, field, from, to.
	Side  string `json:"side,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Allow bool   `json:"allowed"`
	Why   string `json:"why,omitempty"`
}

// PreviewResolution builds the preview of resolving drift id with action.
func (e *Engine) PreviewResolution(ctx context.Context, id, action string) (Preview, error) {
	d, err := e.DB.GetDrift(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Drift: d, Action: action, Allow: true}
	if d.State != store.DriftOpen {
		p.Allow, p.Why = false, "the drift is already "+d.State
	}
	switch action {
	case Push:
		p.Side, p.From, p.To = "service", d.ExternalValue, d.ERPValue
		p.Change = fmt.Sprintf("set %s of %s %s on the service from %q to %q (the ERP's value)", d.Field, d.Kind, d.ExternalID, d.ExternalValue, d.ERPValue)
		conn, err := e.DB.GetConnection(ctx, d.ConnectionID)
		if err == nil {
			c, _ := e.Svc.Registry.Get(conn.Connector)
			exp, ok := c.(connector.Exporter)
			if !ok || !contains(exp.ExportFields()[d.Kind], d.Field) {
				p.Allow, p.Why = false, fmt.Sprintf("%s cannot write %s.%s; pull or accept instead", conn.Connector, d.Kind, d.Field)
			}
		}
	case Pull:
		p.Side, p.From, p.To = "erp", d.ERPValue, d.ExternalValue
		p.Change = fmt.Sprintf("set %s of ERP %s %s from %q to %q (the service's value)", d.Field, d.Kind, d.ERPID, d.ERPValue, d.ExternalValue)
	case Accept:
		p.Change = fmt.Sprintf("keep the ERP's %q and the service's %q; close the drift (it reopens if either side changes)", d.ERPValue, d.ExternalValue)
	default:
		return p, concord.Errorf(concord.EINVALID, "action must be push, pull or accept")
	}
	return p, nil
}

// Resolve resolves a drift on purpose, audited. Push queues the ERP's value as an outbound
// change (the drift closes when it is sent); pull writes the service's value into the ERP;
// accept closes the drift leaving both sides.
func (e *Engine) Resolve(ctx context.Context, actor, id, action string) (Preview, error) {
	p, err := e.PreviewResolution(ctx, id, action)
	if err != nil {
		return p, err
	}
	if !p.Allow {
		return p, concord.Errorf(concord.ECONFLICT, "%s", p.Why)
	}
	d := p.Drift
	conn, err := e.DB.GetConnection(ctx, d.ConnectionID)
	if err != nil {
		return p, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		switch action {
		case Push:
			loc := ""
			if snap, err := tx.GetSyncRecord(ctx, d.ConnectionID, d.Kind, d.ExternalID); err == nil {
				loc = snap.Fields["location_id"]
			}
			erp, err := tx.GetERPRecord(ctx, conn.EntityID, d.Kind, d.ERPID)
			if err != nil {
				return err
			}
			if err := tx.EnqueueChange(ctx, store.OutboxChange{ConnectionID: d.ConnectionID, Kind: d.Kind, ExternalID: d.ExternalID,
				Field: d.Field, LocationID: loc, Value: erp.Fields[d.Field], ERPID: d.ERPID, ERPVersion: erp.Version}); err != nil {
				return err
			}
			if err := e.queueFlush(ctx, tx, d.ConnectionID, ""); err != nil {
				return err
			}
			if err := tx.CloseDrift(ctx, d.ID, store.DriftResolved, "push queued", actor); err != nil {
				return err
			}
		case Pull:
			erp := store.ERPRecord{EntityID: conn.EntityID, Kind: d.Kind, ID: d.ERPID, Source: "drift:" + actor,
				Fields: map[string]string{d.Field: d.ExternalValue}}
			if _, err := tx.PutERPRecord(ctx, &erp); err != nil {
				return err
			}
			if err := tx.CloseDrift(ctx, d.ID, store.DriftResolved, "pulled", actor); err != nil {
				return err
			}
			if m, err := tx.MappingByExternal(ctx, d.ConnectionID, d.Kind, d.ExternalID); err == nil {
				c, err := e.loadConn(ctx, d.ConnectionID)
				if err != nil {
					return err
				}
				m.ERPFingerprint, m.SyncedVersion = fingerprint(erp.Fields, c.policies.Fields(d.Kind)), erp.Version
				if err := tx.PutMapping(ctx, &m); err != nil {
					return err
				}
			}
		case Accept:
			if err := tx.CloseDrift(ctx, d.ID, store.DriftResolved, "accepted as is", actor); err != nil {
				return err
			}
		}
		after, _ := auditJSON(map[string]string{"action": action, "change": p.Change})
		_, err := tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "drift.resolve", Resource: "drift:" + d.ID,
			EntityID: conn.EntityID, Outcome: audit.OutcomeOK, After: after, Detail: p.Change})
		return err
	})
	return p, err
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
