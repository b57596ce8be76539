package connections

import (
	"context"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// ConnectInput is the body of a connect request.
type ConnectInput struct {
	Connector   string            `json:"connector"`
	Credentials map[string]string `json:"credentials"`
	Config      map[string]string `json:"config"`
	// ConfirmModeMismatch stores a connection whose credential mode differs from the
	// entity's; it is kept in state error (mode_mismatch) and no outbound work runs on it.
	ConfirmModeMismatch bool `json:"confirm_mode_mismatch"`
}

// Connect validates the credential, tests it against the service, and stores the
// connection with its sealed credentials and an audit entry, all in one transaction.
// A credential the service refuses, or whose mode differs from the entity's (unless
// confirmed), is refused and nothing is stored.
func (s *Service) Connect(ctx context.Context, actor Actor, entityID string, in ConnectInput) (View, error) {
	entity, err := s.DB.GetEntity(ctx, entityID)
	if err != nil {
		return View{}, err
	}
	if !entity.Active {
		return View{}, concord.Errorf(concord.ECONFLICT, "entity %s is inactive", entity.ID)
	}
	conn, err := s.connector(in.Connector)
	if err != nil {
		return View{}, err
	}
	d := conn.Describe()
	if in.Config == nil {
		in.Config = map[string]string{}
	}
	if err := s.checkConfig(d, entity, in.Config); err != nil {
		return View{}, err
	}
	declared, ok, err := checkCredentials(conn, in.Credentials)
	if err != nil {
		return View{}, err
	}
	if ok && declared != entity.Mode && !in.ConfirmModeMismatch {
		return View{}, modeMismatchError(d.Title, declared, entity)
	}

	c := concord.Connection{ID: store.NewID("con"), EntityID: entity.ID, Connector: d.Name,
		State: concord.StateNotConnected, StateReason: ReasonNotTested, Config: in.Config}
	if ok {
		c.Mode = declared
	}
	if tester, ok := conn.(connector.Tester); ok {
		sess, err := s.session(c, entity, in.Credentials)
		if err != nil {
			return View{}, err
		}
		res, terr := tester.Test(connector.WithOperation(ctx, "connect.test"), sess)
		if terr != nil && refusesCredential(terr) {
			return View{}, &concord.Error{Code: concord.EUNPROCESSABLE, Class: connector.ClassOf(terr),
				Message: "the service refused the credential: " + concord.ErrorMessage(asSafe(terr))}
		}
		applyTest(&c, entity, res, terr, s.now())
		if ModeMismatch(c, entity) && !in.ConfirmModeMismatch {
			return View{}, modeMismatchError(d.Title, c.Mode, entity)
		}
	}
	applyMode(&c, entity)
	sealed, err := s.seal(c.ID, in.Credentials)
	if err != nil {
		return View{}, err
	}
	view := s.viewWith(c, sealed)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateConnection(ctx, &c); err != nil {
			return err
		}
		if err := tx.PutCredentials(ctx, c.ID, sealed); err != nil {
			return err
		}
		view.Connection.CreatedAt, view.Connection.UpdatedAt = c.CreatedAt, c.UpdatedAt
		return auditTx(ctx, tx, actor, "connection.create", "connection:"+c.ID, entity.ID, "ok", nil, view, "")
	})
	if err != nil {
		return View{}, err
	}
	s.logAction(ctx, c.ID, "connect", concord.OutcomeOK, "", "connected "+d.Name+" in state "+string(c.State))
	return view, nil
}

// refusesCredential reports whether a test failure means the credential itself is bad (as
// opposed to the service being down, when the connection may still be saved).
func refusesCredential(err error) bool {
	switch connector.ClassOf(err) {
	case concord.ClassAuthExpired, concord.ClassRevoked, concord.ClassValidation:
		return true
	}
	return false
}

func modeMismatchError(title string, got concord.Mode, entity concord.Entity) error {
	return &concord.Error{Code: concord.EMODEMISMATCH, Class: concord.ClassModeMismatch,
		Message: "the " + title + " credential is a " + string(got) + " credential but entity " + entity.ID +
			" is a " + string(entity.Mode) + " entity; use a " + string(entity.Mode) + " credential" +
			" (or set confirm_mode_mismatch to store it stopped, in state error)"}
}

// recoveryDeadline is when a disconnection's credentials are destroyed.
func recoveryDeadline(at time.Time) time.Time { return at.Add(concord.RecoveryWindow) }
