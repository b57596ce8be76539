package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

type syncStart struct {
	Resource  string `json:"resource"`
	Direction string `json:"direction"`
	Full      bool   `json:"full"`
}

type syncStarted struct {
	store.SyncRun
	Runs []store.SyncRun `json:"runs"`
}

func (s *Server) startSync(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in syncStart
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Direction == "" {
		in.Direction = syncer.Inbound
	}
	runs, err := s.Sync.StartRuns(r.Context(), principalFrom(r.Context()).Actor(), c.ID, in.Resource, in.Direction, in.Full)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, syncStarted{SyncRun: runs[0], Runs: runs})
	return nil
}

// visibleRun reads a run whose connection the caller may see.
func (s *Server) visibleRun(r *http.Request) (store.SyncRun, error) {
	run, err := s.DB.GetSyncRun(r.Context(), r.PathValue("run_id"))
	if err != nil {
		return run, err
	}
	if _, err := s.visibleConnection(r.Context(), run.ConnectionID); err != nil {
		return run, &concord.Error{Code: concord.ENOTFOUND, Message: "sync run not found"}
	}
	return run, nil
}

func (s *Server) getSyncRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.visibleRun(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

func (s *Server) cancelSyncRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.visibleRun(r)
	if err != nil {
		return err
	}
	if err := s.DB.RequestRunCancel(r.Context(), run.ID); err != nil {
		return err
	}
	run.Cancel = true
	writeJSON(w, http.StatusOK, run)
	return nil
}

func (s *Server) syncDashboard(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	if _, err := s.DB.GetEntity(r.Context(), entityID); err != nil {
		return err
	}
	d, err := s.Sync.Dashboard(r.Context(), entityID, r.URL.Query().Get("direction"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) listMappings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return connectionList(s, w, r, func(ctx context.Context, id string, pg store.Page) ([]store.Mapping, string, error) {
		return s.DB.ListMappings(ctx, id, q.Get("state"), q.Get("kind"), pg)
	})
}

type mappingActions struct {
	Actions []syncer.MappingAction `json:"actions"`
}

func (s *Server) mappingActions(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in mappingActions
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.Actions) == 0 || len(in.Actions) > 1000 {
		return concord.Errorf(concord.EINVALID, "actions: give 1 to 1000 actions")
	}
	out, err := s.Sync.ApplyMappingActions(r.Context(), principalFrom(r.Context()).Actor(), c.ID, in.Actions)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}

func (s *Server) suggestMappings(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := s.Sync.SuggestByTitle(r.Context(), c.ID, 0.5)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"suggested": n})
	return nil
}

type reimportIn struct {
	Override bool `json:"override"`
	Preview  bool `json:"preview"`
}

func (s *Server) reimport(w http.ResponseWriter, r *http.Request) error {
	m, err := s.DB.GetMapping(r.Context(), r.PathValue("mapping_id"))
	if err != nil {
		return err
	}
	if _, err := s.visibleConnection(r.Context(), m.ConnectionID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "mapping not found"}
	}
	var in reimportIn
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.Sync.Reimport(r.Context(), principalFrom(r.Context()).Actor(), m.ID, in.Override, !in.Preview)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) listDrift(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	return connectionList(s, w, r, func(ctx context.Context, id string, pg store.Page) ([]store.Drift, string, error) {
		return s.DB.ListDrifts(ctx, id, state, pg)
	})
}

func (s *Server) visibleDrift(r *http.Request) (store.Drift, error) {
	d, err := s.DB.GetDrift(r.Context(), r.PathValue("drift_id"))
	if err != nil {
		return d, err
	}
	if _, err := s.visibleConnection(r.Context(), d.ConnectionID); err != nil {
		return d, &concord.Error{Code: concord.ENOTFOUND, Message: "drift not found"}
	}
	return d, nil
}

type resolveIn struct {
	Action  string `json:"action"`
	Preview bool   `json:"preview"`
}

func (s *Server) resolveDrift(w http.ResponseWriter, r *http.Request) error {
	d, err := s.visibleDrift(r)
	if err != nil {
		return err
	}
	var in resolveIn
	if err := decode(r, &in); err != nil {
		return err
	}
	var p syncer.Preview
	if in.Preview {
		p, err = s.Sync.PreviewResolution(r.Context(), d.ID, in.Action)
	} else {
		p, err = s.Sync.Resolve(r.Context(), principalFrom(r.Context()).Actor(), d.ID, in.Action)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) scanDrift(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := s.Sync.Scan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidates": res.Mappings, "drifts": res.Drifts,
		"duration_ms": strconv.FormatFloat(float64(res.Duration.Microseconds())/1000, 'f', 1, 64)})
	return nil
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := syncer.LoadPolicies(r.Context(), s.DB, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(p.All(), ""))
	return nil
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in store.FieldPolicy
	if err := decode(r, &in); err != nil {
		return err
	}
	if !recordKinds[in.Kind] || in.Field == "" {
		return concord.Errorf(concord.EINVALID, "give a record kind and a field")
	}
	if err := s.Sync.PutPolicy(r.Context(), principalFrom(r.Context()).Actor(), c.ID, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *Server) syncSettings(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	all, err := s.Sync.Settings(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(all, ""))
	return nil
}

func (s *Server) putSyncSetting(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in store.SyncSetting
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Sync.PutSetting(r.Context(), principalFrom(r.Context()).Actor(), c.ID, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

type confirmIn struct {
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id"`
}

// confirmAgreement re-reads both sides of one mapped record after a fix.
func (s *Server) confirmAgreement(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in confirmIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if !recordKinds[in.Kind] || in.ExternalID == "" {
		return concord.Errorf(concord.EINVALID, "give the record kind and its external_id")
	}
	a, err := s.Sync.Confirm(r.Context(), c.ID, in.Kind, in.ExternalID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
