package httpapi

import (
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
)

// integrationsSummary is the dashboard's summary cards.
type integrationsSummary struct {
	Connected  int `json:"connected"`
	Sandbox    int `json:"sandbox"`
	Production int `json:"production"`
	Errors     int `json:"errors"`
}

// integrationCard is one connector card of the dashboard.
type integrationCard struct {
	connections.View
	Title   string   `json:"title"`
	Kind    string   `json:"kind"`
	Actions []string `json:"actions"`
}

type integrations struct {
	Entity  concord.Entity      `json:"entity"`
	Summary integrationsSummary `json:"summary"`
	Cards   []integrationCard   `json:"cards"`
}

// integrations is the Integrations dashboard's data: summary counts and one card per
// connection. Mode counts use the connection's derived mode (the credential's), not the
// entity's, so a live key in a sandbox entity shows up as production.
func (s *Server) integrations(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	e, err := s.DB.GetEntity(r.Context(), entityID)
	if err != nil {
		return err
	}
	out := integrations{Entity: e, Cards: []integrationCard{}}
	cursor := ""
	for {
		cs, next, err := s.DB.ListConnections(r.Context(), store.ConnectionFilter{EntityIDs: []string{entityID}}, store.Page{Limit: 500, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, c := range cs {
			v, err := s.Svc.Get(r.Context(), c.ID)
			if err != nil {
				return err
			}
			card := integrationCard{View: v, Actions: actionsFor(c)}
			if conn, ok := s.Registry.Get(c.Connector); ok {
				d := conn.Describe()
				card.Title, card.Kind = d.Title, d.Kind
			}
			switch c.State {
			case concord.StateConnected:
				out.Summary.Connected++
			case concord.StateError, concord.StateExpired:
				out.Summary.Errors++
			}
			switch c.Mode {
			case concord.ModeSandbox:
				out.Summary.Sandbox++
			case concord.ModeProduction:
				out.Summary.Production++
			}
			out.Cards = append(out.Cards, card)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func actionsFor(c concord.Connection) []string {
	if c.State == concord.StateDisconnected {
		return []string{"reconnect", "log"}
	}
	return []string{"configure", "test", "log", "disconnect"}
}
