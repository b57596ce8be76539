package connector

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concordhub/concord"
)

// Reasons a delivery is refused, as WebhookError.Reason. They are counted per connection,
// so they stay a small fixed set.
const (
	ReasonMissingSignature = "missing_signature"
	ReasonBadSignature     = "bad_signature"
	ReasonStaleTimestamp   = "stale_timestamp"
	ReasonMalformed        = "malformed"
	ReasonUnknownKey       = "unknown_key"
	ReasonNotConfigured    = "not_configured"
)

// RejectWebhook builds the refusal of a delivery. detail must never quote the body or a
// secret: it is logged and may be shown to the operator.
func RejectWebhook(status int, reason, detail string) *WebhookError {
	return &WebhookError{Status: status, Reason: reason, Detail: detail}
}

// WebhookNow is the moment a delivery is judged at: its ReceivedAt, or now when the intake
// did not set one. Tolerances and key caches use it so tests can replay old vectors.
func WebhookNow(r *WebhookRequest) time.Time {
	if r == nil || r.ReceivedAt.IsZero() {
		return time.Now()
	}
	return r.ReceivedAt
}

// HMACSHA256 is HMAC-SHA256 of the concatenated parts under secret.
func HMACSHA256(secret []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// EqualMACHex reports, in constant time, whether gotHex is the hex form of mac. A value that
// is not hex (or has the wrong length) is simply unequal.
func EqualMACHex(mac []byte, gotHex string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(gotHex))
	if err != nil {
		return false
	}
	return hmac.Equal(mac, got)
}

// EqualSecret reports, in constant time, whether got equals the stored secret. Both sides
// are hashed first so neither the comparison time nor an early length check reveals the
// stored secret's length. An empty stored secret never matches: a connection without a
// secret must be refused, not opened.
func EqualSecret(stored, got string) bool {
	if stored == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(stored)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// SHA256Hex is the lowercase hex SHA-256 of b (Plaid's request_body_sha256, and the body
// part of the composite dedupe keys of providers that send no event id).
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// WithinTolerance reports whether signed lies within tol of now, in either direction: a
// timestamp from the future is as suspect as an old one (clock skew aside).
func WithinTolerance(signed, now time.Time, tol time.Duration) bool {
	d := now.Sub(signed)
	return d <= tol && d >= -tol
}

// maxSignatures bounds how many v1 values one header may carry; Stripe sends one per active
// secret (two during a rotation), so a few dozen is already generous.
const maxSignatures = 16

// TimestampedSignature is a parsed `t=<unix>,v1=<hex>[,v1=<hex>...]` header, the scheme of
// Stripe-Signature and Shippo-Auth-Signature.
type TimestampedSignature struct {
	Timestamp int64
	V1        []string
}

// ErrSignatureHeader is returned by ParseTimestampedSignature for a header it cannot use.
var ErrSignatureHeader = errors.New("signature header is not t=<unix>,v1=<hex>")

// ParseTimestampedSignature parses a `t=...,v1=...` header. Other schemes (Stripe's v0 test
// signatures) are ignored; a header without a t or without any v1 is an error.
func ParseTimestampedSignature(h string) (TimestampedSignature, error) {
	var sig TimestampedSignature
	seenT := false
	for _, item := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seenT {
				return TimestampedSignature{}, ErrSignatureHeader
			}
			sig.Timestamp, seenT = ts, true
		case "v1":
			if len(sig.V1) == maxSignatures {
				return TimestampedSignature{}, ErrSignatureHeader
			}
			sig.V1 = append(sig.V1, v)
		}
	}
	if !seenT || len(sig.V1) == 0 {
		return TimestampedSignature{}, ErrSignatureHeader
	}
	return sig, nil
}

// VerifyTimestampedHMAC checks a `t=...,v1=...` header against HMAC-SHA256 over
// `<t>.<body>` under any of secrets (several during a rotation overlap; empty ones are
// skipped), with tol either side of now. It returns nil or a *WebhookError with status.
func VerifyTimestampedHMAC(status int, header string, body []byte, secrets []string, now time.Time, tol time.Duration) error {
	if strings.TrimSpace(header) == "" {
		return RejectWebhook(status, ReasonMissingSignature, "no signature header")
	}
	sig, err := ParseTimestampedSignature(header)
	if err != nil {
		return RejectWebhook(status, ReasonMalformed, err.Error())
	}
	// The signature is checked before the timestamp so an unsigned caller learns nothing
	// about our clock; both must pass.
	prefix := []byte(strconv.FormatInt(sig.Timestamp, 10) + ".")
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := HMACSHA256([]byte(secret), prefix, body)
		for _, v := range sig.V1 {
			// No early exit: every candidate is compared, so timing says nothing about
			// which secret or which v1 matched.
			if EqualMACHex(mac, v) {
				matched = true
			}
		}
	}
	if !matched {
		return RejectWebhook(status, ReasonBadSignature, "no v1 signature matches")
	}
	if !WithinTolerance(time.Unix(sig.Timestamp, 0), now, tol) {
		return RejectWebhook(status, ReasonStaleTimestamp, fmt.Sprintf("timestamp outside %s tolerance", tol))
	}
	return nil
}

// KeyFetchError is the failure to fetch a provider's verification key: a network error or
// an answer that is not the key. It is not a bad signature: the intake answers 5xx so the
// provider retries later. status is the HTTP status (0 when no answer came).
func KeyFetchError(provider string, status int, err error) error {
	class := ClassOf(err)
	if status != 0 {
		class = ClassForStatus(status)
	}
	if class == concord.ClassNone {
		class = concord.ClassUnavailable
	}
	if errors.Is(err, context.Canceled) {
		// The caller went away; keep the cancellation visible and unclassified.
		return fmt.Errorf("%s: fetch webhook key: %w", provider, err)
	}
	ee := &ExternalError{Class: class, StatusCode: status, Message: "could not fetch the webhook verification key", Err: err}
	return fmt.Errorf("%s: fetch webhook key: %w", provider, ee)
}

// KeyCache holds fetched verification keys by key id for a while, so a burst of deliveries
// costs one key fetch. It is bounded (the kid comes from an unauthenticated header, so an
// attacker could otherwise grow it without end) and safe for concurrent use. The zero value
// is not usable; make one with NewKeyCache.
type KeyCache[K any] struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]cachedKey[K]
}

type cachedKey[K any] struct {
	key     K
	expires time.Time
}

// NewKeyCache returns a cache keeping each key for ttl, holding at most max keys.
func NewKeyCache[K any](ttl time.Duration, max int) *KeyCache[K] {
	if max < 1 {
		max = 1
	}
	return &KeyCache[K]{ttl: ttl, max: max, entries: map[string]cachedKey[K]{}}
}

// Get returns the key cached for kid, if it has not expired at now.
func (c *KeyCache[K]) Get(kid string, now time.Time) (K, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[kid]
	if !ok || !now.Before(e.expires) {
		var zero K
		return zero, false
	}
	return e.key, true
}

// Put caches key for kid from now. When the cache is full, expired keys go first, then the
// one closest to expiry.
func (c *KeyCache[K]) Put(kid string, key K, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[kid]; !ok && len(c.entries) >= c.max {
		oldest, first := "", true
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
				continue
			}
			if first || e.expires.Before(c.entries[oldest].expires) {
				oldest, first = k, false
			}
		}
		if len(c.entries) >= c.max {
			delete(c.entries, oldest)
		}
	}
	c.entries[kid] = cachedKey[K]{key: key, expires: now.Add(c.ttl)}
}

// Len is how many keys are cached (expired ones included until they are evicted).
func (c *KeyCache[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
