package triage

import (
	"context"
	"fmt"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
)

// Fixes of BRIEF's failure table, as first steps the operator takes.
const (
	fixReauthorize = "reconnect or rotate credentials (PUT /v1/connections/{id}/credentials); the new credential is tested first"
	fixReconnect   = "reconnect only after confirming the right external account and mode"
)

// checkMode is step 1: the entity's mode against the mode the credential itself showed.
// Its evidence is the calls refused for the mode (from errs, the log's recent errors) and
// the connection's audit history, where the credential was stored.
func checkMode(r *report, c concord.Connection, e concord.Entity, errs []concord.LogEntry, now time.Time) Step {
	s := Step{Step: StepEntityMode}
	switch {
	case connections.ModeMismatch(c, e) || c.StateReason == connections.ReasonModeMismatch:
		s.Status = Fail
		s.Finding = fmt.Sprintf("entity %q is %s but the connection's credential is %s; outbound work is stopped",
			e.Name, e.Mode, orWord(string(c.Mode), "of another mode"))
		s.Fix = fmt.Sprintf("stop outbound work, confirm the entity, reconnect with a %s credential", e.Mode)
		s.Evidence = append(logsEvidence(c, errs, now, ofClass(concord.ClassModeMismatch)),
			auditEvidence(c, 0, "who stored this credential, and whether the mismatch was confirmed"))
		r.blame(ModeMismatch, s.Fix)
		r.cite(ModeMismatch, s.Evidence...)
	case c.Mode == "":
		s.Status = Warn
		s.Finding = fmt.Sprintf("entity %q is %s; the connection's mode is not known yet (not tested)", e.Name, e.Mode)
	default:
		s.Status = OK
		s.Finding = fmt.Sprintf("entity %q and its connection are both %s", e.Name, e.Mode)
	}
	return s
}

// checkState is step 2: the health state the hub holds, with its reason and detail. Its
// evidence is what recorded that state: the failing calls of errs (the log's recent errors),
// the audit history, the events or runs behind it.
func checkState(r *report, c concord.Connection, errs []concord.LogEntry, now time.Time) Step {
	s := Step{Step: StepState, Finding: stateWords(c)}
	authErrors := ofClass(concord.ClassAuthExpired, concord.ClassRevoked)
	switch c.State {
	case concord.StateConnected:
		s.Status = OK
	case concord.StateNotConnected:
		s.Status = Warn
		s.Fix = "run the test to prove the credential"
	case concord.StateDisconnected:
		s.Status = Fail
		switch {
		case c.StateReason == connections.ReasonPurged:
			s.Fix = fixReconnect + "; the recovery window ended and the credentials were destroyed, so connect again with new credentials"
		case c.CredentialsPurgeAt != nil:
			s.Fix = fixReconnect + "; POST /v1/connections/{id}/reconnect restores it with the kept credentials until " +
				c.CredentialsPurgeAt.UTC().Format("2006-01-02 15:04 UTC") + ", after which they are destroyed"
		default:
			s.Fix = fixReconnect
		}
		s.Evidence = []Evidence{auditEvidence(c, 0, "who disconnected it, and when")}
		r.blame(Disconnected, s.Fix)
		r.cite(Disconnected, s.Evidence...)
	case concord.StateExpired:
		s.Status = Fail
		s.Fix = fixReauthorize
		s.Evidence = logsEvidence(c, errs, now, authErrors)
		r.blame(AuthorizationExpired, s.Fix)
		r.cite(AuthorizationExpired, s.Evidence...)
	case concord.StateError:
		s.Status = Fail
		switch c.StateReason {
		case connections.ReasonModeMismatch:
			s.Fix = "see the entity mode step"
		case connections.ReasonWebhookGap:
			s.Fix = "check URL, secret, event list, subscription status; then recover the missed events (POST /v1/connections/{id}/webhooks/recover)"
			s.Evidence = []Evidence{gapEvidence(c)}
			r.blame(WebhookFailure, s.Fix)
			r.cite(WebhookFailure, s.Evidence...)
		case "sync_count_mismatch":
			s.Fix = "a run reported success but moved fewer records than the service holds: pick the source of truth, then re-sync or correct on purpose"
			s.Evidence = []Evidence{countMismatchEvidence(c)}
			r.blame(SyncDrift, s.Fix)
			r.cite(SyncDrift, s.Evidence...)
		case connections.ReasonAccountChange:
			// The saved credential no longer answers for the account it was proven on: as
			// with an expired one, the cure is a new credential, proven first.
			s.Fix = "the credential now answers for another account: rotate to a credential of the original account, or confirm the account change on purpose"
			s.Evidence = append(logsEvidence(c, errs, now, authErrors), auditEvidence(c, 0, "the account the credential was proven on"))
			r.blame(AuthorizationExpired, s.Fix)
			r.cite(AuthorizationExpired, s.Evidence...)
		default:
			// Outages and timeouts are the service's: concord retries them; nothing to name.
			s.Status = Warn
			s.Fix = "the service is failing calls (" + orWord(c.StateReason, "unknown reason") + "); concord retries; check the service's status"
			s.Evidence = logsEvidence(c, errs, now, ofClass(concord.ErrorClass(c.StateReason)))
		}
	default:
		s.Status = Warn
	}
	return s
}

func stateWords(c concord.Connection) string {
	w := "state " + string(c.State)
	if c.StateReason != "" {
		w += " (" + c.StateReason + ")"
	}
	if c.StateDetail != "" {
		w += ": " + c.StateDetail
	}
	return w
}

// checkTest is step 6: the connector's one cheap authenticated call, unless disconnected.
func (t *Triage) checkTest(ctx context.Context, r *report, actor connections.Actor, c concord.Connection, e concord.Entity) Step {
	s := Step{Step: StepTest}
	if c.State == concord.StateDisconnected {
		s.Status, s.Finding = Skipped, "not run: the connection is disconnected"
		return s
	}
	started := t.DB.Now()
	out, err := t.Svc.Test(ctx, actor, c.ID)
	if concord.ErrorCode(err) == concord.EUNPROCESSABLE {
		s.Status, s.Finding = Skipped, concord.ErrorMessage(err)
		return s
	}
	if err != nil {
		s.Status, s.Finding = Fail, "the test could not run: "+concord.ErrorMessage(err)
		return s
	}
	if out.OK {
		s.Status = OK
		s.Finding = fmt.Sprintf("passed in %d ms: mode %s, account %s", out.LatencyMS, orWord(string(out.Mode), "-"),
			orWord(out.AccountID, "-"))
		if c.State != concord.StateConnected {
			// The credential works and is in the entity's mode now: the stored state was
			// older evidence, and the test has just replaced it.
			delete(r.failures, AuthorizationExpired)
			delete(r.failures, ModeMismatch)
			delete(r.evidence, AuthorizationExpired)
			delete(r.evidence, ModeMismatch)
			s.Finding += "; the state is now connected"
		}
		return s
	}
	if out.ErrorClass == concord.ClassNone && out.Reason != connections.ReasonAccountChange {
		// The call itself passed; the state stays as other evidence (a webhook gap, a
		// short sync run) put it, and the step that read that evidence names it.
		s.Status = OK
		s.Finding = fmt.Sprintf("the authenticated call passed in %d ms; the state stays %s (%s) from other evidence",
			out.LatencyMS, out.State, out.Reason)
		return s
	}
	s.Status = Fail
	s.Finding = fmt.Sprintf("failed (%s): %s", orWord(string(out.ErrorClass), out.Reason), out.Message)
	s.Evidence = t.testEvidence(ctx, c, started)
	switch {
	case out.ErrorClass == concord.ClassModeMismatch:
		s.Fix = fmt.Sprintf("stop outbound work, confirm the entity, reconnect with a %s credential", e.Mode)
		r.blame(ModeMismatch, s.Fix)
		r.cite(ModeMismatch, s.Evidence...)
	case out.ErrorClass == concord.ClassAuthExpired || out.ErrorClass == concord.ClassRevoked:
		s.Fix = fixReauthorize
		r.blame(AuthorizationExpired, s.Fix)
		r.cite(AuthorizationExpired, s.Evidence...)
	case out.Reason == connections.ReasonAccountChange:
		s.Fix = "the credential now answers for another account: rotate to a credential of the original account, or confirm the account change on purpose"
		r.blame(AuthorizationExpired, s.Fix)
		r.cite(AuthorizationExpired, s.Evidence...)
	case out.ErrorClass.Retryable():
		s.Status = Warn
		s.Fix = "the service did not answer well (" + string(out.ErrorClass) + "); try again later"
	}
	return s
}

// testEvidence links the log entries the test call wrote since started (a failed test
// logs its call; an answer refused for the mode or account may log none).
func (t *Triage) testEvidence(ctx context.Context, c concord.Connection, started time.Time) []Evidence {
	entries, _, err := t.DB.ListLogs(ctx, c.ID, store.LogFilter{Outcome: concord.OutcomeError, Since: started},
		store.Page{Limit: maxEvidence})
	if err != nil {
		return nil
	}
	return logsEvidence(c, entries, t.DB.Now(), nil)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func ago(now, t time.Time) string {
	return now.Sub(t).Round(time.Second).String() + " ago"
}
