package concord

import (
	"errors"
	"fmt"
)

// Error codes of the hub's own errors. The HTTP layer maps each to one status in one place.
const (
	ECONFLICT      = "conflict"       // 409
	EINTERNAL      = "internal"       // 500
	EINVALID       = "invalid"        // 400
	ENOTFOUND      = "not_found"      // 404
	EUNAUTHORIZED  = "unauthorized"   // 401
	EFORBIDDEN     = "forbidden"      // 403
	EUNPROCESSABLE = "unprocessable"  // 422
	ETOOLARGE      = "too_large"      // 413
	ERATELIMITED   = "rate_limited"   // 429
	EUNAVAILABLE   = "unavailable"    // 503
	EMODEMISMATCH  = "mode_mismatch"  // 409
	EEXTERNAL      = "external_error" // 502
)

// Error is an error meant for the caller: its Message is safe to show (it never carries a
// secret) and its Code says what kind of failure it is.
type Error struct {
	Code    string
	Message string
	// Class is set when the error comes from an external service.
	Class ErrorClass
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode unwraps err to its code; errors that are not *Error are internal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage unwraps err to a message safe to show; internal errors are not shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrNotFound is returned by stores when a row does not exist.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "not found"}
