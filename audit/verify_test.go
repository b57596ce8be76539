package audit

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func kinds(ps []Problem) map[string][]int64 {
	m := map[string][]int64{}
	for _, p := range ps {
		m[p.Kind] = append(m[p.Kind], p.Seq)
	}
	return m
}

func TestVerifyIntactChain(t *testing.T) {
	t.Parallel()
	h := history(t, 1000)
	if ps := Verify(h); len(ps) != 0 {
		t.Fatalf("intact chain: %v", ps)
	}
	if ps := Verify(nil); len(ps) != 0 {
		t.Fatalf("empty history: %v", ps)
	}
	var v Verifier
	for _, e := range h {
		if ps := v.Add(e); len(ps) != 0 {
			t.Fatal(ps)
		}
	}
	if seq, hash := v.Head(); v.Count() != 1000 || seq != 1000 || hash != h[999].Hash {
		t.Errorf("Count = %d, Head = %d %s", v.Count(), seq, hash)
	}
	r := Resume(v.Head())
	more := Chain(&h[999], Entry{Time: epoch, Actor: "system", Action: "x", Resource: "y", Outcome: OutcomeOK})
	if ps := r.Add(more); len(ps) != 0 {
		t.Errorf("resume after head: %v", ps)
	}
	if ps := Resume(500, h[499].Hash).Add(h[501]); len(ps) == 0 {
		t.Error("resume missed a gap after the checkpoint")
	}
}

func TestVerifyFindsEditedField(t *testing.T) {
	t.Parallel()
	edits := map[string]func(*Entry){
		"seq":       func(e *Entry) { e.Seq += 1000 },
		"time":      func(e *Entry) { e.Time = e.Time.Add(time.Microsecond) },
		"actor":     func(e *Entry) { e.Actor = "api_key:ak_evil" },
		"action":    func(e *Entry) { e.Action = "connection.read" },
		"resource":  func(e *Entry) { e.Resource = "connection:con_x" },
		"entity_id": func(e *Entry) { e.EntityID = "" },
		"outcome":   func(e *Entry) { e.Outcome = OutcomeDenied },
		"before":    func(e *Entry) { e.Before = json.RawMessage(`{"name":"forged"}`) },
		"after":     func(e *Entry) { e.After = nil },
		"detail":    func(e *Entry) { e.Detail += "." },
		"prev_hash": func(e *Entry) { e.PrevHash = e.Hash },
	}
	h := history(t, 50)
	for name, edit := range edits {
		for _, i := range []int{0, 1, 24, 48, 49} {
			c := slices.Clone(h)
			edit(&c[i])
			found := kinds(Verify(c))
			if !slices.Contains(found[KindHashMismatch], c[i].Seq) {
				t.Errorf("%s edited at index %d: problems %v, want hash_mismatch at seq %d", name, i, found, c[i].Seq)
			}
			if name != "seq" && name != "prev_hash" && len(found) != 1 {
				t.Errorf("%s edited at index %d: extra problems %v", name, i, found)
			}
		}
	}
}

func TestVerifyFindsRehashedEdit(t *testing.T) {
	t.Parallel()
	// An attacker who edits an entry and recomputes its hash breaks the next link instead.
	c := history(t, 10)
	c[4].Actor = "api_key:ak_evil"
	c[4].Hash = ComputeHash(c[4])
	found := kinds(Verify(c))
	if !slices.Equal(found[KindBrokenLink], []int64{6}) || len(found) != 1 {
		t.Errorf("problems %v, want broken_link at seq 6", found)
	}
}

func TestVerifyFindsRemovedInsertedReordered(t *testing.T) {
	t.Parallel()
	h := history(t, 20)
	forged := Chain(&h[9], Entry{Time: epoch, Actor: "system", Action: "api_key.create",
		Resource: "api_key:ak_evil", Outcome: OutcomeOK})
	swapped := slices.Clone(h)
	swapped[7], swapped[8] = swapped[8], swapped[7]
	contentSwap := slices.Clone(h) // rows swapped by editing their seq columns
	contentSwap[7], contentSwap[8] = contentSwap[8], contentSwap[7]
	contentSwap[7].Seq, contentSwap[8].Seq = 8, 9
	renumbered := slices.Concat(h[:10], h[11:]) // removed, later seqs shifted down
	for i := 10; i < len(renumbered); i++ {
		renumbered[i].Seq--
	}

	tests := []struct {
		name    string
		entries []Entry
		want    map[string][]int64
	}{
		{"removed in the middle", slices.Concat(h[:9], h[10:]),
			map[string][]int64{KindSeqGap: {11}, KindBrokenLink: {11}}},
		{"removed end-but-one", slices.Concat(h[:18], h[19:]),
			map[string][]int64{KindSeqGap: {20}, KindBrokenLink: {20}}},
		{"removed genesis", h[1:],
			map[string][]int64{KindSeqGap: {2}, KindBrokenLink: {2}}},
		{"removed and renumbered", renumbered,
			map[string][]int64{KindBrokenLink: {11}, KindHashMismatch: seqRange(11, 19)}},
		{"two swapped", swapped,
			map[string][]int64{KindSeqGap: {9, 8, 10}, KindBrokenLink: {9, 8, 10}}},
		{"two swapped by seq", contentSwap,
			map[string][]int64{KindBrokenLink: {8, 9, 10}, KindHashMismatch: {8, 9}}},
		{"forged inserted", slices.Concat(h[:10], []Entry{forged}, h[10:]),
			map[string][]int64{KindSeqGap: {11}, KindBrokenLink: {11}}},
		{"duplicated", slices.Concat(h[:10], h[9:]),
			map[string][]int64{KindSeqGap: {10}, KindBrokenLink: {10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := Verify(tt.entries)
			if got := kinds(ps); !equalKinds(got, tt.want) {
				t.Errorf("problems %v, want %v\n%v", got, tt.want, ps)
			}
		})
	}
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func equalKinds(a, b map[string][]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	c := history(t, 3)
	c[1].Detail = "edited"
	ps := Verify(c)
	if len(ps) != 1 || ps[0].String()[:20] != "seq 2: hash_mismatch" {
		t.Errorf("problems %v", ps)
	}
}
