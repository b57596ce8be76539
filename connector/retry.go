package connector

import (
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff bounds for retries the server gave no wait for. Stripe's own SDK starts at 500 ms
// and caps at a few seconds; the whole call has 30 s by default, so a cap of 8 s leaves room
// for MaxRetries attempts.
const (
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffCap  = 8 * time.Second
)

// replayable reports whether sending req again cannot do the work twice, and whether we can
// send it again at all. Reads are safe by definition; a write is safe only with an
// Idempotency-Key, which tells the service (Stripe) to answer a repeat with the first result.
func replayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if req.Header.Get("Idempotency-Key") == "" {
			return false
		}
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	return !hasBody || req.GetBody != nil
}

// neverRetry lists the statuses for which the same request gets the same answer; for
// 401/403 repeating a bad credential can even get the key locked. It wins over any header.
func neverRetry(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// shouldRetryResponse reports whether a response may turn out differently if the same
// request is sent again. 409 is included because Stripe answers concurrent use of one
// idempotency key with 409 and documents that it should be retried. Stripe-Should-Retry is
// Stripe telling us outright (e.g. "true" on a lock timeout), so it beats the status rules.
func shouldRetryResponse(resp *http.Response) bool {
	status := resp.StatusCode
	if status < 400 || neverRetry(status) {
		return false
	}
	switch resp.Header.Get("Stripe-Should-Retry") {
	case "false":
		return false
	case "true":
		return true
	}
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// shouldRetryError reports whether a transport error may go away on a second try. Refusals
// by our own guard and certificate failures are deterministic; everything else (refused or
// reset connections, timeouts of one attempt) is worth another try.
func shouldRetryError(err error) bool {
	var ee *ExternalError
	if errors.As(err, &ee) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	return !errors.As(err, &certErr)
}

// serverWait is the wait the service asked for: Retry-After (delay seconds, possibly
// fractional as Shopify sends, or an HTTP date), else X-RateLimit-Reset (Shippo; whether it
// is a delay or a Unix time is unconfirmed, so values that can only be a Unix time are read
// as one). It returns 0 when the service did not say.
func serverWait(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			return secondsDuration(secs)
		}
		if t, err := http.ParseTime(v); err == nil {
			return nonNegative(t.Sub(now))
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			if n > 1e9 { // a delay of 30 years is not what anyone means
				return nonNegative(time.Unix(int64(n), 0).Sub(now))
			}
			return secondsDuration(n)
		}
	}
	return 0
}

func secondsDuration(secs float64) time.Duration {
	if secs <= 0 || secs != secs { // negative or NaN
		return 0
	}
	if secs > 1e6 { // avoid overflow; anything this long is "snooze" anyway
		secs = 1e6
	}
	return time.Duration(secs * float64(time.Second))
}

func nonNegative(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// backoff is exponential backoff with full jitter: a uniformly random wait in
// [0, min(cap, base*2^attempt)]. Full jitter spreads out the many workers that hit the same
// 503 at the same moment, so they do not return together.
func backoff(base, cap time.Duration, attempt int) time.Duration {
	ceil := base
	for i := 0; i < attempt && ceil < cap; i++ {
		ceil *= 2
	}
	ceil = min(ceil, cap)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}
