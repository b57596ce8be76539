package httpapi

import (
	"bytes"
	"io"
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/triage"
)

// diagnoseIn is the optional body of POST /v1/connections/{id}/diagnose.
type diagnoseIn struct {
	// AllowReversible lets a production entity's workflow check run a reversible
	// operation; a sandbox entity always allows it.
	AllowReversible bool `json:"allow_reversible"`
}

// diagnose answers POST /v1/connections/{id}/diagnose: the guided triage report. It is a
// POST because its test step calls the service and may change the connection's state. The
// body is optional: without one (or without allow_reversible) a production entity gets
// read-only workflow checks only.
func (s *Server) diagnose(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.Triage == nil {
		return concord.Errorf(concord.EINTERNAL, "triage is not configured on this server")
	}
	var in diagnoseIn
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body)) // read once above: decode reads it again
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	d, err := s.Triage.DiagnoseWith(r.Context(), actor(r), c.ID, triage.Options{AllowReversible: in.AllowReversible})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
