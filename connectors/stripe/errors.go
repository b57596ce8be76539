package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/vault"
)

// defaultRateLimitWait is the wait a 429 implies when Stripe sends no Retry-After: Stripe
// documents no value, and one second keeps a retried job from hammering the limiter.
const defaultRateLimitWait = time.Second

// wrap names the failed operation and classifies err; it is the only way an error leaves a
// Stripe call, so every failure carries a class.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("stripe: %s: %w", op, classify(err))
}

// classify maps what stripe-go returns to a *connector.ExternalError. Errors that are not
// external failures (a cancelled context, our own bugs) pass through unchanged.
func classify(err error) error {
	var se *stripego.Error
	if errors.As(err, &se) {
		return fromStripeError(se)
	}
	var ee *connector.ExternalError
	if errors.As(err, &ee) {
		// Already classified by the shared outbound client (e.g. a Retry-After too long
		// to wait in process): keep its class, status and wait.
		return ee
	}
	if errors.Is(err, context.Canceled) {
		// Drop the *url.Error around it: connector.ClassOf reads any net.Error as
		// unavailable, and a call cancelled by our own shutdown says nothing about Stripe.
		return fmt.Errorf("request cancelled: %w", context.Canceled)
	}
	if class := connector.ClassOf(err); class != concord.ClassNone {
		return &connector.ExternalError{Class: class, Message: redact(err.Error()), Err: err}
	}
	// stripe-go reports a body it cannot decode (a proxy's HTML 502, a truncated response)
	// as a plain error with the status inside its text; without this the failure would
	// look like our own bug and never be retried.
	if m := undecodableStatus.FindStringSubmatch(err.Error()); m != nil {
		status, _ := strconv.Atoi(m[1])
		class := connector.ClassForStatus(status)
		if class == concord.ClassNone {
			class = concord.ClassUnavailable // a 2xx with a body that is not JSON
		}
		return &connector.ExternalError{Class: class, StatusCode: status,
			Message: "Stripe answered with a body that is not Stripe JSON", Err: err}
	}
	return err
}

// undecodableStatus matches stripe-go's "Couldn't deserialize JSON (response status: 502, ...".
var undecodableStatus = regexp.MustCompile(`Couldn't deserialize JSON \(response status: (\d+)`)

// fromStripeError is the one table from Stripe's status, type and code to concord's classes.
func fromStripeError(se *stripego.Error) *connector.ExternalError {
	status, code := se.HTTPStatusCode, se.Code
	var class concord.ErrorClass
	switch {
	// Idempotency errors come back as 400 but mean "this key was used for something
	// else, or is in flight": a conflict to resolve, never a fix-the-payload validation.
	case se.Type == stripego.ErrorTypeIdempotency, code == stripego.ErrorCodeIdempotencyKeyInUse, status == http.StatusConflict:
		class = concord.ClassConflict
	case status == http.StatusUnauthorized &&
		(code == stripego.ErrorCodeAPIKeyExpired || code == stripego.ErrorCodePlatformAPIKeyExpired):
		class = concord.ClassAuthExpired
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		// Stripe answers 401 invalid_api_key for a rolled or deleted key and 403 for a
		// restricted key without the permission: either way the key no longer serves.
		class = concord.ClassRevoked
	case status == http.StatusNotFound, code == stripego.ErrorCodeResourceMissing:
		class = concord.ClassNotFound
	case status == http.StatusTooManyRequests, code == stripego.ErrorCodeRateLimit:
		class = concord.ClassRateLimited
	case status >= 500, se.Type == stripego.ErrorTypeAPI:
		class = concord.ClassUnavailable
	case status == http.StatusPaymentRequired, status == http.StatusBadRequest,
		se.Type == stripego.ErrorTypeCard, se.Type == stripego.ErrorTypeInvalidRequest:
		class = concord.ClassValidation
	default:
		class = connector.ClassForStatus(status)
		if class == concord.ClassNone {
			class = concord.ClassUnavailable
		}
	}

	// Stripe's messages quote the key masked ("sk_test_****1234"); mask again with the
	// hub's one function so no format change on Stripe's side can leak more of it.
	se.Msg = redact(se.Msg)
	return &connector.ExternalError{
		Class:      class,
		StatusCode: status,
		Code:       string(code),
		Message:    message(se),
		RetryAfter: retryAfter(se, class),
		Err:        se,
	}
}

// message is what an operator reads: Stripe's sentence plus the parameter or decline code
// that tells which field of the record to fix.
func message(se *stripego.Error) string {
	msg := se.Msg
	if msg == "" {
		msg = http.StatusText(se.HTTPStatusCode)
	}
	if se.Param != "" {
		msg += " (param: " + se.Param + ")"
	}
	if se.DeclineCode != "" {
		msg += " (decline_code: " + string(se.DeclineCode) + ")"
	}
	return msg
}

// retryAfter reads the Retry-After header stripe-go keeps on the error's LastResponse.
func retryAfter(se *stripego.Error, class concord.ErrorClass) time.Duration {
	var d time.Duration
	if se.LastResponse != nil {
		d = parseRetryAfter(se.LastResponse.Header.Get("Retry-After"), time.Now())
	}
	if d == 0 && class == concord.ClassRateLimited {
		d = defaultRateLimitWait
	}
	return d
}

// parseRetryAfter accepts delta-seconds (integer or fractional) and HTTP dates.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// secretLike finds anything shaped like a Stripe key or signing secret, masked or not.
var secretLike = regexp.MustCompile(`(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*•]+|whsec_[A-Za-z0-9+/=*•]+`)

// redact masks every key-like token in s with vault.Mask.
func redact(s string) string {
	return secretLike.ReplaceAllStringFunc(s, vault.Mask)
}
