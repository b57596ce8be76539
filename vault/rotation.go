package vault

import (
	"fmt"
	"iter"
)

// SealedValue is one stored credential: the sealed string and the connection and field its
// associated data binds it to.
type SealedValue struct {
	ConnectionID string
	Field        string
	Sealed       string
}

// RotationStats counts what a rotation did.
type RotationStats struct {
	Resealed  int // moved from an older key to the primary
	Unchanged int // already under the primary key (and checked to open)
}

// Rotate moves every stored credential under the keyring's primary key. rows yields the stored
// values (a store cursor inside the caller's transaction); update is called with each resealed
// value for the caller to write back. Values already under the primary key are not rewritten
// but are still opened, so a rotation that succeeds proves a keyring holding only the primary
// key can read everything, and the older key can be retired.
//
// The first failure stops the rotation and is returned naming the connection and field (never
// the value): the caller rolls its transaction back, and no value is left behind under a key
// that is about to be dropped.
func Rotate(k *Keyring, rows iter.Seq2[SealedValue, error], update func(SealedValue) error) (RotationStats, error) {
	var stats RotationStats
	for row, err := range rows {
		if err != nil {
			return stats, fmt.Errorf("vault: rotate: read credentials: %w", err)
		}
		if !k.NeedsReseal(row.Sealed) {
			if _, err := k.Open(row.ConnectionID, row.Field, row.Sealed); err != nil {
				return stats, fmt.Errorf("vault: rotate: connection %s field %s: %w", row.ConnectionID, row.Field, err)
			}
			stats.Unchanged++
			continue
		}
		resealed, err := k.Reseal(row.ConnectionID, row.Field, row.Sealed)
		if err != nil {
			return stats, fmt.Errorf("vault: rotate: connection %s field %s: %w", row.ConnectionID, row.Field, err)
		}
		row.Sealed = resealed
		if err := update(row); err != nil {
			return stats, fmt.Errorf("vault: rotate: update connection %s field %s: %w", row.ConnectionID, row.Field, err)
		}
		stats.Resealed++
	}
	return stats, nil
}

// ResealAll is Rotate over a slice: it returns only the values that changed, resealed under the
// primary key, for the caller to write in one transaction. On error it returns no values, so a
// partial rotation can never be written.
func ResealAll(k *Keyring, rows []SealedValue) ([]SealedValue, RotationStats, error) {
	var changed []SealedValue
	seq := func(yield func(SealedValue, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	stats, err := Rotate(k, seq, func(v SealedValue) error {
		changed = append(changed, v)
		return nil
	})
	if err != nil {
		return nil, stats, err
	}
	return changed, stats, nil
}
