package concord

import "time"

// LogEntry is one line of a connection's connector log: an external call, a webhook, a sync
// run or an operator action. Excerpt is always redacted before it is built.
type LogEntry struct {
	ID            int64      `json:"id"`
	ConnectionID  string     `json:"connection_id"`
	Time          time.Time  `json:"time"`
	Direction     string     `json:"direction"` // outbound, inbound, internal
	Kind          string     `json:"kind"`      // api_call, webhook, sync_run, action
	Operation     string     `json:"operation"`
	Outcome       string     `json:"outcome"` // ok, error
	Status        int        `json:"status,omitempty"`
	ErrorClass    ErrorClass `json:"error_class,omitempty"`
	LatencyMS     int64      `json:"latency_ms"`
	Excerpt       string     `json:"excerpt,omitempty"`
	CorrelationID string     `json:"correlation_id,omitempty"`
}

// Log directions and kinds.
const (
	DirectionOutbound = "outbound"
	DirectionInbound  = "inbound"
	DirectionInternal = "internal"

	KindAPICall = "api_call"
	KindWebhook = "webhook"
	KindSyncRun = "sync_run"
	KindAction  = "action"

	OutcomeOK    = "ok"
	OutcomeError = "error"
)

// LogRetention is how long connector logs are kept by default.
const LogRetention = 30 * 24 * time.Hour
