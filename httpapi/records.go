package httpapi

import (
	"net/http"
	"regexp"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

var recordKinds = map[string]bool{connector.KindVariant: true, connector.KindStock: true, connector.KindOrder: true,
	connector.KindFulfillment: true, connector.KindLocation: true}

var recordID = regexp.MustCompile(`^[A-Za-z0-9_.:|-]{1,200}$`)

type recordPut struct {
	Fields map[string]string `json:"fields"`
}

type recordAnswer struct {
	Record store.ERPRecord `json:"record"`
	Queued []queuedJSON    `json:"outbound"`
}

type queuedJSON struct {
	ConnectionID string `json:"connection_id"`
	ExternalID   string `json:"external_id,omitempty"`
	Field        string `json:"field"`
	Queued       bool   `json:"queued"`
	Reason       string `json:"reason,omitempty"`
}

func (s *Server) recordScope(r *http.Request) (entityID, kind string, err error) {
	entityID, kind = r.PathValue("entity_id"), r.PathValue("kind")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return "", "", &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	if _, err := s.DB.GetEntity(r.Context(), entityID); err != nil {
		return "", "", err
	}
	if !recordKinds[kind] {
		return "", "", concord.Errorf(concord.EINVALID, "kind must be variant, stock, order, fulfillment or location")
	}
	return entityID, kind, nil
}

type recordBatchIn struct {
	Records []struct {
		ID     string            `json:"id"`
		Fields map[string]string `json:"fields"`
	} `json:"records"`
}

type recordBatchAnswer struct {
	Results []recordAnswer `json:"results"`
}

// checkFields refuses an empty or oversized field set.
func checkFields(fields map[string]string) error {
	if len(fields) == 0 {
		return concord.Errorf(concord.EINVALID, "fields: give at least one field")
	}
	for k, v := range fields {
		if len(k) > 100 || len(v) > 10000 {
			return concord.Errorf(concord.EINVALID, "field %q is too long", k)
		}
	}
	return nil
}

func answerFor(rec store.ERPRecord, queued []syncer.QueuedChange) recordAnswer {
	out := recordAnswer{Record: rec, Queued: []queuedJSON{}}
	for _, q := range queued {
		out.Queued = append(out.Queued, queuedJSON(q))
	}
	return out
}

// putRecords is the ERP's write of many records of one kind in one transaction (all or
// none); each answer says what it queued out, as for one record.
func (s *Server) putRecords(w http.ResponseWriter, r *http.Request) error {
	entityID, kind, err := s.recordScope(r)
	if err != nil {
		return err
	}
	var in recordBatchIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.Records) == 0 || len(in.Records) > syncer.MaxRecordBatch {
		return concord.Errorf(concord.EINVALID, "records: give 1 to %d records", syncer.MaxRecordBatch)
	}
	recs := make([]*store.ERPRecord, len(in.Records))
	seen := map[string]bool{}
	for i, x := range in.Records {
		if x.ID != "" && !recordID.MatchString(x.ID) {
			return concord.Errorf(concord.EINVALID, "records[%d].id must be 1-200 letters, digits or _.:|-", i)
		}
		if x.ID != "" && seen[x.ID] {
			return concord.Errorf(concord.EINVALID, "records[%d]: record %q appears twice in the batch", i, x.ID)
		}
		seen[x.ID] = true
		if err := checkFields(x.Fields); err != nil {
			return concord.Errorf(concord.EINVALID, "records[%d]: %s", i, concord.ErrorMessage(err))
		}
		recs[i] = &store.ERPRecord{EntityID: entityID, Kind: kind, ID: x.ID, Fields: x.Fields, Source: "erp"}
	}
	queued, err := s.Sync.PutRecords(r.Context(), principalFrom(r.Context()).Actor(), recs)
	if err != nil {
		return err
	}
	out := recordBatchAnswer{Results: make([]recordAnswer, len(recs))}
	for i, rec := range recs {
		out.Results[i] = answerFor(*rec, queued[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// putRecord is the ERP's write of one record; mapped exportable changes are queued out.
func (s *Server) putRecord(w http.ResponseWriter, r *http.Request) error {
	entityID, kind, err := s.recordScope(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if id != "" && !recordID.MatchString(id) {
		return concord.Errorf(concord.EINVALID, "record id must be 1-200 letters, digits or _.:|-")
	}
	var in recordPut
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := checkFields(in.Fields); err != nil {
		return err
	}
	rec := store.ERPRecord{EntityID: entityID, Kind: kind, ID: id, Fields: in.Fields, Source: "erp"}
	queued, err := s.Sync.PutRecord(r.Context(), principalFrom(r.Context()).Actor(), &rec)
	if err != nil {
		return err
	}
	out := answerFor(rec, queued)
	status := http.StatusOK
	if id == "" {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	entityID, kind, err := s.recordScope(r)
	if err != nil {
		return err
	}
	rec, err := s.DB.GetERPRecord(r.Context(), entityID, kind, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) error {
	entityID, kind, err := s.recordScope(r)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	recs, next, err := s.DB.ListERPRecords(r.Context(), entityID, kind, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(recs, next))
	return nil
}

func (s *Server) recordVersions(w http.ResponseWriter, r *http.Request) error {
	entityID, kind, err := s.recordScope(r)
	if err != nil {
		return err
	}
	vs, err := s.DB.ERPRecordVersions(r.Context(), entityID, kind, r.PathValue("id"))
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "erp record not found"}
	}
	writeJSON(w, http.StatusOK, newList(vs, ""))
	return nil
}
