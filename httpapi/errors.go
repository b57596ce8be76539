package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/concordhub/concord"
)

// StatusFor is the one table from error code to HTTP status.
func StatusFor(code string) int {
	switch code {
	case concord.EINVALID:
		return http.StatusBadRequest
	case concord.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case concord.EFORBIDDEN:
		return http.StatusForbidden
	case concord.ENOTFOUND:
		return http.StatusNotFound
	case concord.ECONFLICT, concord.EMODEMISMATCH:
		return http.StatusConflict
	case concord.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case concord.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case concord.ERATELIMITED:
		return http.StatusTooManyRequests
	case concord.EEXTERNAL:
		return http.StatusBadGateway
	case concord.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Class   concord.ErrorClass `json:"error_class,omitempty"`
}

// writeError answers err as JSON. Internal errors are logged and shown only as "internal
// error": their text may carry details that are not the caller's business.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ce *concord.Error
	if !errors.As(err, &ce) {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ce = &concord.Error{Code: concord.EINTERNAL, Message: "internal error"}
	}
	writeJSON(w, StatusFor(ce.Code), errorBody{Error: errorDetail{Code: ce.Code, Message: ce.Message, Class: ce.Class}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
