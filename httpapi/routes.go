package httpapi

import "net/http"

// route is one API operation. The mux and the OpenAPI document are both built from this
// table, so a route cannot exist without being documented.
type route struct {
	Method, Path string
	Role         Role
	Public       bool // no token needed
	Summary      string
	Tag          string
	Request      string // schema of the JSON body, "" for none
	Response     string // schema of the success body
	List         bool   // the success body is a list of Response
	Status       int    // success status
	Query        []string
	Handler      func(s *Server, w http.ResponseWriter, r *http.Request) error
}

func (s *Server) routes() []route {
	return []route{
		{Method: "GET", Path: "/v1/openapi.json", Public: true, Summary: "This API's OpenAPI 3 document", Tag: "meta",
			Response: "", Status: 200, Handler: (*Server).getOpenAPI},

		{Method: "POST", Path: "/v1/entities", Role: RoleAdmin, Summary: "Create an entity", Tag: "entities",
			Request: "EntityCreate", Response: "Entity", Status: 201, Handler: (*Server).createEntity},
		{Method: "GET", Path: "/v1/entities", Role: RoleViewer, Summary: "List the entities the token may see", Tag: "entities",
			Response: "Entity", List: true, Status: 200, Query: []string{"limit", "cursor"}, Handler: (*Server).listEntities},
		{Method: "GET", Path: "/v1/entities/{entity_id}", Role: RoleViewer, Summary: "Get an entity", Tag: "entities",
			Response: "Entity", Status: 200, Handler: (*Server).getEntity},

		{Method: "GET", Path: "/v1/connectors", Role: RoleViewer, Summary: "The connector catalog", Tag: "connectors",
			Response: "Connector", List: true, Status: 200, Handler: (*Server).listConnectors},

		{Method: "POST", Path: "/v1/entities/{entity_id}/connections", Role: RoleAdmin, Summary: "Connect a service to an entity", Tag: "connections",
			Request: "ConnectionCreate", Response: "Connection", Status: 201, Handler: (*Server).createConnection},
		{Method: "GET", Path: "/v1/entities/{entity_id}/connections", Role: RoleViewer, Summary: "List an entity's connections", Tag: "connections",
			Response: "Connection", List: true, Status: 200, Query: []string{"limit", "cursor"}, Handler: (*Server).listConnections},
		{Method: "GET", Path: "/v1/entities/{entity_id}/integrations", Role: RoleViewer, Summary: "Integrations dashboard data", Tag: "connections",
			Response: "Integrations", Status: 200, Handler: (*Server).integrations},
		{Method: "GET", Path: "/v1/connections/{id}", Role: RoleViewer, Summary: "Get a connection", Tag: "connections",
			Response: "Connection", Status: 200, Handler: (*Server).getConnection},
		{Method: "POST", Path: "/v1/connections/{id}/test", Role: RoleOperator, Summary: "Test a connection with one cheap authenticated call", Tag: "connections",
			Response: "TestOutcome", Status: 200, Handler: (*Server).testConnection},
		{Method: "PUT", Path: "/v1/connections/{id}/credentials", Role: RoleAdmin, Summary: "Rotate credentials safely (tested first)", Tag: "connections",
			Request: "CredentialsRotate", Response: "Connection", Status: 200, Handler: (*Server).rotateCredentials},
		{Method: "DELETE", Path: "/v1/connections/{id}", Role: RoleAdmin, Summary: "Disconnect (soft: history kept, credentials kept 7 days)", Tag: "connections",
			Response: "Connection", Status: 200, Handler: (*Server).disconnect},
		{Method: "POST", Path: "/v1/connections/{id}/reconnect", Role: RoleAdmin, Summary: "Restore a disconnected connection within the recovery window", Tag: "connections",
			Response: "Connection", Status: 200, Handler: (*Server).reconnect},
		{Method: "GET", Path: "/v1/connections/{id}/logs", Role: RoleViewer, Summary: "The connection's connector log, newest first", Tag: "connections",
			Response: "LogEntry", List: true, Status: 200, Query: []string{"limit", "cursor", "direction", "outcome", "kind"}, Handler: (*Server).logs},
		{Method: "POST", Path: "/v1/connections/{id}/writes", Role: RoleOperator, Summary: "Queue an external write as a durable, idempotent job", Tag: "connections",
			Request: "WriteCreate", Response: "ExternalWrite", Status: 202, Handler: (*Server).createWrite},
		{Method: "GET", Path: "/v1/connections/{id}/writes/{write_id}", Role: RoleViewer, Summary: "Get an external write and its outcome", Tag: "connections",
			Response: "ExternalWrite", Status: 200, Handler: (*Server).getWrite},

		{Method: "GET", Path: "/v1/connections/{id}/webhooks", Role: RoleViewer, Summary: "The webhooks panel", Tag: "webhooks",
			Response: "WebhooksPanel", Status: 200, Handler: (*Server).webhooksPanel},
		{Method: "GET", Path: "/v1/connections/{id}/webhook-events", Role: RoleViewer, Summary: "Received webhook events, newest first", Tag: "webhooks",
			Response: "WebhookEvent", List: true, Status: 200, Query: []string{"limit", "cursor"}, Handler: (*Server).webhookEvents},
		{Method: "POST", Path: "/v1/connections/{id}/webhooks/test", Role: RoleOperator, Summary: "Make the service send a signed test event and show its receipt", Tag: "webhooks",
			Response: "WebhookTest", Status: 200, Handler: (*Server).testWebhook},
		{Method: "POST", Path: "/v1/connections/{id}/webhooks/recover", Role: RoleOperator, Summary: "Take in events the service kept that no webhook delivered", Tag: "webhooks",
			Response: "WebhookRecovery", Status: 200, Handler: (*Server).recoverWebhooks},
		{Method: "POST", Path: "/v1/connections/{id}/webhook-events/{event_id}/replay", Role: RoleOperator, Summary: "Process one stored event again (idempotent)", Tag: "webhooks",
			Response: "WebhookEvent", Status: 200, Handler: (*Server).replayWebhookEvent},
		{Method: "GET", Path: "/v1/connections/{id}/objects", Role: RoleViewer, Summary: "External objects as the service last reported them", Tag: "webhooks",
			Response: "ExternalObject", List: true, Status: 200, Query: []string{"kind"}, Handler: (*Server).listObjects},

		{Method: "GET", Path: "/v1/audit", Role: RoleViewer, Summary: "Audit history, newest first", Tag: "audit",
			Response: "AuditEntry", List: true, Status: 200, Query: []string{"limit", "cursor", "resource"}, Handler: (*Server).listAudit},

		{Method: "POST", Path: "/v1/api-keys", Role: RoleAdmin, Summary: "Create an API token (shown once)", Tag: "api-keys",
			Request: "APIKeyCreate", Response: "APIKeyCreated", Status: 201, Handler: (*Server).createAPIKey},
		{Method: "DELETE", Path: "/v1/api-keys/{id}", Role: RoleAdmin, Summary: "Revoke an API token at once", Tag: "api-keys",
			Response: "APIKey", Status: 200, Handler: (*Server).revokeAPIKey},
	}
}
