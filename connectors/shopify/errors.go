package shopify

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// minRetryAfter is the shortest wait a rate-limited answer implies: Shopify's bucket
// restores in whole seconds' worth, and a retry sooner is a second refusal.
const minRetryAfter = time.Second

// httpError classifies a non-200 answer. Shopify's REST-style error bodies are
// {"errors": "text"} or {"errors": [...]} or {"errors": {...}}; the text is kept (redacted)
// because it says what is wrong ("[API] Invalid API key or access token ...").
func httpError(resp *http.Response, body []byte, secrets []string) *connector.ExternalError {
	status := resp.StatusCode
	msg := connector.Redact(restErrorText(body), secrets...)
	if msg == "" {
		msg = http.StatusText(status)
	}
	e := &connector.ExternalError{StatusCode: status, Message: msg}
	switch {
	case status == http.StatusUnauthorized:
		// Invalid, expired and uninstalled-app tokens all answer 401: reconnect.
		e.Class = concord.ClassAuthExpired
	case status == http.StatusPaymentRequired:
		e.Class, e.Code = concord.ClassRevoked, "shop_frozen"
		e.Message = "the shop is frozen (unpaid Shopify bill): " + msg
	case status == http.StatusLocked:
		e.Class, e.Code = concord.ClassRevoked, "shop_locked"
		e.Message = "the shop is locked: " + msg
	case status == http.StatusNotFound:
		e.Class = concord.ClassNotFound
	case status == http.StatusTooManyRequests:
		e.Class = concord.ClassRateLimited
		e.RetryAfter = max(retryAfterHeader(resp.Header.Get("Retry-After")), minRetryAfter)
	case status >= 500:
		e.Class = concord.ClassUnavailable
	default:
		e.Class = connector.ClassForStatus(status)
		if e.Class == concord.ClassNone {
			e.Class = concord.ClassUnavailable
		}
	}
	return e
}

// restErrorText reads the "errors" member in any of its shapes.
func restErrorText(body []byte) string {
	var env struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Errors) == 0 {
		return ""
	}
	var text string
	if json.Unmarshal(env.Errors, &text) == nil {
		return text
	}
	var list []gqlError
	if json.Unmarshal(env.Errors, &list) == nil {
		var msgs []string
		for _, e := range list {
			msgs = append(msgs, e.Message)
		}
		return strings.Join(msgs, "; ")
	}
	return string(env.Errors) // an object such as {"shop":["is invalid"]}
}

// retryAfterHeader reads Shopify's fractional Retry-After seconds ("1.0").
func retryAfterHeader(v string) time.Duration {
	secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || secs <= 0 || math.IsNaN(secs) || secs > 3600 {
		return 0
	}
	return time.Duration(secs * float64(time.Second))
}

// graphqlError classifies a 200 answer carrying "errors": THROTTLED is rate_limited with
// the wait the bucket needs; anything else is a document or argument the shop refused
// (validation), reported with Shopify's message and code.
func graphqlError(env gqlResponse, secrets []string) *connector.ExternalError {
	var msgs []string
	code := ""
	for _, ge := range env.Errors {
		if ge.Extensions.Code == "THROTTLED" {
			e := &connector.ExternalError{Class: concord.ClassRateLimited, StatusCode: http.StatusOK,
				Code: "THROTTLED", Message: "Shopify's GraphQL cost bucket is empty", RetryAfter: minRetryAfter}
			if c := env.Extensions.Cost; c != nil {
				e.RetryAfter = restoreWait(c.RequestedQueryCost, c.ThrottleStatus)
			}
			return e
		}
		if code == "" {
			code = ge.Extensions.Code
		}
		msgs = append(msgs, ge.Message)
	}
	return &connector.ExternalError{Class: concord.ClassValidation, StatusCode: http.StatusOK, Code: code,
		Message: connector.Redact(strings.Join(msgs, "; "), secrets...)}
}

// restoreWait is how long the bucket needs to hold cost points again:
// (requested − currentlyAvailable) / restoreRate seconds, at least minRetryAfter.
func restoreWait(requested float64, ts throttleStatus) time.Duration {
	if ts.RestoreRate <= 0 {
		return minRetryAfter
	}
	secs := (requested - ts.CurrentlyAvailable) / ts.RestoreRate
	return max(time.Duration(secs*float64(time.Second)), minRetryAfter)
}
