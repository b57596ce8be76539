package stripe

import (
	"sort"
	"strings"

	"github.com/concordhub/concord"
)

// Key prefixes. The mode is part of every Stripe key, so the hub can know a key's mode (and
// block a sandbox key in a production entity) before making a single call.
const (
	prefixSecretTest     = "sk_test_"
	prefixSecretLive     = "sk_live_"
	prefixRestrictedTest = "rk_test_"
	prefixRestrictedLive = "rk_live_"
	prefixPublishTest    = "pk_test_"
	prefixPublishLive    = "pk_live_"
	prefixWebhookSecret  = "whsec_"
)

// Plausible lengths of the part after the prefix: legacy keys carry 24 characters, current
// ones 99; anything outside this range is a paste accident, not a key.
const (
	minKeyBody = 16
	maxKeyBody = 247
)

// keyMode is the mode a secret, restricted or publishable key declares by its prefix;
// ok=false when the value carries no known prefix.
func keyMode(key string) (concord.Mode, bool) {
	switch {
	case strings.HasPrefix(key, prefixSecretTest),
		strings.HasPrefix(key, prefixRestrictedTest),
		strings.HasPrefix(key, prefixPublishTest):
		return concord.ModeSandbox, true
	case strings.HasPrefix(key, prefixSecretLive),
		strings.HasPrefix(key, prefixRestrictedLive),
		strings.HasPrefix(key, prefixPublishLive):
		return concord.ModeProduction, true
	}
	return "", false
}

// CheckCredentials validates the shape of every credential field and returns the mode the
// secret key declares. Messages name the field and what is wrong with it, never the value:
// they end up in the API response, the page and the audit log.
func (*Connector) CheckCredentials(creds map[string]string) (concord.Mode, bool, error) {
	if err := rejectUnknownFields(creds); err != nil {
		return "", false, err
	}
	secret := creds[FieldSecretKey]
	if secret == "" {
		return "", false, invalid("secret_key is required")
	}
	if err := checkShape(FieldSecretKey, secret, alnum); err != nil {
		return "", false, err
	}
	var body string
	switch {
	case strings.HasPrefix(secret, "pk_"):
		return "", false, invalid("secret_key holds a publishable key (pk_); paste the secret key (sk_) or a restricted key (rk_)")
	case strings.HasPrefix(secret, prefixSecretTest), strings.HasPrefix(secret, prefixSecretLive),
		strings.HasPrefix(secret, prefixRestrictedTest), strings.HasPrefix(secret, prefixRestrictedLive):
		body = secret[len(prefixSecretTest):] // all four prefixes are 8 bytes long
	default:
		return "", false, invalid("secret_key must start with sk_test_, sk_live_, rk_test_ or rk_live_")
	}
	if err := checkLength(FieldSecretKey, body); err != nil {
		return "", false, err
	}
	mode, _ := keyMode(secret)

	if pk := creds[FieldPublishableKey]; pk != "" {
		if err := checkPublishable(pk, mode); err != nil {
			return "", false, err
		}
	}
	for _, field := range []string{FieldWebhookSecret, FieldWebhookSecretPrevious} {
		if err := checkWebhookSecret(field, creds[field]); err != nil {
			return "", false, err
		}
	}
	return mode, true, nil
}

// checkWebhookSecret checks a signing secret (the current one, or the previous one kept
// while a rolled secret overlaps); empty means not set.
func checkWebhookSecret(field, wh string) error {
	if wh == "" {
		return nil
	}
	if err := checkShape(field, wh, base64ish); err != nil {
		return err
	}
	if !strings.HasPrefix(wh, prefixWebhookSecret) {
		return invalid("%s must start with whsec_ (the endpoint's signing secret, not an API key)", field)
	}
	return checkLength(field, wh[len(prefixWebhookSecret):])
}

// checkPublishable refuses a publishable key of the other mode: a live pk_ next to a test
// sk_ would confirm payments client-side against the wrong mode.
func checkPublishable(pk string, secretMode concord.Mode) error {
	if err := checkShape(FieldPublishableKey, pk, alnum); err != nil {
		return err
	}
	if !strings.HasPrefix(pk, prefixPublishTest) && !strings.HasPrefix(pk, prefixPublishLive) {
		return invalid("publishable_key must start with pk_test_ or pk_live_")
	}
	if err := checkLength(FieldPublishableKey, pk[len(prefixPublishTest):]); err != nil {
		return err
	}
	if pkMode, _ := keyMode(pk); pkMode != secretMode {
		return invalid("publishable_key is a %s key but secret_key is a %s key; both must be of the same mode",
			modeWord(pkMode), modeWord(secretMode))
	}
	return nil
}

// rejectUnknownFields catches a credential stored under a misspelt name, which would
// otherwise be kept, encrypted and silently never used.
func rejectUnknownFields(creds map[string]string) error {
	var unknown []string
	for name := range creds {
		switch name {
		case FieldSecretKey, FieldPublishableKey, FieldWebhookSecret, FieldWebhookSecretPrevious:
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid("unknown credential field %s (expected secret_key, publishable_key, webhook_secret, webhook_secret_previous)",
			strings.Join(unknown, ", "))
	}
	return nil
}

// checkShape refuses whitespace (the usual copy-paste accident, reported on its own so the
// operator knows what to fix) and characters no Stripe value contains.
func checkShape(field, v string, allowed func(rune) bool) error {
	if strings.ContainsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		return invalid("%s contains whitespace; paste the value without spaces or line breaks", field)
	}
	for _, r := range v {
		if !allowed(r) {
			return invalid("%s contains characters a Stripe value never has", field)
		}
	}
	return nil
}

func checkLength(field, body string) error {
	if len(body) < minKeyBody || len(body) > maxKeyBody {
		return invalid("%s has an implausible length; paste the whole value from the Stripe dashboard", field)
	}
	return nil
}

func alnum(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
}

// base64ish allows what signing secrets are made of: Stripe's are alphanumeric, the CLI's
// are hex, and older ones were base64.
func base64ish(r rune) bool { return alnum(r) || r == '+' || r == '/' || r == '=' }

func modeWord(m concord.Mode) string {
	if m == concord.ModeProduction {
		return "live"
	}
	return "test"
}

// invalid builds the hub's own validation error: Code EINVALID, class validation.
func invalid(format string, args ...any) *concord.Error {
	e := concord.Errorf(concord.EINVALID, format, args...)
	e.Class = concord.ClassValidation
	return e
}
