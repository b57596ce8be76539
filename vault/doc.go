// Package vault keeps connection credentials sealed at rest.
//
// Every credential a connection holds (API keys, webhook secrets, OAuth tokens) is stored as a
// sealed string produced by [Keyring.Seal]: AES-256-GCM under the master key, with a fresh
// random nonce per value and associated data naming the connection and the field. The
// associated data is what stops a database user from copying a ciphertext from one connection
// (or from the "webhook_secret" field) into another: the copy fails to open instead of quietly
// handing one tenant's live key to another integration.
//
// Each sealed string carries the id of the key that sealed it, so the master key can rotate
// without downtime: a [Keyring] opens values sealed under its primary key or any older key,
// always seals under the primary, and [Rotate] / [ResealAll] move every stored value onto the
// primary inside the caller's transaction. Once a rotation has committed, the older key can be
// dropped from the configuration.
//
// The master key comes from CONCORD_MASTER_KEY ([ParseKey]) or from a key file
// ([LoadOrCreateKeyFile]) that must not be readable by group or others.
//
// [Mask] is the one function that turns a credential into something fit for a page, a log line
// or an audit entry.
package vault
