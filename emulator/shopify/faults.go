package shopifyemu

import (
	"net/http"
	"strconv"
	"time"
)

// Fault kinds accepted by POST /_emulator/faults.
const (
	FaultRateLimit   = "rate_limit"   // GraphQL THROTTLED, REST 429 with Retry-After
	FaultServerError = "server_error" // 500 {"errors":"Internal Server Error"}
	FaultTimeout     = "timeout"      // hold the request until the client gives up, then 504
	FaultExpireToken = "expire_token" // the calling token expires now: 401 until refreshed
	FaultRevokeToken = "revoke_token" // the app is uninstalled: 401, app/uninstalled fires
)

// fault is injected failures waiting for the next authenticated API calls.
type fault struct {
	Kind      string `json:"kind"`
	Remaining int    `json:"remaining"`
}

func validFault(kind string) bool {
	switch kind {
	case FaultRateLimit, FaultServerError, FaultTimeout, FaultExpireToken, FaultRevokeToken:
		return true
	}
	return false
}

// addFault queues count (at least 1) failures of kind.
func (e *Emulator) addFault(kind string, count int) fault {
	f := &fault{Kind: kind, Remaining: max(count, 1)}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
	return *f
}

// takeFault consumes one use of the oldest fault; "" when none is pending.
func (e *Emulator) takeFault() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.faults) == 0 {
		return ""
	}
	f := e.faults[0]
	if f.Remaining--; f.Remaining <= 0 {
		e.faults = e.faults[1:]
	}
	return f.Kind
}

// applyFault answers a pending fault and reports whether it did. A token
// fault kills the calling token for good (expired: the refresh token still
// works; revoked: nothing does until new credentials are fetched).
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, s *shop, tok string, graphql bool) bool {
	kind := e.takeFault()
	switch kind {
	case "":
		return false
	case FaultRateLimit:
		if graphql {
			e.mu.Lock()
			ext := map[string]any{"cost": map[string]any{"requestedQueryCost": 0, "actualQueryCost": nil,
				"throttleStatus": s.graphql.status()}}
			e.mu.Unlock()
			writeJSON(w, http.StatusOK, throttled(ext))
		} else {
			w.Header().Set("Retry-After", "1.0")
			writeRaw(w, http.StatusTooManyRequests, []byte(errRESTThrottled))
		}
	case FaultServerError:
		writeRaw(w, http.StatusInternalServerError, []byte(`{"errors":"Internal Server Error"}`))
	case FaultTimeout:
		t := time.NewTimer(e.opts.TimeoutFaultDelay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		writeRaw(w, http.StatusGatewayTimeout, []byte(`{"errors":"Timeout"}`))
	case FaultExpireToken:
		e.mu.Lock()
		if t, ok := e.tokens[tok]; ok {
			t.expires = e.now()
		}
		e.mu.Unlock()
		writeRaw(w, http.StatusUnauthorized, []byte(errInvalidToken))
	case FaultRevokeToken:
		e.mu.Lock()
		e.revokeShop(s)
		e.mu.Unlock()
		writeRaw(w, http.StatusUnauthorized, []byte(errInvalidToken))
	}
	return true
}

// errRESTThrottled is REST's 429 body.
const errRESTThrottled = `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`

// serveShop answers GET /admin/api/{version}/shop.json, the one REST call
// the connector makes, with the call-limit header of REST's leaky bucket.
func (e *Emulator) serveShop(w http.ResponseWriter, r *http.Request) {
	s, tok, ok := e.authenticate(w, r)
	if !ok || e.applyFault(w, r, s, tok, false) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	used, fits := s.rest.take()
	w.Header().Set("X-Shopify-Shop-Api-Call-Limit", strconv.Itoa(used)+"/"+strconv.Itoa(restBucketSize))
	if !fits {
		w.Header().Set("Retry-After", "1.0")
		writeRaw(w, http.StatusTooManyRequests, []byte(errRESTThrottled))
		return
	}
	plan, display := "basic", "Basic"
	if e.dev {
		plan, display = "partner_test", "Developer Preview"
	}
	writeJSON(w, http.StatusOK, map[string]any{"shop": map[string]any{
		"id": s.ID, "name": s.Name, "email": s.Email, "domain": s.Domain, "myshopify_domain": s.Domain,
		"currency": "USD", "iana_timezone": "America/New_York", "plan_name": plan,
		"plan_display_name": display, "created_at": stamp(s.Created), "updated_at": stamp(s.Created),
		"admin_graphql_api_id": gid("Shop", s.ID)}})
}
