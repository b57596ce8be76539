package httpapi

import (
	"net/http"

	"github.com/concordhub/concord/store"
)

// listAudit lists audit entries; a scoped token sees only its entities' entries.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := store.AuditFilter{EntityIDs: principalFrom(r.Context()).EntityIDs, Resource: r.URL.Query().Get("resource")}
	entries, next, err := s.DB.ListAudit(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(entries, next))
	return nil
}
