package stripeemu

import (
	"crypto/rand"
	"encoding/base64"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString is n characters of crypto-random alphanumerics.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// newID is an object id the way Stripe shapes them: prefix and 24 characters.
func newID(prefix string) string { return prefix + "1" + randomString(23) }

// accountKeys are an account's two key sets. Real keys carry 99 characters
// after the mode prefix; so do these, so length checks behave.
type accountKeys struct {
	SecretTest, PublishableTest string
	SecretLive, PublishableLive string
}

func newAccountKeys() accountKeys {
	body := func() string { return "51" + randomString(97) }
	return accountKeys{
		SecretTest:      "sk_test_" + body(),
		PublishableTest: "pk_test_" + body(),
		SecretLive:      "sk_live_" + body(),
		PublishableLive: "pk_live_" + body(),
	}
}

type keyKind int

const (
	keySecret keyKind = iota
	keyPublishable
)

// keyRef is what an API key unlocks: an account in one mode.
type keyRef struct {
	key  string
	acct *account
	live bool
	kind keyKind
}

// apiKey extracts the key from Bearer or Basic auth (key as user, empty
// password), the two ways Stripe accepts.
func apiKey(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, rest, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		return strings.TrimSpace(rest)
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return ""
		}
		user, _, _ := strings.Cut(string(raw), ":")
		return user
	}
	return ""
}

// maskKey hides all but a key's mode prefix and last four characters, as
// Stripe's "Invalid API Key provided" message does.
func maskKey(key string) string {
	prefix := ""
	for _, p := range []string{"sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_"} {
		if strings.HasPrefix(key, p) {
			prefix = p
			break
		}
	}
	rest := key[len(prefix):]
	if len(rest) <= 4 {
		return prefix + "****"
	}
	return prefix + "****" + rest[len(rest)-4:]
}

// authenticate resolves the request's key or answers Stripe's 401.
func (e *Emulator) authenticate(r *http.Request) (keyRef, *apiError) {
	key := apiKey(r)
	if key == "" {
		return keyRef{}, newErr(http.StatusUnauthorized, typeInvalidRequest, "", "",
			"You did not provide an API key. You need to provide your API key in the Authorization header, "+
				"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication "+
				"for details, or we can help at https://support.stripe.com/.")
	}
	e.mu.Lock()
	ref, ok := e.keys[key]
	e.mu.Unlock()
	if !ok {
		return keyRef{}, errInvalidKey(key)
	}
	if ref.kind == keyPublishable {
		return keyRef{}, newErr(http.StatusUnauthorized, typeInvalidRequest, "", "",
			"This API call cannot be made with a publishable API key. Please use a secret API key. "+
				"You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.")
	}
	return ref, nil
}

func errInvalidKey(key string) *apiError {
	return newErr(http.StatusUnauthorized, typeInvalidRequest, "invalid_api_key", "",
		"Invalid API Key provided: "+maskKey(key))
}

func errExpiredKey(key string) *apiError {
	return newErr(http.StatusUnauthorized, typeInvalidRequest, "api_key_expired", "",
		"Expired API Key provided: "+maskKey(key))
}

// rateLimiter is a token bucket per API key, refilled at rate tokens per
// second with a burst of one second's worth.
type rateLimiter struct {
	rate    float64 // <0: off
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64) *rateLimiter {
	return &rateLimiter{rate: rate, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it says how many whole
// seconds until one is.
func (l *rateLimiter) allow(key string) (ok bool, retryAfter int) {
	if l.rate < 0 {
		return true, 0
	}
	burst := math.Max(l.rate, 1)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, int(math.Ceil((1 - b.tokens) / l.rate))
}
