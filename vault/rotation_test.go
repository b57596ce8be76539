package vault

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"
)

func sealRows(t *testing.T, k *Keyring, field string, n int) []SealedValue {
	t.Helper()
	rows := make([]SealedValue, n)
	for i := range rows {
		conn := fmt.Sprintf("con_%d", i)
		s, err := k.Seal(conn, field, secret+conn)
		if err != nil {
			t.Fatal(err)
		}
		rows[i] = SealedValue{ConnectionID: conn, Field: field, Sealed: s}
	}
	return rows
}

func TestResealAll(t *testing.T) {
	t.Parallel()
	oldKey, newKey := mustKey(t), mustKey(t)
	stored := append(sealRows(t, mustKeyring(t, oldKey), "api_key", 5),
		sealRows(t, mustKeyring(t, newKey), "webhook_secret", 3)...)

	changed, stats, err := ResealAll(mustKeyring(t, newKey, oldKey), stored)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (RotationStats{Resealed: 5, Unchanged: 3}) || len(changed) != 5 {
		t.Fatalf("stats = %+v, changed = %d; want 5 resealed, 3 unchanged", stats, len(changed))
	}
	// Apply the update as the store would, then drop the old key.
	for _, c := range changed {
		i := slices.IndexFunc(stored, func(r SealedValue) bool {
			return r.ConnectionID == c.ConnectionID && r.Field == c.Field
		})
		stored[i] = c
	}
	onlyNew := mustKeyring(t, newKey)
	for _, r := range stored {
		if _, err := onlyNew.Open(r.ConnectionID, r.Field, r.Sealed); err != nil {
			t.Errorf("after rotation %s/%s: %v", r.ConnectionID, r.Field, err)
		}
	}
	if _, stats, err := ResealAll(onlyNew, stored); err != nil || stats.Resealed != 0 || stats.Unchanged != 8 {
		t.Errorf("second rotation: stats = %+v, err = %v; want nothing to do", stats, err)
	}
}

func TestResealAllStopsOnUnreadableValue(t *testing.T) {
	t.Parallel()
	lostKey, newKey := mustKey(t), mustKey(t)
	rows := append(sealRows(t, mustKeyring(t, newKey), "api_key", 2),
		sealRows(t, mustKeyring(t, lostKey), "webhook_secret", 1)...)
	changed, _, err := ResealAll(mustKeyring(t, newKey), rows)
	if !errors.Is(err, ErrUnknownKey) || changed != nil {
		t.Fatalf("err = %v, changed = %v; want ErrUnknownKey and nothing to write", err, changed)
	}
}

func TestRotateStreamsAndPropagatesErrors(t *testing.T) {
	t.Parallel()
	oldKey, newKey := mustKey(t), mustKey(t)
	rows := sealRows(t, mustKeyring(t, oldKey), "api_key", 3)
	k := mustKeyring(t, newKey, oldKey)

	readErr := errors.New("cursor closed")
	failing := func(yield func(SealedValue, error) bool) {
		if yield(rows[0], nil) {
			yield(SealedValue{}, readErr)
		}
	}
	var updated int
	stats, err := Rotate(k, failing, func(SealedValue) error { updated++; return nil })
	if !errors.Is(err, readErr) || stats.Resealed != 1 || updated != 1 {
		t.Errorf("read error: stats = %+v, err = %v", stats, err)
	}

	writeErr := errors.New("disk full")
	_, err = Rotate(k, iter.Seq2[SealedValue, error](func(yield func(SealedValue, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}), func(SealedValue) error { return writeErr })
	if !errors.Is(err, writeErr) {
		t.Errorf("update error: err = %v", err)
	}
}
