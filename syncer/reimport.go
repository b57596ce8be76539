package syncer

import (
	"context"
	"fmt"
	"sort"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// ReimportPreview says what re-importing a mapped record would change in the ERP, and
// whether the record's history makes that need an explicit override.
type ReimportPreview struct {
	MappingID        string      `json:"mapping_id"`
	ERPID            string      `json:"erp_id"`
	ExternalID       string      `json:"external_id"`
	Changes          []FieldDiff `json:"changes"`
	History          []string    `json:"history,omitempty"`
	RequiresOverride bool        `json:"requires_override"`
	Applied          bool        `json:"applied"`
}

// FieldDiff is one field a re-import would overwrite.
type FieldDiff struct {
	Field string `json:"field"`
	ERP   string `json:"erp"`
	New   string `json:"service"`
}

// Reimport fetches the external record again and overwrites the ERP record with it. It
// never blindly overwrites a record whose payment, fulfillment or stock history is already
// active: then it only answers the preview unless override is set, and an override is
// audited as such.
func (e *Engine) Reimport(ctx context.Context, actor, mappingID string, override, apply bool) (ReimportPreview, error) {
	m, err := e.DB.GetMapping(ctx, mappingID)
	if err != nil {
		return ReimportPreview{}, err
	}
	o, err := e.Svc.Open(ctx, m.ConnectionID)
	if err != nil {
		return ReimportPreview{}, err
	}
	f, ok := o.Connector.(connector.Fetcher)
	if !ok {
		return ReimportPreview{}, concord.Errorf(concord.EUNPROCESSABLE, "%s cannot fetch single records", o.Connection.Connector)
	}
	rec, err := f.FetchRecord(connector.WithOperation(ctx, "sync.fetch"), o.Session, m.Kind, m.ExternalID)
	if err != nil {
		if connector.ClassOf(err) == concord.ClassNotFound {
			return ReimportPreview{}, concord.Errorf(concord.ECONFLICT, "%s %s no longer exists on the service; clear the stale id or relink it", m.Kind, m.ExternalID)
		}
		return ReimportPreview{}, err
	}
	p := ReimportPreview{MappingID: m.ID, ERPID: m.ERPID, ExternalID: m.ExternalID}
	erp, err := e.DB.GetERPRecord(ctx, o.Entity.ID, m.Kind, m.ERPID)
	exists := err == nil
	for k, v := range rec.Fields {
		if !exists || erp.Fields[k] != v {
			p.Changes = append(p.Changes, FieldDiff{Field: k, ERP: erp.Fields[k], New: v})
		}
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Field < p.Changes[j].Field })
	if exists {
		if p.History, err = e.history(ctx, o.Entity.ID, m, erp); err != nil {
			return p, err
		}
	}
	p.RequiresOverride = len(p.History) > 0 && len(p.Changes) > 0
	if !apply {
		return p, nil
	}
	if p.RequiresOverride && !override {
		return p, concord.Errorf(concord.ECONFLICT, "re-import would change %d field(s) of a record with active history (%s); send override to proceed",
			len(p.Changes), p.History[0])
	}
	c, err := e.loadConn(ctx, m.ConnectionID)
	if err != nil {
		return p, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		next := store.ERPRecord{EntityID: o.Entity.ID, Kind: m.Kind, ID: m.ERPID, Fields: rec.Fields, Source: "reimport:" + actor}
		if _, err := tx.PutERPRecord(ctx, &next); err != nil {
			return err
		}
		compared := c.policies.Fields(m.Kind)
		if _, _, err := tx.UpsertSyncRecord(ctx, m.ConnectionID, rec, fingerprint(rec.Fields, compared)); err != nil {
			return err
		}
		m.ERPID, m.State, m.Reason, m.SyncedVersion = next.ID, store.MappingActive, "re-imported", next.Version
		m.ERPFingerprint, m.ExtFingerprint = fingerprint(next.Fields, compared), fingerprint(rec.Fields, compared)
		if err := tx.PutMapping(ctx, &m); err != nil {
			return err
		}
		detail := ""
		if p.RequiresOverride {
			detail = "override of active history: " + fmt.Sprint(p.History)
		}
		after, _ := auditJSON(p.Changes)
		_, err := tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "record.reimport", Resource: m.Kind + ":" + next.ID,
			EntityID: o.Entity.ID, Outcome: audit.OutcomeOK, After: after, Detail: detail})
		return err
	})
	p.Applied = err == nil
	return p, err
}

// history lists what the ERP already did with the record that a blind overwrite would
// contradict: money taken, goods shipped, stock held or on its way out.
func (e *Engine) history(ctx context.Context, entityID string, m store.Mapping, erp store.ERPRecord) ([]string, error) {
	var h []string
	switch m.Kind {
	case connector.KindOrder:
		switch erp.Fields["financial_status"] {
		case "paid", "PAID", "partially_paid", "PARTIALLY_PAID", "partially_refunded", "PARTIALLY_REFUNDED", "refunded", "REFUNDED", "authorized", "AUTHORIZED":
			h = append(h, "payment "+erp.Fields["financial_status"])
		}
		if fs := erp.Fields["fulfillment_status"]; fs != "" && fs != "unfulfilled" && fs != "UNFULFILLED" {
			h = append(h, "fulfillment "+fs)
		}
	case connector.KindVariant, connector.KindStock:
		recs, _, err := e.DB.ListERPRecords(ctx, entityID, connector.KindStock, store.Page{Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if (r.Fields["variant_id"] == erp.ID || r.ID == erp.ID) && r.Fields["available"] != "" && r.Fields["available"] != "0" {
				h = append(h, "stock "+r.Fields["available"]+" at "+r.Fields["location_id"])
			}
		}
		if st, err := e.DB.OutboxStats(ctx, m.ConnectionID, e.DB.Now()); err == nil && st.Pending > 0 {
			h = append(h, fmt.Sprintf("%d outbound change(s) pending", st.Pending))
		}
	}
	return h, nil
}
