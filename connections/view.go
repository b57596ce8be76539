package connections

import (
	"context"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/vault"
)

// View is a connection as the API and pages show it: credentials masked, webhook URL built.
type View struct {
	concord.Connection
	WebhookURL string `json:"webhook_url"`
}

// Get returns the view of one connection.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

func (s *Service) view(ctx context.Context, c concord.Connection) (View, error) {
	sealed, err := s.DB.Credentials(ctx, c.ID)
	if err != nil {
		return View{}, err
	}
	return s.viewWith(c, sealed), nil
}

// viewWith masks each credential. A value that cannot be opened is shown as unreadable
// rather than failing the whole view: the operator must still see the connection.
func (s *Service) viewWith(c concord.Connection, sealed map[string]string) View {
	c.CredentialsMasked = make(map[string]string, len(sealed))
	for f, v := range sealed {
		plain, err := s.Keys.Open(c.ID, f, v)
		if err != nil {
			c.CredentialsMasked[f] = "(unreadable with the current master key)"
			continue
		}
		c.CredentialsMasked[f] = vault.Mask(plain)
	}
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	return View{Connection: c, WebhookURL: strings.TrimRight(s.PublicURL, "/") + "/hooks/" + c.ID}
}

// CreateEntity creates an entity and audits it.
func (s *Service) CreateEntity(ctx context.Context, actor Actor, name string, mode concord.Mode) (concord.Entity, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return concord.Entity{}, concord.Errorf(concord.EINVALID, "name is required (at most 200 characters)")
	}
	if !mode.Valid() {
		return concord.Entity{}, concord.Errorf(concord.EINVALID, "mode must be \"sandbox\" or \"production\"")
	}
	e := concord.Entity{Name: name, Mode: mode, Active: true}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateEntity(ctx, &e); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "entity.create", "entity:"+e.ID, e.ID, "ok", nil, e, "")
	})
	return e, err
}
