package httpapi

import (
	"net/http"

	"github.com/concordhub/concord"
)

// integrations is the Integrations dashboard's data (connections.Service.Integrations).
func (s *Server) integrations(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	out, err := s.Svc.Integrations(r.Context(), entityID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
