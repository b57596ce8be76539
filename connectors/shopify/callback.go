package shopify

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Callback checks. A callback older than callbackMaxAge is refused as a replay; one dated
// more than callbackMaxSkew ahead of our clock cannot be genuine either.
const (
	callbackMaxAge  = 24 * time.Hour
	callbackMaxSkew = 5 * time.Minute
)

// Refusals of an OAuth callback; VerifyCallback wraps them, so test with errors.Is.
var (
	ErrCallbackSignature = &concord.Error{Code: concord.EUNAUTHORIZED, Class: concord.ClassValidation,
		Message: "the OAuth callback's hmac does not match: it was not signed with this app's client secret"}
	ErrCallbackState = &concord.Error{Code: concord.EUNAUTHORIZED, Class: concord.ClassValidation,
		Message: "the OAuth callback's state does not match the install that was started"}
	ErrCallbackExpired = &concord.Error{Code: concord.EUNAUTHORIZED, Class: concord.ClassValidation,
		Message: "the OAuth callback's timestamp is too old or in the future"}
)

// VerifyCallback checks the query Shopify redirects the shop owner back with: the hmac
// (hex HMAC-SHA256 with the client secret over the other parameters, sorted by name and
// joined k=v with &; hmac and signature excluded), compared in constant time; the state
// against the nonce the install started with; the timestamp within 24 hours; and the shop,
// which must already be a myshopify.com domain. It returns the shop domain and the code
// to pass to ExchangeCode.
func VerifyCallback(query url.Values, clientSecret string, wantState string, now time.Time) (shop, code string, err error) {
	if clientSecret == "" || wantState == "" {
		return "", "", invalid("client_secret and the expected state are required to verify the OAuth callback")
	}
	got, err := hex.DecodeString(query.Get("hmac"))
	if err != nil || len(got) != 32 {
		return "", "", fmt.Errorf("shopify: callback hmac missing or not hex SHA-256: %w", ErrCallbackSignature)
	}
	for k, vs := range query {
		if len(vs) != 1 {
			return "", "", invalid("the OAuth callback repeats parameter %q", k)
		}
	}
	ok := false
	for _, msg := range callbackMessages(query) {
		if hmac.Equal(connector.HMACSHA256([]byte(clientSecret), []byte(msg)), got) {
			ok = true
		}
	}
	if !ok {
		return "", "", fmt.Errorf("shopify: %w", ErrCallbackSignature)
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(wantState)) != 1 {
		return "", "", fmt.Errorf("shopify: %w", ErrCallbackState)
	}
	ts, err := strconv.ParseInt(query.Get("timestamp"), 10, 64)
	if err != nil {
		return "", "", fmt.Errorf("shopify: callback timestamp is not Unix seconds: %w", ErrCallbackExpired)
	}
	if at := time.Unix(ts, 0); now.Sub(at) > callbackMaxAge || at.Sub(now) > callbackMaxSkew {
		return "", "", fmt.Errorf("shopify: %w", ErrCallbackExpired)
	}
	shop = query.Get("shop")
	if domain, err := NormalizeShop(shop); err != nil || domain != shop {
		return "", "", invalid("the OAuth callback's shop is not a myshopify.com domain")
	}
	if code = query.Get("code"); code == "" {
		return "", "", invalid("the OAuth callback carries no code")
	}
	return shop, code, nil
}

// callbackMessages are the strings the hmac may be over: the documented join of decoded
// values, and the form-encoded join Shopify's own libraries compute (the two differ only
// when a value holds a character that needs escaping, such as "=" in host).
func callbackMessages(query url.Values) []string {
	rest := url.Values{}
	keys := make([]string, 0, len(query))
	for k, vs := range query {
		if k == "hmac" || k == "signature" {
			continue
		}
		rest[k] = vs
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, k+"="+rest.Get(k))
	}
	plain, encoded := strings.Join(pairs, "&"), rest.Encode()
	if plain == encoded {
		return []string{plain}
	}
	return []string{plain, encoded}
}
