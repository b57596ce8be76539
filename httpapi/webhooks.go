package httpapi

import (
	"net/http"
	"time"
)

func (s *Server) webhooksPanel(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.Webhooks.View(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) webhookEvents(w http.ResponseWriter, r *http.Request) error {
	return connectionList(s, w, r, s.DB.ListWebhookEvents)
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := s.Webhooks.SendTest(r.Context(), c.ID, 10*time.Second)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) replayWebhookEvent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ev, err := s.Webhooks.Replay(r.Context(), c.ID, r.PathValue("event_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

func (s *Server) recoverWebhooks(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := s.Webhooks.Recover(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	objs, err := s.DB.ListObjects(r.Context(), c.ID, r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(objs, ""))
	return nil
}

func (s *Server) registerWebhooks(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	created, err := s.Webhooks.Register(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": created})
	return nil
}
