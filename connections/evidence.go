package connections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Reasons recorded in Connection.StateReason besides the error classes.
const (
	ReasonTestPassed    = "test_passed"
	ReasonNotTested     = "not_tested"
	ReasonDisconnected  = "disconnected_by_operator"
	ReasonPurged        = "credentials_destroyed"
	ReasonModeMismatch  = string(concord.ClassModeMismatch)
	ReasonCallsFailing  = "calls_failing"
	ReasonAccountChange = "account_changed"
	ReasonWebhookGap    = "webhook_failure"
)

// applyTest sets the connection's state from the evidence of one test call. It is the one
// place that turns a test outcome into health, so the API, the CLI and later the triage
// read the same state.
func applyTest(c *concord.Connection, entity concord.Entity, res connector.TestResult, err error, at time.Time) {
	c.LastTestedAt = &at
	if err != nil {
		class := connector.ClassOf(err)
		if st, reason, ok := class.StateFor(); ok {
			c.State, c.StateReason = st, reason
		} else {
			c.State, c.StateReason = concord.StateError, string(orClass(class))
		}
		c.StateDetail = "test failed: " + concord.ErrorMessage(asSafe(err))
		return
	}
	if res.Mode != "" {
		c.Mode = res.Mode
	}
	if res.AccountID != "" {
		c.AccountID = res.AccountID
	}
	c.LastActivityAt = &at
	applyMode(c, entity)
	if c.State != concord.StateError {
		c.State, c.StateReason = concord.StateConnected, ReasonTestPassed
		c.StateDetail = "test passed"
		if res.Message != "" {
			c.StateDetail += ": " + res.Message
		}
	}
}

// applyMode puts a connection whose mode differs from its entity's in state error with
// reason mode_mismatch; every outbound write on it is then refused.
func applyMode(c *concord.Connection, entity concord.Entity) {
	if c.Mode != "" && c.Mode != entity.Mode {
		c.State, c.StateReason = concord.StateError, ReasonModeMismatch
		c.StateDetail = fmt.Sprintf("the credential is a %s credential but entity %q is a %s entity; outbound work is stopped",
			c.Mode, entity.Name, entity.Mode)
	}
}

// ModeMismatch reports whether outbound work on c must be refused for its mode.
func ModeMismatch(c concord.Connection, entity concord.Entity) bool {
	return c.Mode != "" && c.Mode != entity.Mode
}

func orClass(c concord.ErrorClass) concord.ErrorClass {
	if c == concord.ClassNone {
		return concord.ClassUnavailable
	}
	return c
}

// asSafe turns any error into one whose message may be shown: external errors carry a
// redacted message, internal ones are not shown.
func asSafe(err error) error {
	var ee *connector.ExternalError
	if errors.As(err, &ee) {
		return &concord.Error{Code: concord.EEXTERNAL, Message: ee.Error(), Class: ee.Class}
	}
	return err
}

// NoteEvidence records evidence about a connection's health found outside a test (a webhook
// gap found by polling, say): a connected connection moves to state with reason and detail,
// audited. A connection already in a worse state, or disconnected, is left as it is.
func (s *Service) NoteEvidence(ctx context.Context, id string, state concord.State, reason, detail string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.GetConnection(ctx, id)
		if err != nil {
			return err
		}
		if c.State != concord.StateConnected && !(c.State == state && c.StateReason == reason) {
			return nil
		}
		before := stateOf(c)
		c.State, c.StateReason, c.StateDetail = state, reason, detail
		if err := tx.UpdateConnection(ctx, &c); err != nil {
			return err
		}
		if before.State == c.State && before.StateReason == c.StateReason {
			return nil
		}
		return auditTx(ctx, tx, System, "connection.state_change", "connection:"+id, c.EntityID, "ok", before, stateOf(c), detail)
	})
}
