package connector

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/concordhub/concord/vault"
)

// minSecretLen is the shortest secret Redact replaces by value. A one- or two-character
// "secret" would turn every log line into noise; real credentials are far longer, and the
// credential-shaped patterns below still apply to everything.
const minSecretLen = 4

// credentialPatterns catch credentials Redact was not told about: a key pasted into a
// description, echoed back by a service in an error body, or belonging to another connection.
// Each keeps group 1 (a scheme or JSON key) and masks group 2.
var credentialPatterns = []*regexp.Regexp{
	regexp.MustCompile(`()\b((?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9]+)`),
	regexp.MustCompile(`()\b(whsec_[A-Za-z0-9+/=_-]+)`),
	regexp.MustCompile(`()\b((?:shpat|shpca|shppa|shpss)_[A-Za-z0-9]+)`),
	regexp.MustCompile(`()\b(shippo_(?:test|live)_[A-Za-z0-9]+)`),
	// Schemes: the token must be long enough that "Basic plan" in prose is left alone.
	regexp.MustCompile(`(?i)(\b(?:Bearer|ShippoToken)\s+)([A-Za-z0-9._~+/-]{8,}=*)`),
	regexp.MustCompile(`(?i)(\bBasic\s+)([A-Za-z0-9+/]{8,}=*)`),
	// JSON string fields. The closing quote is optional because excerpts are cut short and
	// a value cut in the middle is still a secret.
	regexp.MustCompile(`(?i)("(?:access_token|refresh_token|id_token|client_secret|password|secret|api_key|license_key|private_key)"\s*:\s*")((?:[^"\\]|\\.)*)`),
}

// Redact replaces every occurrence of each secret in s, in the encodings it travels in
// (plain, base64, URL-encoded, JSON-escaped, and as the Basic-auth user "secret:"), with its
// vault.Mask form, then masks anything else that looks like a credential. It is applied to
// everything the outbound client logs.
func Redact(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	type repl struct{ from, to string }
	var rs []repl
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		masked := vault.Mask(sec)
		for _, form := range secretForms(sec) {
			rs = append(rs, repl{form, masked})
		}
	}
	// Longest first, so a secret that contains another is replaced whole rather than
	// leaving the remainder of the longer one in clear.
	sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].from) > len(rs[j].from) })
	for _, r := range rs {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	for _, re := range credentialPatterns {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + maskKeepShape(sub[2])
		})
	}
	return s
}

// maskKeepShape masks a matched credential; an empty match (e.g. "password":"") stays empty
// so the log still shows that the field was blank.
func maskKeepShape(v string) string {
	if v == "" {
		return v
	}
	return vault.Mask(v)
}

// secretForms lists the spellings under which a secret may appear on the wire or in a body.
func secretForms(sec string) []string {
	forms := []string{
		sec,
		base64.StdEncoding.EncodeToString([]byte(sec)),
		base64.RawStdEncoding.EncodeToString([]byte(sec)),
		base64.URLEncoding.EncodeToString([]byte(sec)),
		base64.RawURLEncoding.EncodeToString([]byte(sec)),
		// Basic auth with the key as user and an empty password (Stripe, PrintNode).
		base64.StdEncoding.EncodeToString([]byte(sec + ":")),
		base64.RawStdEncoding.EncodeToString([]byte(sec + ":")),
		url.QueryEscape(sec),
		url.PathEscape(sec),
	}
	if b, err := json.Marshal(sec); err == nil {
		forms = append(forms, string(b[1:len(b)-1])) // JSON-escaped, without the quotes
	}
	seen := map[string]bool{}
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= minSecretLen && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// sensitiveQueryKey reports whether a query parameter's value must not be logged: API keys,
// tokens and signatures are sometimes sent in the URL (Shippo's webhook ?token=, OAuth codes).
func sensitiveQueryKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "token", "secret", "password", "passwd", "signature", "auth", "credential", "session"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	switch k {
	case "sig", "code", "pwd", "hmac":
		return true
	}
	return false
}

// redactedTarget is "METHOD /path?query" with the values of sensitive query keys removed.
func redactedTarget(method string, u *url.URL) string {
	if u == nil {
		return method
	}
	target := u.EscapedPath()
	if target == "" {
		target = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			for _, v := range q[k] {
				v = url.QueryEscape(v)
				if sensitiveQueryKey(k) {
					v = "[redacted]"
				}
				parts = append(parts, url.QueryEscape(k)+"="+v)
			}
		}
		target += "?" + strings.Join(parts, "&")
	}
	return method + " " + target
}
