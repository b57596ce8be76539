package connector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/concordhub/concord"
)

// ExternalError is a failure reported by (or on the way to) an external service. It carries
// its class, which decides retries, the connection's health and the operator's wording.
type ExternalError struct {
	Class      concord.ErrorClass
	StatusCode int
	// Code is the service's own error code (e.g. Stripe "api_key_expired").
	Code string
	// Message is safe to show: it never contains a credential.
	Message string
	// RetryAfter is the wait the service asked for, if any.
	RetryAfter time.Duration
	Err        error
}

func (e *ExternalError) Error() string {
	s := string(e.Class)
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *ExternalError) Unwrap() error { return e.Err }

// ClassOf returns the error class of err: the class of an *ExternalError in its chain, else a
// class inferred from network errors, else "" (not an external failure).
func ClassOf(err error) concord.ErrorClass {
	if err == nil {
		return concord.ClassNone
	}
	var ee *ExternalError
	if errors.As(err, &ee) {
		return ee.Class
	}
	if errors.Is(err, context.Canceled) {
		// We gave up (shutdown, client went away): that says nothing about the service.
		return concord.ClassNone
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return concord.ClassTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return concord.ClassTimeout
		}
		return concord.ClassUnavailable
	}
	return concord.ClassNone
}

// RetryAfterOf returns the wait the service asked for, if err carries one.
func RetryAfterOf(err error) time.Duration {
	var ee *ExternalError
	if errors.As(err, &ee) {
		return ee.RetryAfter
	}
	return 0
}

// ClassForStatus is the default classification of an HTTP status, for connectors whose
// service does not say more in its body.
func ClassForStatus(status int) concord.ErrorClass {
	switch {
	case status == 401:
		return concord.ClassAuthExpired
	case status == 403:
		return concord.ClassRevoked
	case status == 404:
		return concord.ClassNotFound
	case status == 409:
		return concord.ClassConflict
	case status == 429:
		return concord.ClassRateLimited
	case status == 408 || status == 504:
		return concord.ClassTimeout
	case status >= 500:
		return concord.ClassUnavailable
	case status >= 400:
		return concord.ClassValidation
	}
	return concord.ClassNone
}
