package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/concordhub/concord"
)

// OAuthState is one OAuth install in flight, from the start (the browser sent to the
// provider) to the callback that finishes it. ClientSecret is sealed by the vault: the
// store never sees it in clear text.
type OAuthState struct {
	State        string
	EntityID     string
	Connector    string
	Config       map[string]string
	ClientID     string
	ClientSecret string // sealed
	RedirectURI  string
	Actor        string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       *time.Time
}

// Refusals of ConsumeOAuthState. Each is a bad request: the browser came back with a
// state this hub cannot finish, and the install must be started again.
var (
	ErrOAuthStateUnknown = &concord.Error{Code: concord.EINVALID,
		Message: "this OAuth callback's state is unknown: start the install again from concord"}
	ErrOAuthStateUsed = &concord.Error{Code: concord.EINVALID,
		Message: "this OAuth callback was already used: each install link finishes once; start the install again"}
	ErrOAuthStateExpired = &concord.Error{Code: concord.EINVALID,
		Message: "this OAuth install has expired (installs must finish within 10 minutes): start the install again"}
)

// CreateOAuthState stores a new install's state.
func (tx *Tx) CreateOAuthState(ctx context.Context, s *OAuthState) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.db.Now()
	}
	cfg, err := json.Marshal(s.Config)
	if err != nil {
		return err
	}
	_, err = tx.q().exec(ctx, `INSERT INTO oauth_states (state, entity_id, connector, config, client_id, client_secret,
		redirect_uri, actor, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		s.State, s.EntityID, s.Connector, string(cfg), s.ClientID, s.ClientSecret, s.RedirectURI, s.Actor,
		toMicros(s.CreatedAt), toMicros(s.ExpiresAt))
	return tx.db.mapErr(err, "oauth state")
}

// ConsumeOAuthState marks state used and returns it. Only one caller ever wins: the
// UPDATE matches an unused, unexpired row or nothing, so a replayed or concurrent callback
// gets ErrOAuthStateUsed; an expired one ErrOAuthStateExpired; any other
// ErrOAuthStateUnknown.
func (tx *Tx) ConsumeOAuthState(ctx context.Context, state string, now time.Time) (OAuthState, error) {
	res, err := tx.q().exec(ctx, `UPDATE oauth_states SET used_at = ? WHERE state = ? AND used_at IS NULL AND expires_at > ?`,
		toMicros(now), state, toMicros(now))
	if err != nil {
		return OAuthState{}, tx.db.mapErr(err, "oauth state")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return OAuthState{}, tx.db.mapErr(err, "oauth state")
	}
	s, err := getOAuthState(ctx, tx.q(), state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return OAuthState{}, ErrOAuthStateUnknown
	case err != nil:
		return OAuthState{}, tx.db.mapErr(err, "oauth state")
	case n == 1:
		return s, nil
	case s.UsedAt != nil:
		return OAuthState{}, ErrOAuthStateUsed
	}
	return OAuthState{}, ErrOAuthStateExpired
}

// GetOAuthState reads one state, used or not (ENOTFOUND when there is none).
func (db *DB) GetOAuthState(ctx context.Context, state string) (OAuthState, error) {
	s, err := getOAuthState(ctx, db.reader(), state)
	return s, db.mapErr(err, "oauth state")
}

// PurgeOAuthStates deletes states that expired before before, used or not.
func (tx *Tx) PurgeOAuthStates(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.q().exec(ctx, `DELETE FROM oauth_states WHERE expires_at < ?`, toMicros(before))
	if err != nil {
		return 0, tx.db.mapErr(err, "oauth states")
	}
	return res.RowsAffected()
}

func getOAuthState(ctx context.Context, q q, state string) (OAuthState, error) {
	var s OAuthState
	var cfg string
	var created, expires int64
	var used sql.NullInt64
	err := q.row(ctx, `SELECT state, entity_id, connector, config, client_id, client_secret, redirect_uri, actor,
		created_at, expires_at, used_at FROM oauth_states WHERE state = ?`, state).
		Scan(&s.State, &s.EntityID, &s.Connector, &cfg, &s.ClientID, &s.ClientSecret, &s.RedirectURI, &s.Actor,
			&created, &expires, &used)
	if err != nil {
		return OAuthState{}, err
	}
	if err := json.Unmarshal([]byte(cfg), &s.Config); err != nil {
		return OAuthState{}, err
	}
	s.CreatedAt, s.ExpiresAt, s.UsedAt = fromMicros(created), fromMicros(expires), fromNullMicros(used)
	return s, nil
}
