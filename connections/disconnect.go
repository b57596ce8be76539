package connections

import (
	"context"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Disconnect stops future sync and actions on a connection. Nothing is deleted: history,
// logs and audit stay, and the credentials are kept for the recovery window, after which a
// periodic job destroys them. Disconnecting twice is not an error.
func (s *Service) Disconnect(ctx context.Context, actor Actor, id string) (View, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return View{}, err
	}
	if c.State == concord.StateDisconnected {
		return s.view(ctx, c)
	}
	before := stateOf(c)
	now := s.now()
	purge := recoveryDeadline(now)
	c.State, c.StateReason = concord.StateDisconnected, ReasonDisconnected
	c.StateDetail = "disconnected by the operator; credentials are kept until " + purge.Format("2006-01-02 15:04 UTC")
	c.DisconnectedAt, c.CredentialsPurgeAt = &now, &purge
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateConnection(ctx, &c); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "connection.disconnect", "connection:"+id, c.EntityID, "ok", before, stateOf(c), "")
	})
	if err != nil {
		return View{}, err
	}
	s.changed(id)
	s.Outbound.Forget(id)
	s.logAction(ctx, id, "disconnect", concord.OutcomeOK, "", c.StateDetail)
	return s.view(ctx, c)
}

// Reconnect restores a disconnected connection inside the recovery window. The kept
// credential is tested first and must still answer for the same account and mode.
func (s *Service) Reconnect(ctx context.Context, actor Actor, id string) (View, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return View{}, err
	}
	if c.State != concord.StateDisconnected {
		return View{}, concord.Errorf(concord.ECONFLICT, "connection %s is not disconnected (state %s)", id, c.State)
	}
	sealed, err := s.DB.Credentials(ctx, id)
	if err != nil {
		return View{}, err
	}
	if len(sealed) == 0 || (c.CredentialsPurgeAt != nil && !s.now().Before(*c.CredentialsPurgeAt)) {
		return View{}, concord.Errorf(concord.ECONFLICT,
			"the recovery window has passed and the credentials were destroyed; connect again with PUT /v1/connections/%s/credentials", id)
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return View{}, err
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return View{}, err
	}
	creds, err := s.open(id, sealed)
	if err != nil {
		return View{}, err
	}
	before := stateOf(c)
	next := c
	next.DisconnectedAt, next.CredentialsPurgeAt = nil, nil
	next.State, next.StateReason, next.StateDetail = concord.StateNotConnected, ReasonNotTested, "reconnected; not tested"
	if tester, ok := conn.(connector.Tester); ok {
		sess, err := s.session(c, entity, creds)
		if err != nil {
			return View{}, err
		}
		res, terr := tester.Test(connector.WithOperation(ctx, "reconnect.test"), sess)
		if terr != nil {
			s.auditRefusal(ctx, actor, c, "connection.reconnect", "kept credential failed its test: "+concord.ErrorMessage(asSafe(terr)))
			return View{}, &concord.Error{Code: concord.EUNPROCESSABLE, Class: connector.ClassOf(terr),
				Message: "the kept credential failed its test; rotate it with PUT /v1/connections/" + id + "/credentials: " + concord.ErrorMessage(asSafe(terr))}
		}
		applyTest(&next, entity, res, nil, s.now())
		if c.AccountID != "" && next.AccountID != c.AccountID {
			s.auditRefusal(ctx, actor, c, "connection.reconnect", "kept credential now answers for account "+next.AccountID)
			return View{}, concord.Errorf(concord.ECONFLICT,
				"the kept credential now answers for account %s, not %s; rotate credentials with confirm_account_change to switch", next.AccountID, c.AccountID)
		}
	}
	applyMode(&next, entity)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateConnection(ctx, &next); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "connection.reconnect", "connection:"+id, c.EntityID, "ok", before, stateOf(next), "")
	})
	if err != nil {
		return View{}, err
	}
	s.changed(id)
	s.logAction(ctx, id, "reconnect", concord.OutcomeOK, "", next.StateDetail)
	return s.viewWith(next, sealed), nil
}

// PurgeExpiredCredentials destroys the credentials of connections disconnected longer than
// the recovery window, auditing each. It returns how many connections it purged.
func (s *Service) PurgeExpiredCredentials(ctx context.Context) (int, error) {
	ids, err := s.DB.ConnectionsToPurge(ctx, s.now())
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			c, err := tx.GetConnection(ctx, id)
			if err != nil {
				return err
			}
			n, err := tx.DeleteCredentials(ctx, id)
			if err != nil {
				return err
			}
			before := stateOf(c)
			c.CredentialsPurgeAt = nil
			c.StateReason, c.StateDetail = ReasonPurged, "disconnected; the recovery window ended and the credentials were destroyed"
			if err := tx.UpdateConnection(ctx, &c); err != nil {
				return err
			}
			return auditTx(ctx, tx, System, "connection.credentials_destroyed", "connection:"+id, c.EntityID, "ok",
				before, stateOf(c), fmtCount(n, "credential field"))
		})
		if err != nil {
			return 0, err
		}
		s.logAction(ctx, id, "credentials_destroyed", concord.OutcomeOK, "", "recovery window ended")
	}
	return len(ids), nil
}
