package stripeemu

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// params is a decoded Stripe form: values are strings or nested params.
// Stripe's bracket syntax builds the nesting: metadata[k]=v is a hash,
// expand[]=a&expand[]=b and expand[0]=a&expand[1]=b are both arrays (stripe-go
// sends the indexed form, curl users the empty one), card[number]=... a
// sub-object.
type params map[string]any

// maxFormBytes bounds a request body; Stripe's own limit is far larger than
// anything concord sends.
const maxFormBytes = 1 << 20

// parseForm reads the query string and, for non-GET requests, the
// form-encoded body into one params tree.
func parseForm(r *http.Request) (params, []byte, *apiError) {
	p := params{}
	if err := p.addEncoded(r.URL.RawQuery); err != nil {
		return nil, nil, err
	}
	if r.Method == http.MethodGet || r.Body == nil {
		return p, nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		return nil, nil, errInvalidRequest("Could not read the request body.")
	}
	if len(body) > maxFormBytes {
		return nil, nil, errInvalidRequest("The request body is too large.")
	}
	ct := r.Header.Get("Content-Type")
	if len(body) > 0 && ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, nil, errInvalidRequest("Invalid request: unsupported Content-Type " + ct +
			". If error persists and you need assistance, please contact support@stripe.com.")
	}
	if err := p.addEncoded(string(body)); err != nil {
		return nil, nil, err
	}
	return p, body, nil
}

func (p params) addEncoded(s string) *apiError {
	if s == "" {
		return nil
	}
	// url.ParseQuery forgets pair order, which `a[]` arrays need, so split
	// the pairs ourselves.
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return errInvalidRequest("Invalid form encoding in the request.")
		}
		p.set(splitKey(key), val)
	}
	return nil
}

// splitKey turns `a[b][][c]` into ["a","b","","c"].
func splitKey(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 || !strings.HasSuffix(key, "]") {
		return []string{key}
	}
	parts := []string{key[:i]}
	rest := key[i:]
	for len(rest) > 0 {
		if rest[0] != '[' {
			return []string{key}
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return []string{key}
		}
		parts = append(parts, rest[1:j])
		rest = rest[j+1:]
	}
	return parts
}

func (p params) set(path []string, val string) {
	cur := p
	for i, seg := range path {
		if seg == "" { // `[]`: the next array slot
			seg = strconv.Itoa(len(cur))
		}
		if i == len(path)-1 {
			cur[seg] = val
			return
		}
		next, ok := cur[seg].(params)
		if !ok {
			next = params{}
			cur[seg] = next
		}
		cur = next
	}
}

// has reports whether key was sent at all, even empty.
func (p params) has(key string) bool {
	_, ok := p[key]
	return ok
}

// str is key's value when it is a plain string.
func (p params) str(key string) (string, bool) {
	s, ok := p[key].(string)
	return s, ok
}

// sub is the nested hash under key, nil (safe to read) when absent.
func (p params) sub(key string) params {
	s, _ := p[key].(params)
	return s
}

// list is the array under key, in index order; a lone string counts as one
// element and an empty string as an empty array (how Stripe clears arrays).
func (p params) list(key string) []string {
	switch v := p[key].(type) {
	case string:
		if v == "" {
			return []string{}
		}
		return []string{v}
	case params:
		idx := make([]string, 0, len(v))
		for k := range v {
			idx = append(idx, k)
		}
		slices.SortFunc(idx, func(a, b string) int {
			na, ea := strconv.Atoi(a)
			nb, eb := strconv.Atoi(b)
			if ea == nil && eb == nil {
				return na - nb
			}
			return strings.Compare(a, b)
		})
		out := make([]string, 0, len(idx))
		for _, k := range idx {
			if s, ok := v[k].(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// int64 parses key as an integer; ok is false when key was not sent.
func (p params) int64(key string) (n int64, ok bool, err *apiError) {
	s, present := p.str(key)
	if !present {
		if p.has(key) {
			return 0, true, errInvalidInteger(key, "")
		}
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil {
		return 0, true, errInvalidInteger(key, s)
	}
	return n, true, nil
}

// bool parses key as Stripe's true/false; ok is false when key was not sent.
func (p params) bool(key string) (b, ok bool, err *apiError) {
	s, present := p.str(key)
	if !present {
		return false, false, nil
	}
	switch s {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, errInvalid(key, "parameter_invalid_boolean",
		"Invalid boolean: "+s)
}

// applyMetadata merges metadata[k]=v into md as Stripe does: an empty value
// deletes the key and `metadata=` (empty) clears everything.
func applyMetadata(md map[string]string, p params) map[string]string {
	if md == nil {
		md = map[string]string{}
	}
	if s, ok := p.str("metadata"); ok && s == "" {
		return map[string]string{}
	}
	for k, v := range p.sub("metadata") {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if s == "" {
			delete(md, k)
		} else {
			md[k] = s
		}
	}
	return md
}

// optString sets *dst from key when sent; an empty value sets null.
func optString(dst **string, p params, key string) {
	if s, ok := p.str(key); ok {
		if s == "" {
			*dst = nil
		} else {
			*dst = &s
		}
	}
}
