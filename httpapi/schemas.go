package httpapi

// Schemas of the OpenAPI document. Responses in the tests are validated against these, so a
// field added to a response without being documented here still passes (objects are open),
// but a documented field with the wrong type or a missing required field fails.

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	str     = map[string]any{"type": "string"}
	nwhen   = map[string]any{"type": "string", "format": "date-time", "nullable": true}
	integer = map[string]any{"type": "integer"}
	boolean = map[string]any{"type": "boolean"}
	when    = map[string]any{"type": "string", "format": "date-time"}
	strMap  = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	mode    = map[string]any{"type": "string", "enum": []string{"sandbox", "production"}}
	state   = map[string]any{"type": "string", "enum": []string{"not_connected", "connected", "disconnected", "expired", "error"}}
	strList = map[string]any{"type": "array", "items": str}
	anyJSON = map[string]any{}
)

func arr(items any) map[string]any { return map[string]any{"type": "array", "items": items} }

func schemas() map[string]any {
	connection := obj([]string{"id", "entity_id", "connector", "state", "credentials", "config", "webhook_url", "created_at"},
		map[string]any{
			"id": str, "entity_id": str, "connector": str, "mode": map[string]any{"type": "string", "enum": []string{"sandbox", "production", ""}},
			"state": state, "state_reason": str, "state_detail": str, "account_id": str,
			"config": strMap, "credentials": map[string]any{"type": "object", "description": "field -> masked value",
				"additionalProperties": str},
			"webhook_url": str, "last_activity_at": nwhen, "last_tested_at": nwhen, "disconnected_at": nwhen,
			"credentials_purge_at": nwhen, "created_at": when, "updated_at": when,
		})
	field := obj([]string{"name", "secret", "required"}, map[string]any{"name": str, "secret": boolean, "required": boolean, "description": str})
	apiKey := obj([]string{"id", "name", "role", "entity_ids", "created_at"}, map[string]any{
		"id": str, "name": str, "role": str, "entity_ids": strList, "created_by": str, "created_at": when, "revoked_at": nwhen})
	apiKeyCreated := obj([]string{"id", "name", "role", "entity_ids", "created_at", "token"}, map[string]any{
		"id": str, "name": str, "role": str, "entity_ids": strList, "created_by": str, "created_at": when, "token": str})
	erpRecord := obj([]string{"entity_id", "kind", "id", "fields", "version", "source", "updated_at"}, map[string]any{
		"entity_id": str, "kind": str, "id": str, "fields": strMap, "version": integer, "source": str, "updated_at": when})
	syncRun := obj([]string{"id", "connection_id", "kind", "direction", "status", "moved", "failed", "total", "started_at"}, map[string]any{
		"id": str, "connection_id": str, "kind": str, "direction": str, "full": boolean,
		"status":           map[string]any{"type": "string", "enum": []string{"queued", "running", "succeeded", "failed", "interrupted"}},
		"cancel_requested": boolean, "moved": integer, "failed": integer, "total": integer, "warning": str, "error": str,
		"started_at": when, "updated_at": when, "finished_at": nwhen})
	mapping := obj([]string{"id", "connection_id", "kind", "erp_id", "external_id", "state"}, map[string]any{
		"id": str, "connection_id": str, "kind": str, "erp_id": str, "external_id": str, "parent_id": str,
		"state": map[string]any{"type": "string", "enum": []string{"suggested", "active", "rejected", "stale", "unmapped"}},
		"score": map[string]any{"type": "number"}, "reason": str, "synced_version": integer, "created_at": when, "updated_at": when})
	drift := obj([]string{"id", "connection_id", "kind", "erp_id", "external_id", "field", "erp_value", "external_value", "cause", "state", "detected_at"}, map[string]any{
		"id": str, "connection_id": str, "kind": str, "erp_id": str, "external_id": str, "field": str, "erp_value": str,
		"external_value": str, "cause": str, "policy": str,
		"state":      map[string]any{"type": "string", "enum": []string{"open", "resolved", "auto_resolved", "cleared"}},
		"resolution": str, "resolved_by": str, "detected_at": when, "updated_at": when, "resolved_at": nwhen})
	return map[string]any{
		"Error": obj([]string{"error"}, map[string]any{"error": obj([]string{"code", "message"}, map[string]any{
			"code": str, "message": str, "error_class": str})}),
		"Entity":       obj([]string{"id", "name", "mode", "active", "created_at"}, map[string]any{"id": str, "name": str, "mode": mode, "active": boolean, "created_at": when}),
		"EntityCreate": obj([]string{"name", "mode"}, map[string]any{"name": str, "mode": mode}),
		"Connector": obj([]string{"name", "title", "kind", "credentials", "config", "webhook_scheme", "capabilities"}, map[string]any{
			"name": str, "title": str, "kind": str, "credentials": arr(field), "config": arr(field), "webhook_scheme": str,
			"capabilities": strList, "rate_limit": map[string]any{"type": "number"}, "rate_burst": integer}),
		"ConnectionCreate": obj([]string{"connector", "credentials"}, map[string]any{
			"connector": str, "credentials": strMap, "config": strMap, "confirm_mode_mismatch": boolean}),
		"OAuthStart": obj([]string{"connector", "config", "client_id", "client_secret"}, map[string]any{
			"connector": str, "config": strMap, "client_id": str, "client_secret": str}),
		"OAuthStarted": obj([]string{"authorize_url", "state", "expires_at"}, map[string]any{
			"authorize_url": str, "state": str, "expires_at": when}),
		"Connection":        connection,
		"CredentialsRotate": obj([]string{"credentials"}, map[string]any{"credentials": strMap, "config": strMap, "confirm_account_change": boolean}),
		"TestOutcome": obj([]string{"ok", "latency_ms", "message", "state"}, map[string]any{
			"ok": boolean, "mode": str, "account_id": str, "latency_ms": integer, "error_class": str, "message": str,
			"state": state, "state_reason": str}),
		"Diagnosis": obj([]string{"connection_id", "failure_type", "summary", "steps", "checked_at"}, map[string]any{"connection_id": str, "failure_type": map[string]any{"type": "string", "enum": []string{"none", "authorization expired", "disconnected", "webhook failure", "sync delay", "sync drift", "stale external record", "mode mismatch"}}, "summary": str, "checked_at": when, "steps": arr(obj([]string{"step", "status", "finding"}, map[string]any{"step": str, "status": map[string]any{"type": "string", "enum": []string{"ok", "warn", "fail", "skipped"}}, "finding": str, "fix": str,
			"evidence": map[string]any{"type": "array", "description": "What the step read, newest first (absent when nothing): each row with the API path and the dashboard page that show it",
				"items": obj([]string{"kind", "label", "api", "ui"}, map[string]any{
					"kind":  map[string]any{"type": "string", "enum": []string{"log", "drift", "webhook_event", "webhook_rejections", "sync_run", "mapping", "audit"}},
					"id":    map[string]any{"type": "string", "description": "the row's id (a log entry's, a drift's, an event's, a run's, a mapping's, an audit sequence number, a rejection reason); absent for a link to a list"},
					"label": map[string]any{"type": "string", "description": "a few words, never a secret, e.g. \"test auth_expired 2m ago\""},
					"api":   map[string]any{"type": "string", "description": "path of the API call that shows it"},
					"ui":    map[string]any{"type": "string", "description": "path of the dashboard page that shows it"}})}}))}),
		"Integrations": obj([]string{"entity", "summary", "cards"}, map[string]any{
			"entity": ref("Entity"),
			"summary": obj([]string{"connected", "sandbox", "production", "errors"}, map[string]any{
				"connected": integer, "sandbox": integer, "production": integer, "errors": integer}),
			"cards": arr(map[string]any{"allOf": []any{connection, obj([]string{"title", "kind", "actions", "attention"},
				map[string]any{"title": str, "kind": str, "actions": strList,
					"attention": arr(obj([]string{"kind", "count", "message", "tab"}, map[string]any{
						"kind":  map[string]any{"type": "string", "enum": []string{"webhook_rejections", "webhook_failed_events", "outbound_failed", "drift", "stale", "mapping_inbox"}},
						"count": integer, "message": str, "tab": str}))})}}),
		}),
		"LogEntry": obj([]string{"id", "connection_id", "time", "direction", "kind", "operation", "outcome", "latency_ms"}, map[string]any{
			"id": integer, "connection_id": str, "time": when, "direction": str, "kind": str, "operation": str, "outcome": str,
			"status": integer, "error_class": str, "latency_ms": integer, "excerpt": str, "correlation_id": str}),
		"WriteCreate": obj([]string{"operation", "payload"}, map[string]any{"operation": str, "payload": anyJSON}),
		"ExternalWrite": obj([]string{"id", "connection_id", "operation", "idempotency_key", "status", "attempts", "created_at"}, map[string]any{
			"id": str, "connection_id": str, "operation": str, "payload": anyJSON, "idempotency_key": str,
			"status":   map[string]any{"type": "string", "enum": []string{"queued", "running", "succeeded", "failed", "retrying", "refused"}},
			"attempts": integer, "result": anyJSON, "error_class": str, "error_message": str, "created_at": when, "updated_at": when}),
		"AuditEntry": obj([]string{"seq", "time", "actor", "action", "resource", "outcome", "prev_hash", "hash"}, map[string]any{
			"seq": integer, "time": when, "actor": str, "action": str, "resource": str, "entity_id": str, "outcome": str,
			"before": anyJSON, "after": anyJSON, "detail": str, "prev_hash": str, "hash": str}),
		"APIKeyCreate": obj([]string{"name", "role"}, map[string]any{"name": str,
			"role":       map[string]any{"type": "string", "enum": []string{"owner", "admin", "operator", "viewer"}},
			"entity_ids": map[string]any{"type": "array", "items": str, "nullable": true}}),
		"WebhooksPanel": obj([]string{"connector", "supported", "url", "required_events", "secret_status", "verification_failures"}, map[string]any{
			"connector": str, "supported": boolean, "note": str, "url": str, "scheme": str, "required_events": strList,
			"secret_status":    map[string]any{"type": "string", "enum": []string{"missing", "set", "verifying", "failing", "not_applicable"}},
			"last_received_at": nwhen, "received_24h": integer, "duplicates_24h": integer, "verification_failures": integer,
			"verification_failure_reasons": map[string]any{"type": "object", "additionalProperties": integer},
			"last_failure_at":              nwhen, "pending": integer, "failed_events": integer,
			"subscription": obj(nil, map[string]any{"found": boolean, "id": str, "url": str, "status": str, "events": strList,
				"missing_events": strList, "expires_at": nwhen, "auto_renew": boolean, "note": str}),
			"subscription_error": str}),
		"WebhookEvent": obj([]string{"id", "connection_id", "provider_event_id", "received_at", "verified", "duplicates", "status"}, map[string]any{
			"id": str, "connection_id": str, "provider_event_id": str, "event_type": str, "source": str, "received_at": when,
			"occurred_at": nwhen, "mode": str, "hint": boolean, "verified": boolean, "duplicates": integer,
			"status":   map[string]any{"type": "string", "enum": []string{"received", "processing", "processed", "failed"}},
			"attempts": integer, "processed_at": nwhen, "error": str}),
		"WebhookTest": obj([]string{"sent", "received", "expected", "message"}, map[string]any{
			"sent": boolean, "received": boolean, "message": str, "event": ref("WebhookEvent"),
			"expected": obj(nil, map[string]any{"event_types": strList, "object_id": str, "note": str})}),
		"WebhookRegistered": obj([]string{"created"}, map[string]any{"created": strList}),
		"WebhookRecovery": obj([]string{"since", "listed", "recovered", "gap"}, map[string]any{
			"since": when, "listed": integer, "recovered": integer, "gap": integer, "oldest_gap_at": nwhen}),
		"ExternalObject": obj([]string{"connection_id", "kind", "external_id", "status", "version"}, map[string]any{
			"connection_id": str, "kind": str, "external_id": str, "status": str, "version": integer, "data": anyJSON,
			"due_at": nwhen, "updated_at": when}),
		"RecordPut": obj([]string{"fields"}, map[string]any{"fields": strMap}),
		"RecordBatch": obj([]string{"records"}, map[string]any{"records": map[string]any{"type": "array", "minItems": 1, "maxItems": 500,
			"items": obj([]string{"fields"}, map[string]any{"id": str, "fields": strMap})}}),
		"RecordBatchAnswer": obj([]string{"results"}, map[string]any{"results": arr(ref("RecordAnswer"))}),
		"ERPRecord":         erpRecord,
		"RecordAnswer": obj([]string{"record", "outbound"}, map[string]any{"record": erpRecord, "outbound": arr(obj([]string{"connection_id", "field", "queued"},
			map[string]any{"connection_id": str, "external_id": str, "field": str, "queued": boolean, "reason": str}))}),
		"SyncStart":   obj(nil, map[string]any{"resource": str, "direction": map[string]any{"type": "string", "enum": []string{"inbound", "outbound"}}, "full": boolean}),
		"SyncRun":     syncRun,
		"SyncStarted": map[string]any{"allOf": []any{syncRun, obj([]string{"runs"}, map[string]any{"runs": arr(syncRun)})}},
		"SyncDashboard": obj([]string{"entity_id", "flows"}, map[string]any{"entity_id": str, "flows": arr(obj(
			[]string{"connection_id", "connector", "direction", "state", "windows", "backlog", "lag_seconds"}, map[string]any{
				"connection_id": str, "connector": str, "direction": str,
				"state":           map[string]any{"type": "string", "enum": []string{"on_time", "delayed", "failing", "idle"}},
				"last_success_at": nwhen, "windows": map[string]any{"type": "object", "additionalProperties": obj(nil, map[string]any{"moved": integer, "failed": integer})},
				"backlog": integer, "lag_seconds": map[string]any{"type": "number"}, "last_error": str, "running": syncRun}))}),
		"SyncSetting": obj([]string{"kind", "inbound", "outbound", "interval_seconds"}, map[string]any{"kind": str, "inbound": boolean,
			"outbound": boolean, "interval_seconds": integer}),
		"FieldPolicy": obj([]string{"kind", "field", "policy"}, map[string]any{"kind": str, "field": str,
			"policy": map[string]any{"type": "string", "enum": []string{"erp_wins", "service_wins", "manual"}}, "auto_resolve": boolean}),
		"Mapping": mapping,
		"MappingActions": obj([]string{"actions"}, map[string]any{"actions": arr(obj([]string{"mapping_id", "action"}, map[string]any{
			"mapping_id": str, "action": map[string]any{"type": "string", "enum": []string{"approve", "reject", "relink", "clear"}}, "erp_id": str}))}),
		"MappingOutcome": obj([]string{"mapping_id", "ok"}, map[string]any{"mapping_id": str, "ok": boolean, "error": str, "mapping": mapping}),
		"Suggested":      obj([]string{"suggested"}, map[string]any{"suggested": integer}),
		"Reimport":       obj(nil, map[string]any{"override": boolean, "preview": boolean}),
		"ReimportPreview": obj([]string{"mapping_id", "requires_override", "applied"}, map[string]any{"mapping_id": str, "erp_id": str,
			"external_id": str, "changes": map[string]any{"type": "array", "nullable": true, "items": obj(nil, map[string]any{"field": str, "erp": str, "service": str})},
			"history": map[string]any{"type": "array", "nullable": true, "items": str}, "requires_override": boolean, "applied": boolean}),
		"Drift": drift,
		"DiagnoseIn": map[string]any{"type": "object", "properties": map[string]any{"allow_reversible": boolean},
			"description": "Optional: an empty body is the same as {}. allow_reversible lets a production entity's workflow check run a reversible operation (a stock figure written back unchanged); a sandbox entity always allows it."},
		"ConfirmIn": obj([]string{"kind", "external_id"}, map[string]any{"kind": str, "external_id": str}),
		"Agreement": obj([]string{"kind", "external_id", "erp_id", "agree", "compared", "differs"}, map[string]any{
			"kind": str, "external_id": str, "erp_id": str, "agree": boolean, "compared": strList,
			"differs": arr(obj(nil, map[string]any{"field": str, "erp": str, "service": str}))}),
		"DriftScan":    obj([]string{"candidates", "drifts"}, map[string]any{"candidates": integer, "drifts": integer, "duration_ms": str}),
		"DriftResolve": obj([]string{"action"}, map[string]any{"action": map[string]any{"type": "string", "enum": []string{"push", "pull", "accept"}}, "preview": boolean}),
		"DriftPreview": obj([]string{"drift", "action", "change", "allowed"}, map[string]any{"drift": drift, "action": str, "change": str,
			"side": str, "from": str, "to": str, "allowed": boolean, "why": str}),
		"APIKey":        apiKey,
		"APIKeyCreated": apiKeyCreated,
	}
}
