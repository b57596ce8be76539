// Package concord holds the domain of the integrations hub: entities, connections, their
// modes and health states, and the one classification of external failures that drives
// retries, health and the operator's wording. Technology lives in subpackages; wiring in cmd/.
package concord

import (
	"time"
)

// Mode is sandbox or production. An entity's mode is chosen; a connection's mode is derived
// from the credential or environment the service reports, never only from a form field.
type Mode string

// Modes.
const (
	ModeSandbox    Mode = "sandbox"
	ModeProduction Mode = "production"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeSandbox || m == ModeProduction }

// State is the health state of a connection, computed from evidence.
type State string

// Health states.
const (
	StateNotConnected State = "not_connected"
	StateConnected    State = "connected"
	StateDisconnected State = "disconnected"
	StateExpired      State = "expired"
	StateError        State = "error"
)

// Entity is one legal company or store.
type Entity struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Mode      Mode      `json:"mode"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Connection is one connector configured for one entity.
type Connection struct {
	ID        string `json:"id"`
	EntityID  string `json:"entity_id"`
	Connector string `json:"connector"`
	Mode      Mode   `json:"mode,omitempty"`
	State     State  `json:"state"`
	// StateReason is a short code for why the state is what it is (e.g. "mode_mismatch",
	// "auth_expired", "test_passed"); StateDetail says it in words, with the evidence.
	StateReason string            `json:"state_reason,omitempty"`
	StateDetail string            `json:"state_detail,omitempty"`
	AccountID   string            `json:"account_id,omitempty"`
	Config      map[string]string `json:"config"`
	// CredentialsMasked holds, per credential field, the masked form of the value. It is
	// filled from the vault at read time and never stored in clear.
	CredentialsMasked map[string]string `json:"credentials"`
	LastActivityAt    *time.Time        `json:"last_activity_at,omitempty"`
	LastTestedAt      *time.Time        `json:"last_tested_at,omitempty"`
	DisconnectedAt    *time.Time        `json:"disconnected_at,omitempty"`
	// CredentialsPurgeAt is when the credentials of a disconnected connection are destroyed.
	CredentialsPurgeAt *time.Time `json:"credentials_purge_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// RecoveryWindow is how long a disconnected connection keeps its credentials.
const RecoveryWindow = 7 * 24 * time.Hour

// ErrorClass is the one classification of external failures.
type ErrorClass string

// Error classes of external failures.
const (
	ClassNone         ErrorClass = ""
	ClassAuthExpired  ErrorClass = "auth_expired"
	ClassRevoked      ErrorClass = "revoked"
	ClassRateLimited  ErrorClass = "rate_limited"
	ClassValidation   ErrorClass = "validation"
	ClassNotFound     ErrorClass = "not_found"
	ClassConflict     ErrorClass = "conflict"
	ClassUnavailable  ErrorClass = "unavailable"
	ClassTimeout      ErrorClass = "timeout"
	ClassModeMismatch ErrorClass = "mode_mismatch"
)

// Retryable reports whether a failure of this class may succeed when tried again later.
func (c ErrorClass) Retryable() bool {
	switch c {
	case ClassRateLimited, ClassUnavailable, ClassTimeout, ClassConflict:
		return true
	}
	return false
}

// StateFor gives the health state and reason that a failure of this class is evidence for.
// It returns ok=false for classes that say nothing about the connection's health (a
// validation error is about one record, not the connection).
func (c ErrorClass) StateFor() (State, string, bool) {
	switch c {
	case ClassAuthExpired:
		return StateExpired, string(c), true
	case ClassRevoked:
		return StateExpired, string(c), true
	case ClassModeMismatch:
		return StateError, string(c), true
	case ClassUnavailable, ClassTimeout:
		return StateError, string(c), true
	}
	return "", "", false
}
