package syncer

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// FlushArgs is the durable job that sends a connection's queued outbound changes.
type FlushArgs struct {
	ConnectionID string `json:"connection_id"`
	RunID        string `json:"run_id,omitempty"`
}

// Kind names the job for River.
func (FlushArgs) Kind() string { return "outbound_flush" }

// InsertOpts keeps at most one waiting flush per connection: changes queued meanwhile are
// picked up by it (and the periodic sweep catches any that arrive as it finishes).
func (FlushArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

func (e *Engine) queueFlush(ctx context.Context, tx *store.Tx, connectionID, runID string) error {
	_, err := e.Jobs.InsertTx(ctx, tx, FlushArgs{ConnectionID: connectionID, RunID: runID}, nil)
	return err
}

// QueuedChange reports what an ERP write queued, or why it did not.
type QueuedChange struct {
	ConnectionID string `json:"connection_id"`
	ExternalID   string `json:"external_id,omitempty"`
	Field        string `json:"field"`
	Queued       bool   `json:"queued"`
	Reason       string `json:"reason,omitempty"`
}

// PutRecord is the ERP's write: a new version of the record, and for every connection
// where the record is mapped, its changed exportable fields queued (coalesced) for sending.
// No push goes to an unmapped or stale listing.
func (e *Engine) PutRecord(ctx context.Context, actor string, r *store.ERPRecord) ([]QueuedChange, error) {
	qs, err := e.PutRecords(ctx, actor, []*store.ERPRecord{r})
	if err != nil {
		return nil, err
	}
	return qs[0], nil
}

// MaxRecordBatch is how many ERP records one PutRecords call takes.
const MaxRecordBatch = 500

// PutRecords writes many ERP records of one entity in one transaction: all of them or none.
// Each gets its new version, its queued changes and its audit entry exactly as PutRecord
// would; the batch shares one commit (one disk sync), which is what lets an ERP push
// thousands of stock changes a second.
func (e *Engine) PutRecords(ctx context.Context, actor string, rs []*store.ERPRecord) ([][]QueuedChange, error) {
	if len(rs) == 0 || len(rs) > MaxRecordBatch {
		return nil, concord.Errorf(concord.EINVALID, "give 1 to %d records", MaxRecordBatch)
	}
	for _, r := range rs[1:] {
		if r.EntityID != rs[0].EntityID {
			return nil, concord.Errorf(concord.EINVALID, "a batch holds records of one entity")
		}
	}
	conns, _, err := e.DB.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{rs[0].EntityID}}, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([][]QueuedChange, len(rs))
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		for i, r := range rs {
			out[i] = nil
			before, _ := tx.GetERPRecord(ctx, r.EntityID, r.Kind, r.ID)
			changed, err := tx.PutERPRecord(ctx, r)
			if err != nil {
				return err
			}
			if len(changed) == 0 {
				continue
			}
			for _, c := range conns {
				q, err := e.queueFor(ctx, tx, c, *r, changed)
				if err != nil {
					return err
				}
				out[i] = append(out[i], q...)
			}
			b, a, _ := audit.Diff(before.Fields, r.Fields)
			if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "record.put", Resource: r.Kind + ":" + r.ID,
				EntityID: r.EntityID, Outcome: audit.OutcomeOK, Before: b, After: a}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Engine) queueFor(ctx context.Context, tx *store.Tx, c concord.Connection, r store.ERPRecord, changed map[string][2]string) ([]QueuedChange, error) {
	conn, ok := e.Svc.Registry.Get(c.Connector)
	exp, can := conn.(connector.Exporter)
	if !ok || !can {
		return nil, nil
	}
	fields := exp.ExportFields()[r.Kind]
	var out []QueuedChange
	if !e.setting(ctx, c.ID, r.Kind).Outbound {
		for f := range changed {
			out = append(out, QueuedChange{ConnectionID: c.ID, Field: f, Reason: "outbound sync of " + r.Kind + " is off in Sync Settings"})
		}
		return out, nil
	}
	maps, err := tx.MappingsByERP(ctx, c.ID, r.Kind, r.ID)
	if err != nil {
		return nil, err
	}
	any := false
	for _, f := range fields {
		if _, ch := changed[f]; !ch {
			continue
		}
		for _, m := range maps {
			q := QueuedChange{ConnectionID: c.ID, ExternalID: m.ExternalID, Field: f}
			switch {
			case m.State != store.MappingActive:
				q.Reason = "mapping is " + m.State + "; nothing is sent to it"
			case c.State == concord.StateDisconnected:
				q.Reason = "connection is disconnected"
			case c.StateReason == connections.ReasonModeMismatch:
				q.Reason = "connection is in the wrong mode; outbound work is stopped"
			case f == "price" && currencyMismatch(ctx, tx, c.ID, m.ExternalID, r):
				q.Reason = "currency mismatch between the ERP and the listing; the price is not sent"
			default:
				loc := ""
				if r.Kind == connector.KindStock {
					if snap, err := tx.GetSyncRecord(ctx, c.ID, r.Kind, m.ExternalID); err == nil {
						loc = snap.Fields["location_id"]
					}
				}
				if err := tx.EnqueueChange(ctx, store.OutboxChange{ConnectionID: c.ID, Kind: r.Kind, ExternalID: m.ExternalID,
					Field: f, LocationID: loc, Value: r.Fields[f], ERPID: r.ID, ERPVersion: r.Version}); err != nil {
					return nil, err
				}
				q.Queued, any = true, true
			}
			out = append(out, q)
		}
	}
	if any {
		if err := e.queueFlush(ctx, tx, c.ID, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FlushWorker works FlushArgs.
type FlushWorker struct {
	river.WorkerDefaults[FlushArgs]
	Engine *Engine
}

// Work sends queued changes in batches until none are left.
func (w *FlushWorker) Work(ctx context.Context, job *river.Job[FlushArgs]) error {
	return w.Engine.Flush(ctx, job.Args.ConnectionID, job.Args.RunID)
}

// Flush sends a connection's pending changes: guards first, then batches through the
// connector's exporter (the shared client applies the connection's rate limit). A rate limit
// or outage puts the batch back and snoozes the job; a refused change is marked failed; a
// record gone from the service marks its mapping stale.
func (e *Engine) Flush(ctx context.Context, connectionID, runID string) error {
	o, err := e.Svc.Open(ctx, connectionID)
	if err != nil {
		return err
	}
	exp, ok := o.Connector.(connector.Exporter)
	if !ok {
		return river.JobCancel(concord.Errorf(concord.EUNPROCESSABLE, "%s exports nothing", o.Connection.Connector))
	}
	var run *store.SyncRun
	if runID != "" {
		if r, err := e.DB.GetSyncRun(ctx, runID); err == nil {
			run = &r
			run.Status = store.RunRunning
		}
	}
	finish := func(status, msg string) error {
		if run == nil {
			return nil
		}
		return e.finishRun(ctx, run, status, msg)
	}
	if o.Connection.State == concord.StateDisconnected || o.Connection.StateReason == connections.ReasonModeMismatch {
		return river.JobCancel(finish(store.RunFailed, "outbound work is stopped on this connection ("+o.Connection.StateReason+")"))
	}
	batch := max(exp.MaxBatch(), 1)
	for {
		claimed, err := e.DB.ClaimOutbox(ctx, connectionID, batch)
		if err != nil {
			return err
		}
		if len(claimed) == 0 {
			return finish(store.RunSucceeded, "")
		}
		sendable, err := e.guardChanges(ctx, connectionID, claimed)
		if err != nil {
			return err
		}
		if len(sendable) == 0 {
			continue
		}
		changes := make([]connector.FieldChange, len(sendable))
		for i, c := range sendable {
			changes[i] = connector.FieldChange{Kind: c.Kind, ExternalID: c.ExternalID, LocationID: c.LocationID, Field: c.Field, Value: c.Value}
		}
		results, err := exp.Export(connector.WithOperation(ctx, "sync.export"), o.Session, changes)
		if err != nil {
			class := connector.ClassOf(err)
			_ = e.DB.ReleaseOutbox(ctx, sendable, err.Error())
			switch class {
			case concord.ClassRateLimited:
				return river.JobSnooze(max(connector.RetryAfterOf(err), time.Second))
			case concord.ClassAuthExpired, concord.ClassRevoked:
				_ = e.Svc.NoteEvidence(ctx, connectionID, concord.StateExpired, string(class), "outbound stopped: "+err.Error())
				return river.JobCancel(finish(store.RunFailed, err.Error()))
			}
			return err
		}
		if err := e.recordResults(ctx, connectionID, sendable, results, run); err != nil {
			return err
		}
	}
}

// guardChanges blocks changes whose mapping is no longer active; it returns the rest.
func (e *Engine) guardChanges(ctx context.Context, connectionID string, claimed []store.OutboxChange) ([]store.OutboxChange, error) {
	var ok []store.OutboxChange
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range claimed {
			m, err := tx.MappingByExternal(ctx, connectionID, c.Kind, c.ExternalID)
			if err != nil || m.State != store.MappingActive {
				state := "missing"
				if err == nil {
					state = m.State
				}
				if err := tx.FinishOutbox(ctx, c, store.OutboxBlocked, "mapping is "+state+"; not sent"); err != nil {
					return err
				}
				continue
			}
			ok = append(ok, c)
		}
		return nil
	})
	return ok, err
}

func (e *Engine) recordResults(ctx context.Context, connectionID string, sent []store.OutboxChange, results []connector.ChangeResult, run *store.SyncRun) error {
	c, err := e.loadConn(ctx, connectionID)
	if err != nil {
		return err
	}
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		for i, ch := range sent {
			var rerr error
			if i < len(results) {
				rerr = results[i].Err
			}
			switch class := connector.ClassOf(rerr); {
			case rerr == nil:
				if err := tx.FinishOutbox(ctx, ch, store.OutboxSent, ""); err != nil {
					return err
				}
				if err := e.afterSent(ctx, tx, c, ch); err != nil {
					return err
				}
				if run != nil {
					run.Moved++
				}
			case class == concord.ClassNotFound:
				m, err := tx.MappingByExternal(ctx, connectionID, ch.Kind, ch.ExternalID)
				if err == nil {
					var t Tally
					if err := e.markStale(ctx, tx, c, &m, "not found on the service when sending "+ch.Field, &t); err != nil {
						return err
					}
				}
				if err := tx.FinishOutbox(ctx, ch, store.OutboxBlocked, rerr.Error()); err != nil {
					return err
				}
				if run != nil {
					run.Failed++
				}
			default:
				if err := tx.FinishOutbox(ctx, ch, store.OutboxFailed, rerr.Error()); err != nil {
					return err
				}
				if run != nil {
					run.Failed++
				}
			}
		}
		if run != nil {
			return tx.UpdateSyncRun(ctx, run)
		}
		return nil
	})
}

// afterSent records the value now on the service, so the next comparison sees agreement.
func (e *Engine) afterSent(ctx context.Context, tx *store.Tx, c conn, ch store.OutboxChange) error {
	snap, err := tx.GetSyncRecord(ctx, c.c.ID, ch.Kind, ch.ExternalID)
	if err != nil {
		return nil
	}
	snap.Fields[ch.Field] = ch.Value
	compared := c.policies.Fields(ch.Kind)
	if _, _, err := tx.UpsertSyncRecord(ctx, c.c.ID, snap.SyncRecord, fingerprint(snap.Fields, compared)); err != nil {
		return err
	}
	m, err := tx.MappingByExternal(ctx, c.c.ID, ch.Kind, ch.ExternalID)
	if err != nil {
		return nil
	}
	erp, err := tx.GetERPRecord(ctx, c.entity.ID, ch.Kind, m.ERPID)
	if err != nil {
		return nil
	}
	if open, err := tx.OpenDriftFor(ctx, c.c.ID, ch.Kind, ch.ExternalID, ch.Field); err == nil {
		if err := tx.CloseDrift(ctx, open.ID, store.DriftResolved, "pushed", "system"); err != nil {
			return err
		}
	}
	m.SyncedVersion, m.ERPFingerprint, m.ExtFingerprint = ch.ERPVersion, fingerprint(erp.Fields, compared), fingerprint(snap.Fields, compared)
	return tx.PutMapping(ctx, &m)
}

// currencyMismatch reports whether the listing's currency differs from the ERP record's
// (both known): pushing the number would change the price in the wrong money.
func currencyMismatch(ctx context.Context, tx *store.Tx, connectionID, externalID string, r store.ERPRecord) bool {
	snap, err := tx.GetSyncRecord(ctx, connectionID, connector.KindVariant, externalID)
	if err != nil {
		return false
	}
	a, b := r.Fields["currency"], snap.Fields["currency"]
	return a != "" && b != "" && a != b
}
