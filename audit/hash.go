package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
)

// hashDomain starts every hashed encoding; a new encoding gets a new domain, so entries hashed
// under different rules can never be confused.
const hashDomain = "concord/audit/v1"

// Tags for Before/After in the hashed encoding, so "absent", a JSON document, and bytes that
// are not JSON can never encode alike.
const (
	jsonAbsent  = 0
	jsonValue   = 1
	jsonInvalid = 2
)

// ComputeHash returns the hex SHA-256 of e's canonical encoding: every field but Hash, in a
// fixed order, each length-prefixed so no two different entries encode the same bytes (a
// separator could be forged by putting it inside a field). Time is hashed as normalized
// microseconds since the epoch; Before and After as canonical JSON (compact, keys sorted,
// JSON null the same as absent), so a database's reformatting of a JSON column does not
// change the hash. Bytes that are not valid JSON are hashed as they are.
func ComputeHash(e Entry) string {
	h := sha256.New()
	writeField(h, []byte(hashDomain))
	var num [8]byte
	binary.BigEndian.PutUint64(num[:], uint64(e.Seq))
	writeField(h, num[:])
	binary.BigEndian.PutUint64(num[:], uint64(NormalizeTime(e.Time).UnixMicro()))
	writeField(h, num[:])
	for _, s := range []string{e.Actor, e.Action, e.Resource, e.EntityID, e.Outcome} {
		writeField(h, []byte(s))
	}
	writeJSONField(h, e.Before)
	writeJSONField(h, e.After)
	writeField(h, []byte(e.Detail))
	writeField(h, []byte(e.PrevHash))
	return hex.EncodeToString(h.Sum(nil))
}

// Chain places e after prev (nil for the first entry): it sets Seq and PrevHash from prev,
// normalizes Time and Before/After to the form that is hashed and stored, and sets Hash. The
// store calls it with the last stored entry inside the transaction that appends e.
func Chain(prev *Entry, e Entry) Entry {
	e.Seq, e.PrevHash = 1, ""
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Time = NormalizeTime(e.Time)
	e.Before = storedJSON(e.Before)
	e.After = storedJSON(e.After)
	e.Hash = ComputeHash(e)
	return e
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func writeJSONField(h hash.Hash, raw json.RawMessage) {
	c, ok := canonicalJSON(raw)
	switch {
	case !ok:
		h.Write([]byte{jsonInvalid})
		writeField(h, raw)
	case c == nil:
		h.Write([]byte{jsonAbsent})
	default:
		h.Write([]byte{jsonValue})
		writeField(h, c)
	}
}

// storedJSON is what Chain keeps in Before/After: the canonical form, nil for absent, and
// invalid bytes untouched (they are hashed as they are, so they must be stored as they are).
func storedJSON(raw json.RawMessage) json.RawMessage {
	c, ok := canonicalJSON(raw)
	if !ok {
		return raw
	}
	return c
}

// canonicalJSON returns raw re-encoded with object keys sorted, no insignificant whitespace,
// no HTML escaping and strings in one escaping; numbers keep their literal text, so no
// precision is lost. It returns nil for empty input and JSON null, and ok=false for bytes that
// are not one JSON value.
func canonicalJSON(raw json.RawMessage) (c json.RawMessage, ok bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data after the value
	}
	if v == nil {
		return nil, true
	}
	out, err := marshalCanonical(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// marshalCanonical encodes v (maps encode with sorted keys) without HTML escaping, which would
// turn "<" into "\u003c" and make the stored JSON harder to read for nothing.
func marshalCanonical(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
