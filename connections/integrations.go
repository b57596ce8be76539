package connections

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// add counts one connection in the summary.
func (s *Summary) add(c concord.Connection) {
	switch c.State {
	case concord.StateConnected:
		s.Connected++
	case concord.StateError, concord.StateExpired:
		s.Errors++
	}
	switch c.Mode {
	case concord.ModeSandbox:
		s.Sandbox++
	case concord.ModeProduction:
		s.Production++
	}
}

// SummaryOf is the summary cards of these connections.
func SummaryOf(cs []concord.Connection) Summary {
	var s Summary
	for _, c := range cs {
		s.add(c)
	}
	return s
}

// Card is one connector card of the Integrations page.
type Card struct {
	View
	Title   string   `json:"title"`
	Kind    string   `json:"kind"`
	Actions []string `json:"actions"`
	// Attention lists the signs of trouble a healthy-looking state does not show: refused
	// webhooks, failed events, open drift, stale records, a waiting mapping inbox.
	Attention []Attention `json:"attention"`
}

// Attention is one warning sign on a card, with where to look.
type Attention struct {
	Kind    string `json:"kind"` // webhook_rejections, webhook_failed_events, outbound_failed, drift, stale, mapping_inbox
	Count   int    `json:"count"`
	Message string `json:"message"`
	Tab     string `json:"tab"` // the Configure tab that shows it
}

// attention turns a connection's counts into the card's warning signs, most urgent first.
func attention(a store.Attention) []Attention {
	out := []Attention{}
	if a.Rejected > 0 {
		msg := fmt.Sprintf("%s webhook deliver%s refused in 24 h", count(a.Rejected), plural(a.Rejected, "y", "ies"))
		if a.LastRejection != "" {
			msg += " (" + strings.ReplaceAll(a.LastRejection, "_", " ") + ")"
		}
		out = append(out, Attention{Kind: "webhook_rejections", Count: a.Rejected, Message: msg, Tab: "webhooks"})
	}
	if a.FailedEvents > 0 {
		out = append(out, Attention{Kind: "webhook_failed_events", Count: a.FailedEvents, Tab: "webhooks",
			Message: fmt.Sprintf("%s webhook event%s failed to process", count(a.FailedEvents), plural(a.FailedEvents, "", "s"))})
	}
	if a.OutboundFailed > 0 {
		msg := fmt.Sprintf("%s outbound change%s refused by the service", count(a.OutboundFailed), plural(a.OutboundFailed, "", "s"))
		if a.LastOutboundError != "" {
			msg += " (newest: " + a.LastOutboundError + ")"
		}
		out = append(out, Attention{Kind: "outbound_failed", Count: a.OutboundFailed, Message: msg, Tab: "sync"})
	}
	if a.Stale > 0 {
		out = append(out, Attention{Kind: "stale", Count: a.Stale, Tab: "mapping",
			Message: fmt.Sprintf("%s mapped record%s gone or changed on the service", count(a.Stale), plural(a.Stale, "", "s"))})
	}
	if a.OpenDrifts > 0 {
		out = append(out, Attention{Kind: "drift", Count: a.OpenDrifts, Tab: "mapping",
			Message: fmt.Sprintf("%s open drift%s: the two sides disagree", count(a.OpenDrifts), plural(a.OpenDrifts, "", "s"))})
	}
	if a.Suggested > 0 {
		out = append(out, Attention{Kind: "mapping_inbox", Count: a.Suggested, Tab: "mapping",
			Message: fmt.Sprintf("%s suggested mapping%s waiting in the inbox", count(a.Suggested), plural(a.Suggested, "", "s"))})
	}
	return out
}

// count writes n, or "more than 10,000" at the store's cap.
func count(n int) string {
	if n > store.CountCap {
		return fmt.Sprintf("more than %d", store.CountCap)
	}
	return fmt.Sprint(n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
			att, err := s.DB.ConnectionAttention(ctx, c.ID, s.DB.Now().Add(-24*time.Hour))
			if err != nil {
				return Integrations{}, err
			}
			card := Card{View: v, Actions: actionsFor(c), Attention: attention(att)}
			if conn, ok := s.Registry.Get(c.Connector); ok {
				d := conn.Describe()
				card.Title, card.Kind = d.Title, d.Kind
			}
			out.Summary.add(c)
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
