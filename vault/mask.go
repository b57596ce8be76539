package vault

import "strings"

// modePrefixes are the credential prefixes that tell a reader the mode of a key. Masking keeps
// them so an operator can see at a glance that a sandbox key sits in a production entity.
var modePrefixes = []string{
	"sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_", "whsec_",
	"shippo_test_", "shippo_live_", "shpat_", "shpca_", "shppa_", "shpss_",
}

// Mask is the one masking function used by the API, the pages and the logs: it keeps the
// prefix that tells the mode (e.g. "sk_test_") and the last 4 characters, and hides the rest.
// Values too short to keep anything safely are hidden whole.
func Mask(v string) string {
	if v == "" {
		return ""
	}
	prefix := ""
	for _, p := range modePrefixes {
		if strings.HasPrefix(v, p) {
			prefix = p
			break
		}
	}
	rest := v[len(prefix):]
	if len(rest) < 12 {
		// Too short: showing 4 characters would reveal a third of it or more.
		return prefix + "••••"
	}
	return prefix + "••••" + rest[len(rest)-4:]
}

// HasCredentialPrefix reports whether v starts with a known credential prefix ("sk_live_",
// "whsec_", "shpat_"...). Redaction uses it to catch a credential stored under a field name
// that does not look secret.
func HasCredentialPrefix(v string) bool {
	for _, p := range modePrefixes {
		if strings.HasPrefix(v, p) && len(v) > len(p) {
			return true
		}
	}
	return false
}
