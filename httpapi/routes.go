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
	// OptionalBody marks a Request body the handler does without: an empty body is the
	// same as {} (the document says requestBody.required false).
	OptionalBody bool
	Response     string // schema of the success body
	List         bool   // the success body is a list of Response
	Status       int    // success status
	Query        []string
	// Reveals marks an answer that carries a secret shown once (a new API token): its
	// idempotent replay copy is stored with that secret masked, never in clear.
	Reveals string
	Handler func(s *Server, w http.ResponseWriter, r *http.Request) error
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
		{Method: "POST", Path: "/v1/entities/{entity_id}/connections/oauth", Role: RoleAdmin, Summary: "Start connecting by OAuth: where to send the browser (the callback is GET /oauth/callback)", Tag: "connections",
			Request: "OAuthStart", Response: "OAuthStarted", Status: 201, Handler: (*Server).startOAuth},
		{Method: "GET", Path: "/v1/entities/{entity_id}/connections", Role: RoleViewer, Summary: "List an entity's connections", Tag: "connections",
			Response: "Connection", List: true, Status: 200, Query: []string{"limit", "cursor"}, Handler: (*Server).listConnections},
		{Method: "GET", Path: "/v1/entities/{entity_id}/integrations", Role: RoleViewer, Summary: "Integrations dashboard data", Tag: "connections",
			Response: "Integrations", Status: 200, Handler: (*Server).integrations},
		{Method: "GET", Path: "/v1/connections/{id}", Role: RoleViewer, Summary: "Get a connection", Tag: "connections",
			Response: "Connection", Status: 200, Handler: (*Server).getConnection},
		{Method: "POST", Path: "/v1/connections/{id}/test", Role: RoleOperator, Summary: "Test a connection with one cheap authenticated call", Tag: "connections",
			Response: "TestOutcome", Status: 200, Handler: (*Server).testConnection},
		{Method: "POST", Path: "/v1/connections/{id}/diagnose", Role: RoleOperator, Summary: "Guided triage: ordered steps, each with its finding and fix, and the failure type", Tag: "connections", Request: "DiagnoseIn", OptionalBody: true, Response: "Diagnosis", Status: 200, Handler: (*Server).diagnose},
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
		{Method: "POST", Path: "/v1/connections/{id}/webhooks/register", Role: RoleAdmin, Summary: "Create the webhook subscriptions the hub needs on the service", Tag: "webhooks",
			Response: "WebhookRegistered", Status: 200, Handler: (*Server).registerWebhooks},
		{Method: "POST", Path: "/v1/connections/{id}/webhooks/recover", Role: RoleOperator, Summary: "Take in events the service kept that no webhook delivered", Tag: "webhooks",
			Response: "WebhookRecovery", Status: 200, Handler: (*Server).recoverWebhooks},
		{Method: "POST", Path: "/v1/connections/{id}/webhook-events/{event_id}/replay", Role: RoleOperator, Summary: "Process one stored event again (idempotent)", Tag: "webhooks",
			Response: "WebhookEvent", Status: 200, Handler: (*Server).replayWebhookEvent},
		{Method: "GET", Path: "/v1/connections/{id}/objects", Role: RoleViewer, Summary: "External objects as the service last reported them", Tag: "webhooks",
			Response: "ExternalObject", List: true, Status: 200, Query: []string{"kind"}, Handler: (*Server).listObjects},

		{Method: "POST", Path: "/v1/entities/{entity_id}/records/{kind}", Role: RoleOperator, Summary: "Create an ERP record (mapped changes are queued out)", Tag: "records",
			Request: "RecordPut", Response: "RecordAnswer", Status: 201, Handler: (*Server).putRecord},
		{Method: "POST", Path: "/v1/entities/{entity_id}/records/{kind}/batch", Role: RoleOperator, Summary: "Write up to 500 ERP records of one kind in one transaction (all or none); each answer says what it queued out", Tag: "records",
			Request: "RecordBatch", Response: "RecordBatchAnswer", Status: 200, Handler: (*Server).putRecords},
		{Method: "PUT", Path: "/v1/entities/{entity_id}/records/{kind}/{id}", Role: RoleOperator, Summary: "Write an ERP record: a new version; mapped changes are queued out, coalesced", Tag: "records",
			Request: "RecordPut", Response: "RecordAnswer", Status: 200, Handler: (*Server).putRecord},
		{Method: "GET", Path: "/v1/entities/{entity_id}/records/{kind}", Role: RoleViewer, Summary: "List ERP records of a kind", Tag: "records",
			Response: "ERPRecord", List: true, Status: 200, Query: []string{"limit", "cursor"}, Handler: (*Server).listRecords},
		{Method: "GET", Path: "/v1/entities/{entity_id}/records/{kind}/{id}", Role: RoleViewer, Summary: "Get an ERP record", Tag: "records",
			Response: "ERPRecord", Status: 200, Handler: (*Server).getRecord},
		{Method: "GET", Path: "/v1/entities/{entity_id}/records/{kind}/{id}/versions", Role: RoleViewer, Summary: "An ERP record's versions, newest first", Tag: "records",
			Response: "ERPRecord", List: true, Status: 200, Handler: (*Server).recordVersions},

		{Method: "POST", Path: "/v1/connections/{id}/sync", Role: RoleOperator, Summary: "Start a sync run now", Tag: "sync",
			Request: "SyncStart", Response: "SyncStarted", Status: 202, Handler: (*Server).startSync},
		{Method: "GET", Path: "/v1/sync-runs/{run_id}", Role: RoleViewer, Summary: "A sync run and its progress", Tag: "sync",
			Response: "SyncRun", Status: 200, Handler: (*Server).getSyncRun},
		{Method: "POST", Path: "/v1/sync-runs/{run_id}/cancel", Role: RoleOperator, Summary: "Interrupt a run after its current page (it resumes from the checkpoint)", Tag: "sync",
			Response: "SyncRun", Status: 200, Handler: (*Server).cancelSyncRun},
		{Method: "GET", Path: "/v1/entities/{entity_id}/sync", Role: RoleViewer, Summary: "Sync Dashboard data", Tag: "sync",
			Response: "SyncDashboard", Status: 200, Query: []string{"direction"}, Handler: (*Server).syncDashboard},
		{Method: "GET", Path: "/v1/connections/{id}/sync-settings", Role: RoleViewer, Summary: "Sync Settings: which data moves, how often", Tag: "sync",
			Response: "SyncSetting", List: true, Status: 200, Handler: (*Server).syncSettings},
		{Method: "PUT", Path: "/v1/connections/{id}/sync-settings", Role: RoleAdmin, Summary: "Change one kind's Sync Settings", Tag: "sync",
			Request: "SyncSetting", Response: "SyncSetting", Status: 200, Handler: (*Server).putSyncSetting},
		{Method: "GET", Path: "/v1/connections/{id}/policies", Role: RoleViewer, Summary: "Source-of-truth policy per field", Tag: "sync",
			Response: "FieldPolicy", List: true, Status: 200, Handler: (*Server).listPolicies},
		{Method: "PUT", Path: "/v1/connections/{id}/policies", Role: RoleAdmin, Summary: "Set the source-of-truth policy of one field", Tag: "sync",
			Request: "FieldPolicy", Response: "FieldPolicy", Status: 200, Handler: (*Server).putPolicy},
		{Method: "GET", Path: "/v1/connections/{id}/mappings", Role: RoleViewer, Summary: "Mapping records and the mapping inbox (state=unmapped|suggested)", Tag: "sync",
			Response: "Mapping", List: true, Status: 200, Query: []string{"state", "kind", "limit", "cursor"}, Handler: (*Server).listMappings},
		{Method: "POST", Path: "/v1/connections/{id}/mappings/actions", Role: RoleOperator, Summary: "Approve, reject, relink or clear mappings, one or many", Tag: "sync",
			Request: "MappingActions", Response: "MappingOutcome", List: true, Status: 200, Handler: (*Server).mappingActions},
		{Method: "POST", Path: "/v1/connections/{id}/mappings/suggest", Role: RoleOperator, Summary: "Suggest ERP records for unmapped listings by title", Tag: "sync",
			Response: "Suggested", Status: 200, Handler: (*Server).suggestMappings},
		{Method: "POST", Path: "/v1/mappings/{mapping_id}/reimport", Role: RoleOperator, Summary: "Re-import a mapped record (preview; override needed over active history)", Tag: "sync",
			Request: "Reimport", Response: "ReimportPreview", Status: 200, Handler: (*Server).reimport},
		{Method: "GET", Path: "/v1/connections/{id}/drift", Role: RoleViewer, Summary: "Drifts, field by field", Tag: "sync",
			Response: "Drift", List: true, Status: 200, Query: []string{"state", "limit", "cursor"}, Handler: (*Server).listDrift},
		{Method: "POST", Path: "/v1/connections/{id}/drift/scan", Role: RoleOperator, Summary: "Run the full drift scan now", Tag: "sync",
			Response: "DriftScan", Status: 200, Handler: (*Server).scanDrift},
		{Method: "POST", Path: "/v1/connections/{id}/confirm", Role: RoleOperator, Summary: "Re-read both sides of a mapped record: do they agree now, or what still differs", Tag: "sync",
			Request: "ConfirmIn", Response: "Agreement", Status: 200, Handler: (*Server).confirmAgreement},
		{Method: "POST", Path: "/v1/drift/{drift_id}/resolve", Role: RoleOperator, Summary: "Resolve one drift on purpose: push, pull or accept (preview:true shows what it would do)", Tag: "sync",
			Request: "DriftResolve", Response: "DriftPreview", Status: 200, Handler: (*Server).resolveDrift},

		{Method: "GET", Path: "/v1/audit", Role: RoleViewer, Summary: "Audit history, newest first", Tag: "audit",
			Response: "AuditEntry", List: true, Status: 200, Query: []string{"limit", "cursor", "resource"}, Handler: (*Server).listAudit},

		{Method: "POST", Path: "/v1/api-keys", Role: RoleAdmin, Summary: "Create an API token (shown once)", Tag: "api-keys",
			Request: "APIKeyCreate", Response: "APIKeyCreated", Status: 201, Reveals: "token", Handler: (*Server).createAPIKey},
		{Method: "GET", Path: "/v1/api-keys", Role: RoleAdmin, Summary: "The API tokens the caller may manage (never the tokens themselves)", Tag: "api-keys",
			Response: "APIKey", List: true, Status: 200, Handler: (*Server).listAPIKeys},
		{Method: "DELETE", Path: "/v1/api-keys/{id}", Role: RoleAdmin, Summary: "Revoke an API token at once", Tag: "api-keys",
			Response: "APIKey", Status: 200, Handler: (*Server).revokeAPIKey},
	}
}
