package audit

import "fmt"

// Kinds of Problem.
const (
	// KindHashMismatch: the entry's contents do not match its Hash; it was edited.
	KindHashMismatch = "hash_mismatch"
	// KindBrokenLink: the entry's PrevHash is not the Hash of the entry before it; an entry
	// was inserted, removed or reordered, or the one before was edited and re-hashed.
	KindBrokenLink = "broken_link"
	// KindSeqGap: the entry's Seq does not follow the one before (a gap, a repeat or a step
	// back), or the history does not start at 1; entries were removed or reordered.
	KindSeqGap = "seq_gap"
)

// Problem is one place where the history is not what was appended.
type Problem struct {
	Seq    int64  `json:"seq"`    // the stored Seq of the entry where it was found
	Kind   string `json:"kind"`   // KindHashMismatch, KindBrokenLink or KindSeqGap
	Detail string `json:"detail"` // for the operator
}

// String formats the problem for the CLI.
func (p Problem) String() string { return fmt.Sprintf("seq %d: %s: %s", p.Seq, p.Kind, p.Detail) }

// Verify checks a whole history, given in Seq order as stored, and returns every problem
// found; none means the chain is intact. Use a Verifier for histories too long to hold.
func Verify(entries []Entry) []Problem {
	var v Verifier
	var problems []Problem
	for _, e := range entries {
		problems = append(problems, v.Add(e)...)
	}
	return problems
}

// Verifier checks a history one entry at a time, holding only the last entry's seq and hash,
// so `concord audit verify` can stream millions of rows. The zero value expects the history to
// start at seq 1; Resume starts after a trusted checkpoint.
type Verifier struct {
	count    int64
	lastSeq  int64
	lastHash string
}

// Resume returns a Verifier that checks the entries after a checkpoint: the seq and hash of
// an entry already verified (from Head in an earlier run). It lets a verify skip what was
// checked before, and anchors the chain so a rewritten history before the checkpoint shows.
func Resume(seq int64, hash string) *Verifier {
	return &Verifier{lastSeq: seq, lastHash: hash}
}

// Add checks the next entry, in Seq order as stored, against its own hash and the entry before
// it, and returns the problems found at this entry. After a problem it continues from the
// entry as stored, so one edited entry is reported once, not as a cascade down the chain.
func (v *Verifier) Add(e Entry) []Problem {
	var problems []Problem
	add := func(kind, format string, args ...any) {
		problems = append(problems, Problem{Seq: e.Seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	if want := v.lastSeq + 1; e.Seq != want {
		switch {
		case v.count == 0 && v.lastSeq == 0:
			add(KindSeqGap, "history starts at seq %d, want 1; the first entries are missing", e.Seq)
		case e.Seq > want:
			add(KindSeqGap, "follows seq %d; %d entries missing", v.lastSeq, e.Seq-want)
		default:
			add(KindSeqGap, "follows seq %d; entries repeated or out of order", v.lastSeq)
		}
	}
	if e.PrevHash != v.lastHash {
		if v.count == 0 && v.lastSeq == 0 {
			add(KindBrokenLink, "first entry has prev_hash %q, want none", short(e.PrevHash))
		} else {
			add(KindBrokenLink, "prev_hash %s is not the hash %s of seq %d", short(e.PrevHash), short(v.lastHash), v.lastSeq)
		}
	}
	if got := ComputeHash(e); got != e.Hash {
		add(KindHashMismatch, "contents hash to %s, stored hash is %s; the entry was edited", short(got), short(e.Hash))
	}
	v.count++
	v.lastSeq, v.lastHash = e.Seq, e.Hash
	return problems
}

// Count returns how many entries Add has checked.
func (v *Verifier) Count() int64 { return v.count }

// Head returns the seq and hash of the last entry checked, to record outside the database:
// a later verify that ends before this seq, or reaches it with another hash, shows the newest
// entries were removed or rewritten, which the chain alone cannot show.
func (v *Verifier) Head() (seq int64, hash string) { return v.lastSeq, v.lastHash }

// short keeps problem details readable; 12 hex digits are plenty to tell hashes apart.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
