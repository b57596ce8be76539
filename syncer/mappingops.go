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

// MappingAction is an operator's decision on one mapping.
type MappingAction struct {
	MappingID string `json:"mapping_id"`
	Action    string `json:"action"` // approve, reject, relink, clear
	// ERPID is the ERP record to link to (relink, or approve an unmapped one).
	ERPID string `json:"erp_id,omitempty"`
}

// MappingOutcome is what one action did.
type MappingOutcome struct {
	MappingID string         `json:"mapping_id"`
	OK        bool           `json:"ok"`
	Error     string         `json:"error,omitempty"`
	Mapping   *store.Mapping `json:"mapping,omitempty"`
}

// ApplyMappingActions applies each action in its own transaction (one bad action does not
// undo the others) and audits each. A variant maps to exactly one external variant per
// connection: approving a second mapping of the same ERP record is refused.
func (e *Engine) ApplyMappingActions(ctx context.Context, actor, connectionID string, actions []MappingAction) ([]MappingOutcome, error) {
	c, err := e.loadConn(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	out := make([]MappingOutcome, 0, len(actions))
	for _, a := range actions {
		var m store.Mapping
		err := e.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if m, err = tx.GetMapping(ctx, a.MappingID); err != nil || m.ConnectionID != connectionID {
				return &concord.Error{Code: concord.ENOTFOUND, Message: "mapping " + a.MappingID + " not found"}
			}
			before := m
			if err := e.applyAction(ctx, tx, c, &m, a); err != nil {
				return err
			}
			b, af, _ := audit.Diff(before, m)
			_, err = tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "mapping." + a.Action, Resource: "mapping:" + m.ID,
				EntityID: c.entity.ID, Outcome: audit.OutcomeOK, Before: b, After: af})
			return err
		})
		o := MappingOutcome{MappingID: a.MappingID, OK: err == nil}
		if err != nil {
			o.Error = concord.ErrorMessage(err)
		} else {
			o.Mapping = &m
		}
		out = append(out, o)
	}
	return out, nil
}

func (e *Engine) applyAction(ctx context.Context, tx *store.Tx, c conn, m *store.Mapping, a MappingAction) error {
	switch a.Action {
	case "approve", "relink":
		erpID := m.ERPID
		if a.ERPID != "" {
			erpID = a.ERPID
		}
		if erpID == "" {
			return concord.Errorf(concord.EINVALID, "give erp_id: this listing has no suggested ERP record")
		}
		erp, err := tx.GetERPRecord(ctx, c.entity.ID, m.Kind, erpID)
		if err != nil {
			return concord.Errorf(concord.ENOTFOUND, "ERP %s %s not found", m.Kind, erpID)
		}
		others, err := tx.MappingsByERP(ctx, c.c.ID, m.Kind, erpID)
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.ID != m.ID && o.State == store.MappingActive {
				return concord.Errorf(concord.ECONFLICT, "ERP %s %s is already mapped to %s (is the SKU duplicated on the marketplace?)",
					m.Kind, erpID, o.ExternalID)
			}
		}
		snap, err := tx.GetSyncRecord(ctx, c.c.ID, m.Kind, m.ExternalID)
		if err != nil {
			return concord.Errorf(concord.ENOTFOUND, "the external record %s is not known yet; sync first", m.ExternalID)
		}
		if snap.Deleted {
			return concord.Errorf(concord.ECONFLICT, "the external record %s was deleted on the service", m.ExternalID)
		}
		if m.Kind == connector.KindVariant && snap.Fields["sku"] != erp.Fields["sku"] {
			return concord.Errorf(concord.ECONFLICT, "SKUs differ (ERP %q, service %q): a variant maps to its exact variant",
				erp.Fields["sku"], snap.Fields["sku"])
		}
		m.ERPID, m.State, m.Reason = erpID, store.MappingActive, "approved by the operator"
		compared := c.policies.Fields(m.Kind)
		m.ERPFingerprint, m.ExtFingerprint = fingerprint(erp.Fields, compared), fingerprint(snap.Fields, compared)
		if err := tx.PutMapping(ctx, m); err != nil {
			return err
		}
		// Compare at once: an approved mapping whose values differ shows its drift now.
		var t Tally
		return e.reconcile(ctx, tx, c, m, erp, snap.Fields, nil, &t)
	case "reject":
		m.State, m.Reason = store.MappingRejected, "rejected by the operator"
	case "clear":
		if m.State != store.MappingStale {
			return concord.Errorf(concord.ECONFLICT, "only a stale mapping can be cleared (this one is %s)", m.State)
		}
		m.State, m.ERPID, m.Reason = store.MappingRejected, "", "stale id cleared by the operator"
	default:
		return concord.Errorf(concord.EINVALID, "action must be approve, reject, relink or clear")
	}
	return tx.PutMapping(ctx, m)
}

// SuggestByTitle suggests ERP variants for unmapped listings by title similarity (after no
// exact SKU matched). It returns how many it suggested.
func (e *Engine) SuggestByTitle(ctx context.Context, connectionID string, threshold float64) (int, error) {
	c, err := e.loadConn(ctx, connectionID)
	if err != nil {
		return 0, err
	}
	var erps []store.ERPRecord
	for cur := ""; ; {
		page, next, err := e.DB.ListERPRecords(ctx, c.entity.ID, connector.KindVariant, store.Page{Limit: 500, Cursor: cur})
		if err != nil {
			return 0, err
		}
		erps = append(erps, page...)
		if next == "" || len(erps) >= 20000 {
			break
		}
		cur = next
	}
	unmapped, _, err := e.DB.ListMappings(ctx, connectionID, store.MappingUnmapped, connector.KindVariant, store.Page{Limit: 500})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range unmapped {
		snap, err := e.DB.GetSyncRecord(ctx, connectionID, m.Kind, m.ExternalID)
		if err != nil {
			continue
		}
		title := snap.Fields["product_title"] + " " + snap.Fields["title"]
		type cand struct {
			id    string
			score float64
		}
		var best []cand
		for _, r := range erps {
			if s := similarity(title, r.Fields["product_title"]+" "+r.Fields["title"]); s >= threshold {
				best = append(best, cand{r.ID, s})
			}
		}
		if len(best) == 0 {
			continue
		}
		sort.Slice(best, func(i, j int) bool { return best[i].score > best[j].score })
		m.ERPID, m.State, m.Score = best[0].id, store.MappingSuggested, best[0].score
		m.Reason = fmt.Sprintf("title similarity %.2f (no exact SKU)", best[0].score)
		if err := e.DB.InTx(ctx, func(tx *store.Tx) error { return tx.PutMapping(ctx, &m) }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
