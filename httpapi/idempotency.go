package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/vault"
)

// idempotent runs a write so that replaying its Idempotency-Key returns the first response,
// and the same key with another body is refused with 422. Keys are scoped to the token.
// A request that failed on our side (5xx) releases its key so the client may retry.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, rt route) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		if err := rt.Handler(s, w, r); err != nil {
			writeError(w, r, s.Log, err)
		}
		return
	}
	if len(key) > 255 {
		writeError(w, r, s.Log, concord.Errorf(concord.EINVALID, "Idempotency-Key is longer than 255 characters"))
		return
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	scope := principalFrom(r.Context()).KeyID
	prev, claimed, err := s.DB.ClaimIdempotencyKey(r.Context(), scope, key, hash)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if !claimed {
		switch {
		case prev.RequestHash != hash:
			writeError(w, r, s.Log, concord.Errorf(concord.EUNPROCESSABLE,
				"Idempotency-Key was already used with a different request; use a new key for a new request"))
		case prev.Status == 0:
			writeError(w, r, s.Log, concord.Errorf(concord.ECONFLICT, "a request with this Idempotency-Key is still in progress"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			_, _ = w.Write(prev.Body)
		}
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	if err := rt.Handler(s, rec, r); err != nil {
		writeError(rec, r, s.Log, err)
	}
	ctx := context.WithoutCancel(r.Context())
	if rec.status >= 500 {
		_ = s.DB.ReleaseIdempotencyKey(ctx, scope, key)
		return
	}
	body = rec.buf.Bytes()
	if rt.Reveals != "" {
		body = maskField(body, rt.Reveals)
	}
	if err := s.DB.CompleteIdempotencyKey(ctx, scope, key, rec.status, body); err != nil {
		s.Log.Error("store idempotent response", "err", err)
	}
}

// recorder passes a response through while keeping a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// maskField masks one top-level string field of a JSON object, for the stored replay copy of
// an answer that shows a secret once.
func maskField(body []byte, field string) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if v, ok := m[field].(string); ok {
		m[field] = vault.Mask(v)
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
