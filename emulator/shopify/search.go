package shopifyemu

import (
	"strings"
	"time"
	"unicode"
)

// term is one `field:value` of Shopify's search syntax; op is one of
// "", ">", ">=", "<", "<=", and neg marks a leading "-".
type term struct {
	field, op, value string
	neg              bool
}

// parseSearch splits a query string into terms. Bare words and the AND
// connective are dropped (every term must hold); quotes (' or ") may wrap
// a value.
func parseSearch(q string) []term {
	var out []term
	for _, tok := range splitSearch(q) {
		neg := strings.HasPrefix(tok, "-")
		tok = strings.TrimPrefix(tok, "-")
		field, rest, ok := strings.Cut(tok, ":")
		if !ok {
			continue
		}
		t := term{field: strings.ToLower(field), neg: neg}
		for _, op := range []string{">=", "<=", ">", "<"} {
			if strings.HasPrefix(rest, op) {
				t.op, rest = op, rest[len(op):]
				break
			}
		}
		t.value = strings.Trim(rest, `'"`)
		out = append(out, t)
	}
	return out
}

// splitSearch splits on spaces outside quotes.
func splitSearch(q string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	for _, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote = r
			cur.WriteRune(r)
		case unicode.IsSpace(r):
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// matchTime compares a record's time with a term's value (RFC 3339 or a
// date); an unreadable value matches nothing, as Shopify's search does.
func (t term) matchTime(v time.Time) bool {
	want, err := time.Parse(time.RFC3339Nano, t.value)
	if err != nil {
		if want, err = time.Parse("2006-01-02", t.value); err != nil {
			return false
		}
	}
	switch t.op {
	case ">":
		return v.After(want)
	case ">=":
		return !v.Before(want)
	case "<":
		return v.Before(want)
	case "<=":
		return !v.After(want)
	}
	return v.Equal(want)
}

// matchText compares case-insensitively; a trailing * is a prefix match and
// commas separate alternatives.
func (t term) matchText(v string) bool {
	for _, alt := range strings.Split(t.value, ",") {
		alt = strings.ToLower(strings.TrimSpace(alt))
		if p, ok := strings.CutSuffix(alt, "*"); ok && strings.HasPrefix(strings.ToLower(v), p) ||
			alt == strings.ToLower(v) {
			return true
		}
	}
	return false
}

// matcher builds a record filter from a query string: fields maps a search
// field to a test of one record; unknown fields are ignored, as Shopify
// ignores them (with a search warning).
func matcher[T any](q any, fields map[string]func(term, T) bool) func(T) bool {
	s, _ := q.(string)
	terms := parseSearch(s)
	var use []term
	for _, t := range terms {
		if _, ok := fields[t.field]; ok {
			use = append(use, t)
		}
	}
	if len(use) == 0 {
		return nil
	}
	return func(v T) bool {
		for _, t := range use {
			if fields[t.field](t, v) == t.neg {
				return false
			}
		}
		return true
	}
}

// idTerm matches a numeric id (id:1001, id:>1001).
func idTerm(t term, id int64) bool {
	n, ok := parseGID("", t.value)
	if !ok {
		return false
	}
	switch t.op {
	case ">":
		return id > n
	case ">=":
		return id >= n
	case "<":
		return id < n
	case "<=":
		return id <= n
	}
	return id == n
}
