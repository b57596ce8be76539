package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/concordhub/concord/vault"
)

// secretKeyWords mark a key as holding a secret when its value is a string. Matching is by
// substring, case-insensitive, so "api_key", "webhookSecret" and "access_token" are all caught;
// masking a harmless "key_id" now and then is the cheap side of that trade.
var secretKeyWords = []string{"secret", "token", "password", "passwd", "key", "credential", "authorization"}

// Diff returns what changed between two states of an object, ready for Entry.Before and
// Entry.After. Both sides are marshaled to JSON objects and only the keys whose values differ
// are kept (nested values compared whole, by value); before nil (a create) or after nil (a
// delete) keeps every key of the other side. When nothing differs both results are nil.
//
// Secrets are masked with vault.Mask at any depth: a key named in secretFields (any value
// type, case-insensitive), a key that looks secret (see secretKeyWords) with a string value,
// and any string that starts with a known credential prefix, whatever its key. Values are
// compared before masking, so a rotated credential is recorded as a change even when both
// masks look alike. An audit entry is kept forever and shown to every admin; it must never
// hold a secret in clear.
func Diff(before, after any, secretFields ...string) (b, a json.RawMessage, err error) {
	bm, err := toObject(before)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: diff before: %w", err)
	}
	am, err := toObject(after)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: diff after: %w", err)
	}
	secret := make(map[string]bool, len(secretFields))
	for _, f := range secretFields {
		secret[strings.ToLower(f)] = true
	}
	bOut, aOut := map[string]any{}, map[string]any{}
	for k, bv := range bm {
		if av, ok := am[k]; !ok || !reflect.DeepEqual(av, bv) {
			bOut[k] = redact(k, bv, secret)
		}
	}
	for k, av := range am {
		if bv, ok := bm[k]; !ok || !reflect.DeepEqual(av, bv) {
			aOut[k] = redact(k, av, secret)
		}
	}
	if len(bOut) == 0 && len(aOut) == 0 && (bm == nil) == (am == nil) {
		return nil, nil, nil
	}
	if bm != nil {
		if b, err = marshalCanonical(bOut); err != nil {
			return nil, nil, fmt.Errorf("audit: diff: %w", err)
		}
	}
	if am != nil {
		if a, err = marshalCanonical(aOut); err != nil {
			return nil, nil, fmt.Errorf("audit: diff: %w", err)
		}
	}
	return b, a, nil
}

// toObject marshals v and decodes it as a JSON object; nil (or a nil pointer, or JSON null)
// gives a nil map, meaning "no such state". Numbers stay json.Number so comparing and
// re-encoding keep their exact text.
func toObject(v any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("want a JSON object, got %s: %w", kindOf(raw), err)
	}
	return m, nil
}

func kindOf(raw []byte) string {
	switch raw[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	default:
		return "a scalar"
	}
}

// redact returns v with every secret in it masked, descending into objects and arrays.
func redact(key string, v any, named map[string]bool) any {
	if key != "" && named[strings.ToLower(key)] {
		return maskAny(v)
	}
	switch v := v.(type) {
	case string:
		if (key != "" && looksSecretKey(key)) || vault.HasCredentialPrefix(v) {
			return vault.Mask(v)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = redact(k, x, named)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = redact(key, x, named) // a list under "api_keys" holds keys too
		}
		return out
	default:
		return v
	}
}

// maskAny hides a field named secret whatever its type: strings keep Mask's useful hint,
// anything else (a number PIN, an object of credentials) is replaced whole.
func maskAny(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return vault.Mask(v)
	default:
		return "••••"
	}
}

func looksSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
