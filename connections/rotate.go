package connections

import (
	"context"
	"fmt"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// RotateInput is the body of PUT /v1/connections/{id}/credentials.
type RotateInput struct {
	// Credentials holds the fields to replace; fields left out keep their stored value.
	Credentials map[string]string `json:"credentials"`
	// Config, when given, replaces the connection's config in the same change (e.g. a new
	// emulator address); it is validated like a new connection's.
	Config map[string]string `json:"config,omitempty"`
	// ConfirmAccountChange accepts a credential of another external account or mode.
	ConfirmAccountChange bool `json:"confirm_account_change"`
}

// AccountChangeError refuses a rotation that would switch account or mode unconfirmed.
type AccountChangeError struct {
	FromAccount, ToAccount string
	FromMode, ToMode       concord.Mode
}

func (e *AccountChangeError) Error() string {
	return fmt.Sprintf("the new credential belongs to account %q (%s), not %q (%s); set confirm_account_change to switch",
		e.ToAccount, e.ToMode, e.FromAccount, e.FromMode)
}

// Rotate replaces credentials safely: the new credential is tested first; if it belongs to
// another external account or mode the change is refused (409) unless confirmed; either
// way the outcome is audited. A disconnected connection is reconnected by a rotation.
func (s *Service) Rotate(ctx context.Context, actor Actor, id string, in RotateInput) (View, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return View{}, err
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return View{}, err
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return View{}, err
	}
	if len(in.Credentials) == 0 {
		return View{}, concord.Errorf(concord.EINVALID, "credentials: give at least one field to replace")
	}
	sealed, err := s.DB.Credentials(ctx, id)
	if err != nil {
		return View{}, err
	}
	merged, err := s.open(id, sealed)
	if err != nil {
		return View{}, err
	}
	for f, v := range in.Credentials {
		merged[f] = v
	}
	declared, declaredOK, err := checkCredentials(conn, merged)
	if err != nil {
		return View{}, err
	}
	next := c
	if in.Config != nil {
		if err := s.checkConfig(conn.Describe(), entity, in.Config); err != nil {
			return View{}, err
		}
		next.Config = in.Config
	}
	if declaredOK {
		next.Mode = declared
	}
	if tester, ok := conn.(connector.Tester); ok {
		sess, err := s.session(next, entity, merged)
		if err != nil {
			return View{}, err
		}
		res, terr := tester.Test(connector.WithOperation(ctx, "rotate.test"), sess)
		if terr != nil {
			s.auditRefusal(ctx, actor, c, "connection.rotate_credentials", "new credential failed its test: "+concord.ErrorMessage(asSafe(terr)))
			return View{}, &concord.Error{Code: concord.EUNPROCESSABLE, Class: connector.ClassOf(terr),
				Message: "the new credential failed its test; nothing was changed: " + concord.ErrorMessage(asSafe(terr))}
		}
		applyTest(&next, entity, res, nil, s.now())
	}
	accountChanged := c.AccountID != "" && next.AccountID != "" && next.AccountID != c.AccountID
	modeChanged := c.Mode != "" && next.Mode != c.Mode
	if (accountChanged || modeChanged) && !in.ConfirmAccountChange {
		ace := &AccountChangeError{FromAccount: c.AccountID, ToAccount: next.AccountID, FromMode: c.Mode, ToMode: next.Mode}
		s.auditRefusal(ctx, actor, c, "connection.rotate_credentials", ace.Error())
		return View{}, &concord.Error{Code: concord.ECONFLICT, Message: ace.Error()}
	}
	applyMode(&next, entity)
	next.DisconnectedAt, next.CredentialsPurgeAt = nil, nil
	newSealed, err := s.seal(id, merged)
	if err != nil {
		return View{}, err
	}
	beforeView, afterView := s.viewWith(c, sealed), s.viewWith(next, newSealed)
	detail := ""
	if accountChanged || modeChanged {
		detail = "account or mode change confirmed by the operator"
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateConnection(ctx, &next); err != nil {
			return err
		}
		if err := tx.PutCredentials(ctx, id, newSealed); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "connection.rotate_credentials", "connection:"+id, c.EntityID, "ok", beforeView, afterView, detail)
	})
	if err != nil {
		return View{}, err
	}
	s.changed(id)
	s.logAction(ctx, id, "rotate_credentials", concord.OutcomeOK, "", "credentials replaced after a passing test")
	afterView.Connection.UpdatedAt = next.UpdatedAt
	return afterView, nil
}

// auditRefusal records a refused change; the refusal itself must not fail the request.
func (s *Service) auditRefusal(ctx context.Context, actor Actor, c concord.Connection, action, why string) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return auditTx(ctx, tx, actor, action, "connection:"+c.ID, c.EntityID, "denied", nil, nil, why)
	})
	if err != nil && s.Log != nil {
		s.Log.Warn("audit refusal failed", "connection_id", c.ID, "err", err)
	}
}
