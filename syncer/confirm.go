package syncer

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Agreement is the answer to "do both sides agree now?" for one mapped record.
type Agreement struct {
	Kind       string      `json:"kind"`
	ExternalID string      `json:"external_id"`
	ERPID      string      `json:"erp_id"`
	Agree      bool        `json:"agree"`
	Compared   []string    `json:"compared"`
	Differs    []FieldDiff `json:"differs"`
}

// Confirm re-reads both sides of a mapped record (the service through the connector, not
// the stored report) and says whether they agree on every compared field, or what still
// differs: the last step of a fix.
func (e *Engine) Confirm(ctx context.Context, connectionID, kind, externalID string) (Agreement, error) {
	a := Agreement{Kind: kind, ExternalID: externalID, Differs: []FieldDiff{}}
	o, err := e.Svc.Open(ctx, connectionID)
	if err != nil {
		return a, err
	}
	f, ok := o.Connector.(connector.Fetcher)
	if !ok {
		return a, concord.Errorf(concord.EUNPROCESSABLE, "%s cannot fetch single records", o.Connection.Connector)
	}
	var m store.Mapping
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		m, err = tx.MappingByExternal(ctx, connectionID, kind, externalID)
		return err
	})
	if err != nil {
		return a, err
	}
	a.ERPID = m.ERPID
	erp, err := e.DB.GetERPRecord(ctx, o.Entity.ID, kind, m.ERPID)
	if err != nil {
		return a, err
	}
	rec, err := f.FetchRecord(connector.WithOperation(ctx, "sync.confirm"), o.Session, kind, externalID)
	if err != nil {
		return a, err
	}
	p, err := LoadPolicies(ctx, e.DB, connectionID)
	if err != nil {
		return a, err
	}
	a.Compared = p.Fields(kind)
	for _, field := range a.Compared {
		if _, known := rec.Fields[field]; !known {
			continue // the service did not say: nothing to disagree on
		}
		if canonical(field, erp.Fields[field]) != canonical(field, rec.Fields[field]) {
			a.Differs = append(a.Differs, FieldDiff{Field: field, ERP: erp.Fields[field], New: rec.Fields[field]})
		}
	}
	a.Agree = len(a.Differs) == 0
	return a, nil
}
