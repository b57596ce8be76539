package httpapi

import (
	"context"
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
)

func actor(r *http.Request) connections.Actor {
	return connections.Actor(principalFrom(r.Context()).Actor())
}

// visibleConnection reads a connection the caller may see; others answer 404.
func (s *Server) visibleConnection(ctx context.Context, id string) (concord.Connection, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return c, err
	}
	if err := requireEntity(ctx, c.EntityID); err != nil {
		return c, &concord.Error{Code: concord.ENOTFOUND, Message: "connection not found"}
	}
	return c, nil
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	var in connections.ConnectInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Connector == "" {
		return concord.Errorf(concord.EINVALID, "connector is required")
	}
	v, err := s.Svc.Connect(r.Context(), actor(r), entityID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	if _, err := s.DB.GetEntity(r.Context(), entityID); err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	cs, next, err := s.DB.ListConnections(r.Context(), store.ConnectionFilter{EntityIDs: []string{entityID}}, pg)
	if err != nil {
		return err
	}
	views := make([]connections.View, 0, len(cs))
	for _, c := range cs {
		v, err := s.Svc.Get(r.Context(), c.ID)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, newList(views, next))
	return nil
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.Svc.Get(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) testConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := s.Svc.Test(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) rotateCredentials(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in connections.RotateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Svc.Rotate(r.Context(), actor(r), c.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) disconnect(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.Svc.Disconnect(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) reconnect(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.Svc.Reconnect(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.LogFilter{Direction: q.Get("direction"), Outcome: q.Get("outcome"), Kind: q.Get("kind")}
	return connectionList(s, w, r, func(ctx context.Context, id string, pg store.Page) ([]concord.LogEntry, string, error) {
		return s.DB.ListLogs(ctx, id, f, pg)
	})
}

func (s *Server) createWrite(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in connections.WriteInput
	if err := decode(r, &in); err != nil {
		return err
	}
	wr, created, err := s.Svc.EnqueueWrite(r.Context(), actor(r), c.ID, in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, wr)
	return nil
}

func (s *Server) getWrite(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	wr, err := s.DB.GetExternalWrite(r.Context(), r.PathValue("write_id"))
	if err != nil {
		return err
	}
	if wr.ConnectionID != c.ID {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "external write not found"}
	}
	writeJSON(w, http.StatusOK, wr)
	return nil
}
