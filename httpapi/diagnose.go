package httpapi

import (
	"net/http"

	"github.com/concordhub/concord"
)

// diagnose answers POST /v1/connections/{id}/diagnose: the guided triage report. It is a
// POST because its test step calls the service and may change the connection's state.
func (s *Server) diagnose(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.Triage == nil {
		return concord.Errorf(concord.EINTERNAL, "triage is not configured on this server")
	}
	d, err := s.Triage.DiagnoseAs(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
