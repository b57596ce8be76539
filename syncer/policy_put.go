package syncer

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/store"
)

// PutPolicy sets the source-of-truth policy of one compared field, audited with what it
// was. Only fields the engine compares can have one: a policy on anything else would
// promise a reconciliation that never runs.
func (e *Engine) PutPolicy(ctx context.Context, actor, connectionID string, fp store.FieldPolicy) error {
	if fp.Policy != ERPWins && fp.Policy != ServiceWins && fp.Policy != Manual {
		return concord.Errorf(concord.EINVALID, "policy must be erp_wins, service_wins or manual")
	}
	pol, err := LoadPolicies(ctx, e.DB, connectionID)
	if err != nil {
		return err
	}
	before, ok := pol[fp.Kind][fp.Field]
	if !ok {
		return concord.Errorf(concord.EINVALID, "%s.%s is not a compared field; compared fields have a policy already (GET .../policies)", fp.Kind, fp.Field)
	}
	c, err := e.DB.GetConnection(ctx, connectionID)
	if err != nil {
		return err
	}
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutFieldPolicy(ctx, connectionID, fp); err != nil {
			return err
		}
		b, a, _ := audit.Diff(before, fp)
		_, err := tx.AppendAudit(ctx, audit.Entry{Actor: actor, Action: "policy.put", Resource: "connection:" + connectionID,
			EntityID: c.EntityID, Outcome: audit.OutcomeOK, Before: b, After: a, Detail: fp.Kind + "." + fp.Field})
		return err
	})
}
