package stripeemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Stripe's error types, as in the "type" field of an error body.
const (
	typeInvalidRequest = "invalid_request_error"
	typeCard           = "card_error"
	typeAPI            = "api_error"
	typeIdempotency    = "idempotency_error"
)

// apiError is one Stripe error answer: the status, the body fields and the
// retry hints Stripe sends with it.
type apiError struct {
	status      int
	Type        string         `json:"type"`
	Code        string         `json:"code,omitempty"`
	DeclineCode string         `json:"decline_code,omitempty"`
	DocURL      string         `json:"doc_url,omitempty"`
	Message     string         `json:"message"`
	Param       string         `json:"param,omitempty"`
	Charge      string         `json:"charge,omitempty"`
	PI          *PaymentIntent `json:"payment_intent,omitempty"`
	PM          *PaymentMethod `json:"payment_method,omitempty"`
	RequestLog  string         `json:"request_log_url,omitempty"`
	retryAfter  int            // seconds; 0 = no Retry-After header
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

// shouldRetry is the Stripe-Should-Retry value Stripe sends: true for
// rate limits, lock conflicts and its own failures, false otherwise.
func (e *apiError) shouldRetry() bool {
	return e.status == http.StatusTooManyRequests || e.status == http.StatusConflict ||
		e.status >= 500
}

func newErr(status int, typ, code, param, msg string) *apiError {
	e := &apiError{status: status, Type: typ, Code: code, Param: param, Message: msg}
	if code != "" {
		e.DocURL = "https://stripe.com/docs/error-codes/" + code
	}
	return e
}

func errInvalidRequest(msg string) *apiError {
	return newErr(http.StatusBadRequest, typeInvalidRequest, "", "", msg)
}

func errInvalid(param, code, msg string) *apiError {
	return newErr(http.StatusBadRequest, typeInvalidRequest, code, param, msg)
}

func errMissing(param string) *apiError {
	return errInvalid(param, "parameter_missing", "Missing required param: "+param+".")
}

func errInvalidInteger(param, val string) *apiError {
	return errInvalid(param, "parameter_invalid_integer", "Invalid integer: "+val)
}

func errUnexpectedState(msg string) *apiError {
	return errInvalid("", "payment_intent_unexpected_state", msg)
}

// errNoSuch is Stripe's 404 for an unknown id; resource is the object name
// as Stripe spells it in the message (payment_intent, customer, ...).
func errNoSuch(resource, id, param string) *apiError {
	if param == "" {
		param = "id"
	}
	return newErr(http.StatusNotFound, typeInvalidRequest, "resource_missing", param,
		fmt.Sprintf("No such %s: '%s'", resource, id))
}

func errRateLimited(retryAfter int) *apiError {
	e := newErr(http.StatusTooManyRequests, typeInvalidRequest, "rate_limit", "",
		"Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.")
	e.retryAfter = retryAfter
	return e
}

func errServer() *apiError {
	return newErr(http.StatusInternalServerError, typeAPI, "", "",
		"Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.")
}

// writeError sends e as Stripe's {"error":{...}} body with its headers.
func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	h.Set("Stripe-Should-Retry", strconv.FormatBool(e.shouldRetry()))
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.status, map[string]any{"error": e})
}

// writeJSON sends v as an indented JSON body, as Stripe's API does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"type":"api_error","message":"emulator: encoding response failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
