package connections

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// Summary is the Integrations page's summary cards.
type Summary struct {
	Connected  int `json:"connected"`
	Sandbox    int `json:"sandbox"`
	Production int `json:"production"`
	Errors     int `json:"errors"`
}

// Card is one connector card of the Integrations page.
type Card struct {
	View
	Title   string   `json:"title"`
	Kind    string   `json:"kind"`
	Actions []string `json:"actions"`
}

// Integrations is what the Integrations page shows for one entity.
type Integrations struct {
	Entity  concord.Entity `json:"entity"`
	Summary Summary        `json:"summary"`
	Cards   []Card         `json:"cards"`
}

// Integrations builds the Integrations page of an entity: summary counts and one card per
// connection. Mode counts use the connection's derived mode (the credential's), not the
// entity's, so a live key in a sandbox entity shows up as production. The API
// (GET /v1/entities/{id}/integrations) and the dashboard both serve exactly this.
func (s *Service) Integrations(ctx context.Context, entityID string) (Integrations, error) {
	e, err := s.DB.GetEntity(ctx, entityID)
	if err != nil {
		return Integrations{}, err
	}
	out := Integrations{Entity: e, Cards: []Card{}}
	cursor := ""
	for {
		cs, next, err := s.DB.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{entityID}}, store.Page{Limit: 500, Cursor: cursor})
		if err != nil {
			return Integrations{}, err
		}
		for _, c := range cs {
			v, err := s.view(ctx, c)
			if err != nil {
				return Integrations{}, err
			}
			card := Card{View: v, Actions: actionsFor(c)}
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
			return out, nil
		}
		cursor = next
	}
}

func actionsFor(c concord.Connection) []string {
	if c.State == concord.StateDisconnected {
		return []string{"reconnect", "log"}
	}
	return []string{"configure", "test", "log", "disconnect"}
}
