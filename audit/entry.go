package audit

import (
	"encoding/json"
	"time"
)

// Outcomes of an audited action.
const (
	OutcomeOK     = "ok"     // the change was made
	OutcomeDenied = "denied" // refused by authorization or a guard
	OutcomeError  = "error"  // attempted and failed
)

// Entry is one audited action. Every field except Hash is covered by Hash, and PrevHash ties
// the entry to the one before it.
type Entry struct {
	Seq      int64           `json:"seq"`      // 1, 2, 3... assigned by Chain in the store's append
	Time     time.Time       `json:"time"`     // UTC, truncated to microseconds (SQLite and PostgreSQL keep that)
	Actor    string          `json:"actor"`    // who: "api_key:ak_123", "system"
	Action   string          `json:"action"`   // what: "connection.create"
	Resource string          `json:"resource"` // on what: "connection:con_123"
	EntityID string          `json:"entity_id,omitempty"`
	Outcome  string          `json:"outcome"` // OutcomeOK, OutcomeDenied or OutcomeError
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Detail   string          `json:"detail,omitempty"`
	PrevHash string          `json:"prev_hash"` // hex Hash of the previous entry; "" for seq 1
	Hash     string          `json:"hash"`      // hex SHA-256 of the canonical encoding, see ComputeHash
}

// NormalizeTime returns t as the hash sees it and the databases keep it: UTC, truncated to the
// microsecond, without a monotonic reading. A time that went through a database compares equal
// to its normalized form.
func NormalizeTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
