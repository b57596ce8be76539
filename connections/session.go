package connections

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
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
	if err := s.refreshIfDue(ctx, c, conn, sess); err != nil {
		return Opened{}, err
	}
	return Opened{Connection: c, Entity: entity, Connector: conn, Session: sess}, nil
}

// refreshIfDue renews an expiring token before the connection is used and stores the new
// credential at once (sealed, audited): the provider spent the old refresh token when it
// answered. A refusal marks the connection expired.
func (s *Service) refreshIfDue(ctx context.Context, c concord.Connection, conn connector.Connector, sess *connector.Session) error {
	r, ok := conn.(connector.TokenRefresher)
	if !ok || c.State == concord.StateDisconnected {
		return nil
	}
	next, refreshed, err := r.RefreshIfDue(connector.WithOperation(ctx, "token.refresh"), sess)
	if err != nil {
		if class := connector.ClassOf(err); class == concord.ClassAuthExpired || class == concord.ClassRevoked {
			_ = s.NoteEvidence(ctx, c.ID, concord.StateExpired, string(class), "token refresh refused: "+concord.ErrorMessage(asSafe(err)))
		}
		return asSafe(err)
	}
	if !refreshed {
		return nil
	}
	sealed, err := s.seal(c.ID, next)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutCredentials(ctx, c.ID, sealed); err != nil {
			return err
		}
		return auditTx(ctx, tx, System, "connection.token_refresh", "connection:"+c.ID, c.EntityID, "ok", nil, nil, "expiring token renewed")
	})
	if err != nil {
		return err
	}
	sess.Credentials = next
	s.changed(c.ID)
	s.logAction(ctx, c.ID, "token_refresh", concord.OutcomeOK, "", "expiring token renewed ahead of expiry")
	return nil
}
