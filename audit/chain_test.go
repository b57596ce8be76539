package audit

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// history builds n chained entries with every field set, as the store would append them.
func history(t *testing.T, n int) []Entry {
	t.Helper()
	entries := make([]Entry, 0, n)
	var prev *Entry
	for i := range n {
		e := Chain(prev, Entry{
			Time:     epoch.Add(time.Duration(i)*time.Second + 123456789*time.Nanosecond),
			Actor:    "api_key:ak_123",
			Action:   "connection.update",
			Resource: fmt.Sprintf("connection:con_%d", i%7),
			EntityID: fmt.Sprintf("ent_%d", i%3),
			Outcome:  OutcomeOK,
			Before:   json.RawMessage(fmt.Sprintf(`{"name": "old %d"}`, i)),
			After:    json.RawMessage(fmt.Sprintf(`{"name": "new %d"}`, i)),
			Detail:   "renamed",
		})
		entries = append(entries, e)
		prev = &entries[len(entries)-1]
	}
	return entries
}

func TestChainAssignsSeqAndLinks(t *testing.T) {
	t.Parallel()
	h := history(t, 3)
	if h[0].Seq != 1 || h[0].PrevHash != "" {
		t.Errorf("genesis: seq %d prev %q", h[0].Seq, h[0].PrevHash)
	}
	for i := 1; i < len(h); i++ {
		if h[i].Seq != int64(i+1) || h[i].PrevHash != h[i-1].Hash {
			t.Errorf("entry %d: seq %d, prev_hash links = %v", i, h[i].Seq, h[i].PrevHash == h[i-1].Hash)
		}
	}
	if len(h[0].Hash) != 64 {
		t.Errorf("hash %q is not hex SHA-256", h[0].Hash)
	}
	if got := h[0].Time; got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Errorf("time %v not normalized to UTC microseconds", got)
	}
	if string(h[0].Before) != `{"name":"old 0"}` {
		t.Errorf("before stored as %s, want compact", h[0].Before)
	}
}

func TestHashSurvivesDatabaseRoundTrip(t *testing.T) {
	t.Parallel()
	e := Chain(nil, Entry{
		Time:  time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600)),
		Actor: "system", Action: "mapping.update", Resource: "mapping:map_1", Outcome: OutcomeOK,
		Before: json.RawMessage(`{"b": 1.50, "a": {"y": [1, 2], "x": "<é>"}}`),
	})
	// What PostgreSQL (jsonb, timestamptz) or SQLite may hand back: keys reordered, whitespace
	// changed, escapes different, time in another zone and rounded to microseconds.
	back := e
	back.Time = e.Time.In(time.FixedZone("PST", -8*3600))
	back.Before = json.RawMessage("{\"a\":{\"x\":\"\\u003c\\u00e9>\",\"y\":[1,2]},\n \"b\":1.50}")
	if got := ComputeHash(back); got != e.Hash {
		t.Fatal("hash changed across an equivalent re-encoding")
	}
	back.After = json.RawMessage("null") // a JSON null column reads back as absent
	if got := ComputeHash(back); got != e.Hash {
		t.Error("JSON null hashed unlike absent")
	}
	back.Before = json.RawMessage(`{"a":{"x":"<é>","y":[1,2]},"b":1.51}`)
	if ComputeHash(back) == e.Hash {
		t.Error("a changed value hashed the same")
	}
}

func TestHashIsUnambiguous(t *testing.T) {
	t.Parallel()
	base := Entry{Seq: 1, Time: epoch, Actor: "ab", Action: "c", Outcome: OutcomeOK}
	moved := base
	moved.Actor, moved.Action = "a", "bc" // same concatenation, different fields
	if ComputeHash(base) == ComputeHash(moved) {
		t.Error("field boundary not encoded")
	}
	invalid := base
	invalid.Before = json.RawMessage(`{not json`)
	if ComputeHash(invalid) == ComputeHash(base) || ComputeHash(invalid) != ComputeHash(invalid) {
		t.Error("invalid JSON not hashed distinctly and stably")
	}
	if kept := Chain(nil, invalid); string(kept.Before) != `{not json` || len(Verify([]Entry{kept})) != 0 {
		t.Error("invalid JSON not kept as is")
	}
}
