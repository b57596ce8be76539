-- OAuth installs in flight: the state nonce the provider hands back on the callback, and
-- what the install needs to finish. client_secret is sealed by the vault; a state is
-- consumed once (used_at) and lapses at expires_at.
CREATE TABLE oauth_states (
    state         TEXT PRIMARY KEY,
    entity_id     TEXT NOT NULL REFERENCES entities (id),
    connector     TEXT NOT NULL,
    config        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    actor         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);
