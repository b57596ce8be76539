package connections

import (
	"context"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// TestOutcome is the answer of POST /v1/connections/{id}/test.
type TestOutcome struct {
	OK         bool               `json:"ok"`
	Mode       concord.Mode       `json:"mode,omitempty"`
	AccountID  string             `json:"account_id,omitempty"`
	LatencyMS  int64              `json:"latency_ms"`
	ErrorClass concord.ErrorClass `json:"error_class,omitempty"`
	Message    string             `json:"message"`
	State      concord.State      `json:"state"`
	Reason     string             `json:"state_reason,omitempty"`
}

// Test makes the connector's cheap authenticated call with the stored credential and
// updates the connection's health from what it shows. A changed state is audited.
func (s *Service) Test(ctx context.Context, actor Actor, id string) (TestOutcome, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return TestOutcome{}, err
	}
	if c.State == concord.StateDisconnected {
		return TestOutcome{}, concord.Errorf(concord.ECONFLICT, "connection %s is disconnected; reconnect it first", id)
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return TestOutcome{}, err
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return TestOutcome{}, err
	}
	tester, ok := conn.(connector.Tester)
	if !ok {
		return TestOutcome{}, concord.Errorf(concord.EUNPROCESSABLE, "connector %s has no test call", c.Connector)
	}
	sealed, err := s.DB.Credentials(ctx, id)
	if err != nil {
		return TestOutcome{}, err
	}
	creds, err := s.open(id, sealed)
	if err != nil {
		return TestOutcome{}, err
	}
	sess, err := s.session(c, entity, creds)
	if err != nil {
		return TestOutcome{}, err
	}
	start := time.Now()
	res, terr := tester.Test(connector.WithOperation(ctx, "connection.test"), sess)
	latency := time.Since(start).Milliseconds()

	before := c
	applyTest(&c, entity, res, terr, s.now())
	out := TestOutcome{OK: terr == nil && c.State == concord.StateConnected, Mode: c.Mode, AccountID: c.AccountID,
		LatencyMS: latency, State: c.State, Reason: c.StateReason, Message: c.StateDetail}
	if terr != nil {
		out.ErrorClass = orClass(connector.ClassOf(terr))
	} else if c.StateReason == ReasonModeMismatch {
		out.ErrorClass = concord.ClassModeMismatch
	}
	if res.AccountID != "" && before.AccountID != "" && res.AccountID != before.AccountID {
		// The stored credential now answers for another account: stop and make the operator
		// look, rather than sync one company's records into another's.
		c.State, c.StateReason = concord.StateError, ReasonAccountChange
		c.StateDetail = "the credential now belongs to account " + res.AccountID + ", not " + before.AccountID
		c.AccountID = before.AccountID
		out.OK, out.State, out.Reason, out.Message = false, c.State, c.StateReason, c.StateDetail
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateConnection(ctx, &c); err != nil {
			return err
		}
		if before.State == c.State && before.StateReason == c.StateReason && before.Mode == c.Mode {
			return nil
		}
		return auditTx(ctx, tx, actor, "connection.state_change", "connection:"+c.ID, c.EntityID, "ok",
			stateOf(before), stateOf(c), "after test")
	})
	if err != nil {
		return TestOutcome{}, err
	}
	outcome := concord.OutcomeOK
	if !out.OK {
		outcome = concord.OutcomeError
	}
	s.logAction(ctx, c.ID, "test", outcome, out.ErrorClass, out.Message)
	return out, nil
}

type stateView struct {
	State       concord.State `json:"state"`
	StateReason string        `json:"state_reason"`
	Mode        concord.Mode  `json:"mode"`
	AccountID   string        `json:"account_id"`
}

func stateOf(c concord.Connection) stateView {
	return stateView{State: c.State, StateReason: c.StateReason, Mode: c.Mode, AccountID: c.AccountID}
}
