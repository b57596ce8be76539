package connections

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Opened is a connection ready for a connector call: its row, entity, connector and a
// session holding its decrypted credentials.
type Opened struct {
	Connection concord.Connection
	Entity     concord.Entity
	Connector  connector.Connector
	Session    *connector.Session
}

// Open loads a connection with everything a connector call needs.
func (s *Service) Open(ctx context.Context, id string) (Opened, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return Opened{}, err
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return Opened{}, err
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return Opened{}, err
	}
	sealed, err := s.DB.Credentials(ctx, id)
	if err != nil {
		return Opened{}, err
	}
	creds, err := s.open(id, sealed)
	if err != nil {
		return Opened{}, err
	}
	sess, err := s.session(c, entity, creds)
	if err != nil {
		return Opened{}, err
	}
	return Opened{Connection: c, Entity: entity, Connector: conn, Session: sess}, nil
}
