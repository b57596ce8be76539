package printnode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
)

// FieldWebhookToken is the credential holding the secret the endpoint URL carries as ?token=.
const FieldWebhookToken = "webhook_token"

// TokenParam is the URL token's query parameter.
const TokenParam = "token"

// HintType is the type of a delivery whose body does not name one.
const HintType = "printnode.hint"

// Connector is the PrintNode connector. It holds no per-connection state: secrets arrive in
// the connector.Session, so one value serves every connection.
type Connector struct{}

// New returns the PrintNode connector.
func New() *Connector { return &Connector{} }

var _ connector.WebhookVerifier = (*Connector)(nil)

// VerifyWebhook compares the URL's ?token= with the stored webhook_token in constant time and
// yields a hint. The body must be JSON (an object or an array of events); its id, when it
// has one, is the dedupe key, and its "event" or "type" the type.
//
// Without an id the key is "hint:<sha256(body)>:<unix minute received>": the body alone
// would make every later identical hint a "duplicate" and silently drop the poll it asks
// for, so identical hints collapse only within the minute a retry would land in.
func (*Connector) VerifyWebhook(_ context.Context, s *connector.Session, r *connector.WebhookRequest) (connector.WebhookEvent, error) {
	reject := func(reason, detail string) (connector.WebhookEvent, error) {
		return connector.WebhookEvent{}, connector.RejectWebhook(http.StatusUnauthorized, reason, "printnode: "+detail)
	}
	stored := ""
	if s != nil {
		stored = s.Credentials[FieldWebhookToken]
	}
	if stored == "" {
		return reject(connector.ReasonNotConfigured, "no webhook_token stored")
	}
	got := ""
	if r.URL != nil {
		got = r.URL.Query().Get(TokenParam)
	}
	if got == "" {
		return reject(connector.ReasonMissingSignature, "no ?token= in the URL")
	}
	if !connector.EqualSecret(stored, got) {
		return reject(connector.ReasonBadSignature, "URL token does not match")
	}
	if !json.Valid(r.Body) {
		return reject(connector.ReasonMalformed, "body is not JSON")
	}
	ev := connector.WebhookEvent{Type: HintType, Hint: true, Payload: json.RawMessage(r.Body)}
	var body struct {
		ID    json.RawMessage `json:"id"`
		Event string          `json:"event"`
		Type  string          `json:"type"`
	}
	if trimmed := bytes.TrimSpace(r.Body); len(trimmed) > 0 && trimmed[0] == '{' {
		_ = json.Unmarshal(trimmed, &body) // validity checked above; odd field types just go unused
	}
	switch {
	case body.Event != "":
		ev.Type = body.Event
	case body.Type != "":
		ev.Type = body.Type
	}
	if id := idString(body.ID); id != "" {
		ev.ProviderEventID = id
	} else {
		minute := connector.WebhookNow(r).Truncate(time.Minute).Unix()
		ev.ProviderEventID = fmt.Sprintf("hint:%s:%d", connector.SHA256Hex(r.Body), minute)
	}
	return ev, nil
}

// idString renders a JSON id (number or string) as text; anything else is no id.
func idString(raw json.RawMessage) string {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil && n != "" {
		return n.String()
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s)
	}
	return ""
}
