-- Dashboard sign-in sessions. The browser holds a random session id in an HttpOnly cookie;
-- only its SHA-256 is stored. token_hash is the SHA-256 of the API token the operator signed
-- in with (as api_keys keeps it), so every page re-checks that token: revoking it ends its
-- sessions at once. csrf is the session's form token.
CREATE TABLE ui_sessions (
    id_hash      TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX ui_sessions_expires ON ui_sessions (expires_at);
