package httpapi

import (
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
)

type entityCreate struct {
	Name string       `json:"name"`
	Mode concord.Mode `json:"mode"`
}

// createEntity needs a global token: a token scoped to some entities cannot widen itself.
func (s *Server) createEntity(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.Global() {
		return concord.Errorf(concord.EFORBIDDEN, "creating entities needs a token that is not limited to some entities")
	}
	var in entityCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Svc.CreateEntity(r.Context(), connections.Actor(p.Actor()), in.Name, in.Mode)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) listEntities(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	es, next, err := s.DB.ListEntities(r.Context(), principalFrom(r.Context()).EntityIDs, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(es, next))
	return nil
}

func (s *Server) getEntity(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), id); err != nil {
		return err
	}
	e, err := s.DB.GetEntity(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// connectorInfo is one catalog entry.
type connectorInfo struct {
	connector.Descriptor
	Capabilities []string `json:"capabilities"`
}

func (s *Server) listConnectors(w http.ResponseWriter, _ *http.Request) error {
	var out []connectorInfo
	for _, c := range s.Registry.All() {
		d := c.Describe()
		if d.Config == nil {
			d.Config = []connector.Field{}
		}
		out = append(out, connectorInfo{Descriptor: d, Capabilities: connector.Capabilities(c)})
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}
