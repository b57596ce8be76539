package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// maxBody caps request bodies of the JSON API.
const maxBody = 1 << 20

// decode reads a JSON body into v, refusing unknown fields, trailing data and bodies over
// the limit, each with a message that says what is wrong.
func decode(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return concord.Errorf(concord.EINVALID, "request body is empty; expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return concord.Errorf(concord.EINVALID, "malformed JSON at byte %d", se.Offset)
		case errors.As(err, &te):
			return concord.Errorf(concord.EINVALID, "field %q must be %s", te.Field, te.Type.String())
		}
		return concord.Errorf(concord.EINVALID, "invalid JSON: %s", safeJSONError(err))
	}
	if dec.More() {
		return concord.Errorf(concord.EINVALID, "unexpected data after the JSON object")
	}
	return nil
}

// safeJSONError keeps the decoder's message only for unknown fields (it names the field);
// other decoder messages may quote input.
func safeJSONError(err error) string {
	msg := err.Error()
	if len(msg) > 20 && msg[:20] == "json: unknown field " {
		return "unknown field " + msg[20:]
	}
	return "cannot decode the body"
}

// readBody reads the body once (the idempotency layer may have read it already).
func readBody(r *http.Request) ([]byte, error) {
	if b, ok := r.Context().Value(bodyKey{}).([]byte); ok {
		return b, nil
	}
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, concord.Errorf(concord.ETOOLARGE, "request body is larger than %d bytes", maxBody)
		}
		return nil, concord.Errorf(concord.EINVALID, "cannot read the request body")
	}
	return b, nil
}

type bodyKey struct{}

// page reads limit and cursor.
func page(r *http.Request) (store.Page, error) {
	p := store.Page{Cursor: r.URL.Query().Get("cursor")}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return p, concord.Errorf(concord.EINVALID, "limit must be an integer from 1 to 500")
		}
		p.Limit = n
	}
	return p, nil
}

// list is the shape of every list answer.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// connectionList answers a paged list of one visible connection's rows ({id} in the path).
func connectionList[T any](s *Server, w http.ResponseWriter, r *http.Request,
	list func(ctx context.Context, connectionID string, pg store.Page) ([]T, string, error)) error {
	c, err := s.visibleConnection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	rows, next, err := list(r.Context(), c.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(rows, next))
	return nil
}

func newList[T any](data []T, next string) list[T] {
	if data == nil {
		data = []T{}
	}
	return list[T]{Data: data, NextCursor: next}
}
