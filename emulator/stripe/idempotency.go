package stripeemu

import (
	"net/http"
	"net/url"
)

// idemEntry is what Stripe remembers of one Idempotency-Key: the request's
// fingerprint and, once it finished, the answer to replay.
type idemEntry struct {
	fingerprint string
	done        bool
	reqID       string
	status      int
	body        []byte
}

// fingerprint identifies a request's parameters independent of pair order,
// so a retry that re-encodes the same params still matches.
func fingerprint(r *http.Request, body []byte) string {
	q, _ := url.ParseQuery(string(body))
	extra, _ := url.ParseQuery(r.URL.RawQuery)
	for k, v := range extra {
		q[k] = append(q[k], v...)
	}
	return r.Method + " " + r.URL.Path + "?" + q.Encode()
}

// idempotencyBegin claims key for this request, or finds the stored answer
// to replay. Keys belong to one API key, like Stripe's.
func (e *Emulator) idempotencyBegin(apiKey, key, fp string) (*idemEntry, bool, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := apiKey + "\x00" + key
	entry, ok := e.idempotency[k]
	if !ok {
		entry = &idemEntry{fingerprint: fp}
		e.idempotency[k] = entry
		return entry, false, nil
	}
	if entry.fingerprint != fp {
		return nil, false, newErr(http.StatusBadRequest, typeIdempotency, "", "",
			"Keys for idempotent requests can only be used with the same parameters they were first used with. "+
				"Try using a key other than '"+key+"' if you meant to execute a different request.")
	}
	if !entry.done {
		return nil, false, newErr(http.StatusConflict, typeInvalidRequest, "idempotency_key_in_use", "",
			"There is currently another in-progress request using this Stripe-Idempotency-Key. "+
				"Please try again later.")
	}
	return entry, true, nil
}

// idempotencyEnd stores the answer for replay. As at Stripe, answers that
// did not execute (validation failures, 5xx) are not kept, so the key can be
// retried; successes and card declines are.
func (e *Emulator) idempotencyEnd(apiKey, key string, entry *idemEntry, reqID string, status int, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := apiKey + "\x00" + key
	if status >= 400 && status != http.StatusPaymentRequired {
		if e.idempotency[k] == entry {
			delete(e.idempotency, k)
		}
		return
	}
	entry.done, entry.reqID, entry.status, entry.body = true, reqID, status, body
}
