package syncer

import (
	"context"
	"fmt"
	"strconv"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// ApplyInbound runs records read from the service's API (its current state) of one
// connection through the inbound pipeline inside tx (the transaction that also advances the
// checkpoint).
func (e *Engine) ApplyInbound(ctx context.Context, tx *store.Tx, connectionID string, recs []connector.SyncRecord) (Tally, error) {
	return e.apply(ctx, tx, connectionID, recs, false)
}

// ApplyDelivered runs records announced by webhook deliveries through the same pipeline, in
// the transaction that marks the delivery processed. A delivery may be older than what is
// stored: one that is not strictly newer and disagrees is left for the next poll, which
// reads the service's current state, so an older event never overwrites newer state.
func (e *Engine) ApplyDelivered(ctx context.Context, tx *store.Tx, connectionID string, recs []connector.SyncRecord) (Tally, error) {
	return e.apply(ctx, tx, connectionID, recs, true)
}

func (e *Engine) apply(ctx context.Context, tx *store.Tx, connectionID string, recs []connector.SyncRecord, delivered bool) (Tally, error) {
	c, err := e.loadConn(ctx, connectionID)
	if err != nil {
		return Tally{}, err
	}
	c.delivered = delivered
	var t Tally
	for _, r := range recs {
		if err := e.applyOne(ctx, tx, c, r, &t); err != nil {
			return t, fmt.Errorf("%s %s: %w", r.Kind, r.ExternalID, err)
		}
	}
	return t, nil
}

func (e *Engine) applyOne(ctx context.Context, tx *store.Tx, c conn, r connector.SyncRecord, t *Tally) error {
	if r.Kind == connector.KindVariant && r.Deleted && r.ExternalID == "" && r.ParentID != "" {
		// A product deleted on the service: every variant of it goes stale.
		kids, err := tx.SyncRecordsOf(ctx, c.c.ID, connector.KindVariant, r.ParentID)
		if err != nil {
			return err
		}
		for _, k := range kids {
			k.SyncRecord.Deleted, k.SyncRecord.UpdatedAt = true, maxTime(r.UpdatedAt, k.UpdatedAt)
			if err := e.applyOne(ctx, tx, c, k.SyncRecord, t); err != nil {
				return err
			}
		}
		return nil
	}
	if r.ExternalID == "" {
		t.problem("a " + r.Kind + " record without an id was skipped")
		return nil
	}
	if r.Fields == nil {
		r.Fields = map[string]string{}
	}
	// A partial report (a webhook body lacks some fields the API gives) leaves the fields it
	// does not mention as they were: absent means unknown, never a change or a drift.
	if old, err := tx.GetSyncRecord(ctx, c.c.ID, r.Kind, r.ExternalID); err == nil {
		if c.delivered && !r.UpdatedAt.After(old.UpdatedAt) && !sameFields(r.Fields, old.Fields) {
			t.Unchanged++ // not provably newer than what is stored: the next poll decides
			return nil
		}
		for k, v := range old.Fields {
			if _, ok := r.Fields[k]; !ok {
				r.Fields[k] = v
			}
		}
		if r.ParentID == "" {
			r.ParentID = old.ParentID
		}
	}
	compared := c.policies.Fields(r.Kind)
	prev, stale, err := tx.UpsertSyncRecord(ctx, c.c.ID, r, fingerprint(r.Fields, compared))
	if err != nil {
		return err
	}
	if stale {
		t.Unchanged++ // an older report than the one stored: never overwrites newer state
		return nil
	}
	var prevFields map[string]string
	if prev != nil {
		prevFields = prev.Fields
	}
	m, err := tx.MappingByExternal(ctx, c.c.ID, r.Kind, r.ExternalID)
	found := err == nil
	if err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
		return err
	}
	if r.Deleted {
		if found && m.State != store.MappingStale {
			return e.markStale(ctx, tx, c, &m, "deleted on the service", t)
		}
		t.Unchanged++
		return nil
	}
	switch r.Kind {
	case connector.KindVariant, connector.KindLocation:
		if !found || m.State == store.MappingUnmapped {
			// New, or still waiting in the inbox: look again (the ERP may have the SKU now).
			return e.suggest(ctx, tx, c, r, t)
		}
		if m.State != store.MappingActive {
			t.Unchanged++
			return nil
		}
		erp, err := tx.GetERPRecord(ctx, c.entity.ID, r.Kind, m.ERPID)
		if err != nil {
			return e.markStale(ctx, tx, c, &m, "the ERP record no longer exists", t)
		}
		if r.Kind == connector.KindVariant && r.Fields["sku"] != erp.Fields["sku"] {
			return e.markStale(ctx, tx, c, &m, fmt.Sprintf("SKU no longer matches (ERP %q, service %q)", erp.Fields["sku"], r.Fields["sku"]), t)
		}
		return e.reconcile(ctx, tx, c, &m, erp, r.Fields, prevFields, t)
	case connector.KindStock:
		return e.applyStock(ctx, tx, c, r, found, m, prevFields, t)
	case connector.KindOrder, connector.KindFulfillment:
		return e.applyOwned(ctx, tx, c, r, found, m, prevFields, t)
	}
	t.problem("unknown record kind " + r.Kind)
	return nil
}

// applyStock maps a stock level through its variant's and location's mappings; a level at a
// location nobody mapped is a named problem, not a silent write.
func (e *Engine) applyStock(ctx context.Context, tx *store.Tx, c conn, r connector.SyncRecord, found bool, m store.Mapping, prev map[string]string, t *Tally) error {
	if n, err := strconv.Atoi(r.Fields["available"]); err != nil || n < -1_000_000 || n > 1_000_000_000 {
		t.problem(fmt.Sprintf("stock %s: absurd quantity %q from the service", r.ExternalID, r.Fields["available"]))
		return nil
	}
	vm, err := tx.MappingByExternal(ctx, c.c.ID, connector.KindVariant, r.Fields["variant_id"])
	if err != nil || vm.State != store.MappingActive {
		t.Unmapped++ // no stock for an unmapped listing
		return nil
	}
	lm, err := tx.MappingByExternal(ctx, c.c.ID, connector.KindLocation, r.Fields["location_id"])
	if err != nil || lm.State != store.MappingActive {
		t.problem(fmt.Sprintf("stock of %s at unknown location %s (map the location first)", vm.ERPID, r.Fields["location_id"]))
		return nil
	}
	erpID := vm.ERPID + "|" + lm.ERPID
	if !found {
		m = store.Mapping{ConnectionID: c.c.ID, Kind: connector.KindStock, ERPID: erpID, ExternalID: r.ExternalID,
			ParentID: r.Fields["variant_id"], State: store.MappingActive, Score: 1, Reason: "from the variant and location mappings"}
	}
	erp, err := tx.GetERPRecord(ctx, c.entity.ID, connector.KindStock, erpID)
	if concord.ErrorCode(err) == concord.ENOTFOUND {
		// The ERP has no stock figure here yet: adopt the service's as the starting point.
		erp = store.ERPRecord{EntityID: c.entity.ID, Kind: connector.KindStock, ID: erpID, Source: "sync:" + c.c.ID,
			Fields: map[string]string{"variant_id": vm.ERPID, "location_id": lm.ERPID, "available": r.Fields["available"]}}
		if _, err := tx.PutERPRecord(ctx, &erp); err != nil {
			return err
		}
		m.SyncedVersion = erp.Version
		t.Applied++
	} else if err != nil {
		return err
	}
	return e.reconcile(ctx, tx, c, &m, erp, r.Fields, prev, t)
}

// applyOwned handles records the service creates (orders, fulfillments): a new one becomes
// an ERP record; a known one is reconciled field by field.
func (e *Engine) applyOwned(ctx context.Context, tx *store.Tx, c conn, r connector.SyncRecord, found bool, m store.Mapping, prev map[string]string, t *Tally) error {
	if found && m.State != store.MappingActive {
		t.Unchanged++
		return nil
	}
	fields := map[string]string{}
	for k, v := range r.Fields {
		fields[k] = v
	}
	if r.Kind == connector.KindFulfillment {
		om, err := tx.MappingByExternal(ctx, c.c.ID, connector.KindOrder, r.ParentID)
		if err != nil {
			t.problem("fulfillment " + r.ExternalID + " of an order not imported yet")
			return nil
		}
		fields["order_id"] = om.ERPID
	}
	if !found {
		erp := store.ERPRecord{EntityID: c.entity.ID, Kind: r.Kind, Fields: fields, Source: "sync:" + c.c.ID}
		if _, err := tx.PutERPRecord(ctx, &erp); err != nil {
			return err
		}
		m = store.Mapping{ConnectionID: c.c.ID, Kind: r.Kind, ERPID: erp.ID, ExternalID: r.ExternalID, ParentID: r.ParentID,
			State: store.MappingActive, Score: 1, Reason: "imported", SyncedVersion: erp.Version}
		compared := c.policies.Fields(r.Kind)
		m.ERPFingerprint, m.ExtFingerprint = fingerprint(erp.Fields, compared), fingerprint(r.Fields, compared)
		t.Applied++
		return tx.PutMapping(ctx, &m)
	}
	erp, err := tx.GetERPRecord(ctx, c.entity.ID, r.Kind, m.ERPID)
	if err != nil {
		return e.markStale(ctx, tx, c, &m, "the ERP record no longer exists", t)
	}
	return e.reconcile(ctx, tx, c, &m, erp, r.Fields, prev, t)
}

func (e *Engine) markStale(ctx context.Context, tx *store.Tx, c conn, m *store.Mapping, why string, t *Tally) error {
	m.State, m.Reason = store.MappingStale, why
	t.Stale++
	if err := tx.AppendLog(ctx, concord.LogEntry{ConnectionID: c.c.ID, Direction: concord.DirectionInbound, Kind: concord.KindSyncRun,
		Operation: "mapping.stale", Outcome: concord.OutcomeError, ErrorClass: concord.ClassNotFound,
		Excerpt: m.Kind + " " + m.ExternalID + ": " + why + "; outbound work to it is stopped"}); err != nil {
		return err
	}
	return tx.PutMapping(ctx, m)
}

func maxTime[T interface{ After(T) bool }](a, b T) T {
	if a.After(b) {
		return a
	}
	return b
}

// sameFields reports whether every field a reports equals b's.
func sameFields(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
