package shopify

import (
	"sort"
	"strings"
	"time"

	"github.com/concordhub/concord"
)

// accessTokenPrefixes are the Admin API token shapes: shpat_ (custom and public app
// tokens, also what the emulator mints per the wire subset), shpca_ (custom app), shppa_
// (legacy private app).
var accessTokenPrefixes = []string{"shpat_", "shpca_", "shppa_"}

// minTokenBody is the shortest plausible part after the prefix (real ones carry 32 hex).
const minTokenBody = 16

// CheckCredentials validates the shape of every credential field. A Shopify token does not
// say whether its shop is a development store, so the mode is never declared here
// (ok=false): Test reveals it from the shop's plan. Messages name the field, never the value.
func (*Connector) CheckCredentials(creds map[string]string) (concord.Mode, bool, error) {
	if err := rejectUnknownFields(creds); err != nil {
		return "", false, err
	}
	tok := creds[FieldAccessToken]
	if tok == "" {
		return "", false, invalid("access_token is required")
	}
	if err := checkToken(tok); err != nil {
		return "", false, err
	}
	for _, f := range []string{FieldClientID, FieldClientSecret, FieldRefreshToken} {
		if v := creds[f]; v != "" && hasSpace(v) {
			return "", false, invalid("%s contains whitespace; paste the value without spaces or line breaks", f)
		}
	}
	if creds[FieldRefreshToken] != "" && (creds[FieldClientID] == "" || creds[FieldClientSecret] == "") {
		return "", false, invalid("refresh_token needs client_id and client_secret: without them the token cannot be refreshed")
	}
	if v := creds[FieldTokenExpiresAt]; v != "" {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return "", false, invalid("token_expires_at must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
	}
	return "", false, nil
}

// checkToken refuses values that cannot be an Admin API access token, naming the usual
// mix-ups (the client secret or the refresh token pasted in the token field).
func checkToken(tok string) error {
	if hasSpace(tok) {
		return invalid("access_token contains whitespace; paste the value without spaces or line breaks")
	}
	switch {
	case strings.HasPrefix(tok, "shpss_"):
		return invalid("access_token holds the app's client secret (shpss_); paste the Admin API access token (shpat_)")
	case strings.HasPrefix(tok, "shprt_"):
		return invalid("access_token holds a refresh token (shprt_); put it in refresh_token and paste the access token (shpat_)")
	}
	for _, p := range accessTokenPrefixes {
		if body, ok := strings.CutPrefix(tok, p); ok {
			if len(body) < minTokenBody || !alnum(body) {
				return invalid("access_token has an implausible shape; paste the whole token from the Shopify admin")
			}
			return nil
		}
	}
	return invalid("access_token must start with shpat_, shpca_ or shppa_ (an Admin API access token)")
}

// rejectUnknownFields catches a credential stored under a misspelt name, which would
// otherwise be kept, encrypted and silently never used.
func rejectUnknownFields(creds map[string]string) error {
	var unknown []string
	for name := range creds {
		switch name {
		case FieldAccessToken, FieldClientID, FieldClientSecret, FieldRefreshToken, FieldTokenExpiresAt:
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid("unknown credential field %s (expected access_token, client_id, client_secret, refresh_token, token_expires_at)",
			strings.Join(unknown, ", "))
	}
	return nil
}

func hasSpace(v string) bool {
	return strings.ContainsAny(v, " \t\r\n")
}

func alnum(s string) bool {
	for _, r := range s {
		if r != '_' && r != '-' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && !('0' <= r && r <= '9') {
			return false
		}
	}
	return true
}
