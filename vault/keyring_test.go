package vault

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// secret is distinctive enough that finding it anywhere means it leaked.
const secret = "sk_live_51HfakeSecretValue9999"

func mustKey(t *testing.T) []byte {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustKeyring(t *testing.T, primary []byte, older ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	for _, plain := range []string{secret, "", "ünïcødé ✓", strings.Repeat("x", 10000)} {
		sealed, err := k.Seal("con_1", "api_key", plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "cv1."+k.PrimaryID()+".") {
			t.Errorf("sealed = %q, want prefix cv1.%s.", sealed[:min(len(sealed), 30)], k.PrimaryID())
		}
		got, err := k.Open("con_1", "api_key", sealed)
		if err != nil {
			t.Fatal(err)
		}
		if got != plain {
			t.Errorf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealedNeverContainsPlaintext(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	sealed, err := k.Seal("con_1", "api_key", secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{secret, "HfakeSecretValue",
		base64.RawURLEncoding.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte(secret))} {
		if strings.Contains(sealed, needle) {
			t.Errorf("sealed value contains %q", needle)
		}
	}
	for _, r := range sealed {
		if r < '!' || r > '~' {
			t.Fatalf("sealed value has unprintable rune %q", r)
		}
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	a, _ := k.Seal("con_1", "api_key", secret)
	b, _ := k.Seal("con_1", "api_key", secret)
	if a == b {
		t.Fatal("two seals of one value are identical; the nonce is not fresh")
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	sealed, err := k.Seal("con_1", "api_key", secret)
	if err != nil {
		t.Fatal(err)
	}
	kid, payload, _ := strings.Cut(strings.TrimPrefix(sealed, "cv1."), ".")
	box, _ := base64.RawURLEncoding.DecodeString(payload)
	tampered := func(i int) string {
		b := append([]byte(nil), box...)
		b[i] ^= 0x01
		return "cv1." + kid + "." + base64.RawURLEncoding.EncodeToString(b)
	}
	other := mustKeyring(t, mustKey(t))
	fromOther, _ := other.Seal("con_1", "api_key", secret)

	tests := []struct {
		name, conn, field, sealed string
		want                      error
	}{
		{"wrong connection", "con_2", "api_key", sealed, ErrOpen},
		{"wrong field", "con_1", "webhook_secret", sealed, ErrOpen},
		{"tampered nonce", "con_1", "api_key", tampered(0), ErrOpen},
		{"tampered ciphertext", "con_1", "api_key", tampered(nonceSize + 3), ErrOpen},
		{"tampered tag", "con_1", "api_key", tampered(len(box) - 1), ErrOpen},
		{"truncated by one byte", "con_1", "api_key",
			"cv1." + kid + "." + base64.RawURLEncoding.EncodeToString(box[:len(box)-1]), ErrOpen},
		{"truncated to the nonce", "con_1", "api_key",
			"cv1." + kid + "." + base64.RawURLEncoding.EncodeToString(box[:nonceSize]), ErrMalformed},
		{"truncated string", "con_1", "api_key", sealed[:len(sealed)-5], nil}, // ErrOpen or ErrMalformed
		{"unknown kid", "con_1", "api_key", fromOther, ErrUnknownKey},
		{"kid rewritten", "con_1", "api_key", "cv1." + other.PrimaryID() + "." + payload, ErrUnknownKey},
		{"empty", "con_1", "api_key", "", ErrMalformed},
		{"plaintext stored by mistake", "con_1", "api_key", secret, ErrMalformed},
		{"other version", "con_1", "api_key", "cv2." + strings.TrimPrefix(sealed, "cv1."), ErrMalformed},
		{"bad kid", "con_1", "api_key", "cv1.zz." + payload, ErrMalformed},
		{"bad base64", "con_1", "api_key", "cv1." + kid + ".***", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := k.Open(tt.conn, tt.field, tt.sealed)
			if err == nil {
				t.Fatalf("Open succeeded with %q", got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil && !errors.Is(err, ErrOpen) && !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrOpen or ErrMalformed", err)
			}
			if strings.Contains(err.Error(), "HfakeSecret") {
				t.Errorf("error %q leaks the plaintext", err)
			}
		})
	}
}

func TestSealRejectsAmbiguousBinding(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	for _, tt := range [][2]string{{"", "api_key"}, {"con_1", ""}, {"con\x00x", "api_key"}, {"con_1", "a\x00b"}} {
		if _, err := k.Seal(tt[0], tt[1], secret); err == nil {
			t.Errorf("Seal(%q, %q) succeeded", tt[0], tt[1])
		}
	}
}

func TestNewKeyringValidatesKeys(t *testing.T) {
	t.Parallel()
	good := mustKey(t)
	if _, err := NewKeyring(good[:31]); err == nil {
		t.Error("31-byte primary accepted")
	}
	if _, err := NewKeyring(good, make([]byte, 33)); err == nil {
		t.Error("33-byte older key accepted")
	}
	if _, err := NewKeyring(nil); err == nil {
		t.Error("nil primary accepted")
	}
	k, err := NewKeyring(good, good) // the current key listed twice
	if err != nil {
		t.Fatal(err)
	}
	if k.PrimaryID() != KeyID(good) || len(k.PrimaryID()) != 16 {
		t.Errorf("PrimaryID = %q, want %q", k.PrimaryID(), KeyID(good))
	}
}

func TestKeyringNeverPrintsKey(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	k := mustKeyring(t, key)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, string(key)) || strings.Contains(s, EncodeKey(key)) ||
			strings.Contains(s, fmt.Sprint(key)) || !strings.Contains(s, k.PrimaryID()) {
			t.Errorf("printed keyring = %q", s)
		}
	}
}

func TestRotationWithOlderKeys(t *testing.T) {
	t.Parallel()
	oldKey, newKey := mustKey(t), mustKey(t)
	before := mustKeyring(t, oldKey)
	sealed, err := before.Seal("con_1", "api_key", secret)
	if err != nil {
		t.Fatal(err)
	}
	if before.NeedsReseal(sealed) {
		t.Error("NeedsReseal true under the primary key")
	}

	during := mustKeyring(t, newKey, oldKey)
	if got, err := during.Open("con_1", "api_key", sealed); err != nil || got != secret {
		t.Fatalf("older key: Open = %q, %v", got, err)
	}
	if !during.NeedsReseal(sealed) {
		t.Error("NeedsReseal false for a value under an older key")
	}
	resealed, err := during.Reseal("con_1", "api_key", sealed)
	if err != nil {
		t.Fatal(err)
	}
	if during.NeedsReseal(resealed) || !strings.HasPrefix(resealed, "cv1."+KeyID(newKey)+".") {
		t.Errorf("Reseal did not move to the primary key: %.30s", resealed)
	}

	after := mustKeyring(t, newKey)
	if got, err := after.Open("con_1", "api_key", resealed); err != nil || got != secret {
		t.Fatalf("new key only: Open = %q, %v", got, err)
	}
	if _, err := after.Open("con_1", "api_key", sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old value with old key dropped: err = %v, want ErrUnknownKey", err)
	}
	if _, err := during.Reseal("con_2", "api_key", sealed); !errors.Is(err, ErrOpen) {
		t.Errorf("Reseal for another connection: err = %v, want ErrOpen", err)
	}
	if !during.NeedsReseal("garbage") {
		t.Error("NeedsReseal false for a malformed value")
	}
}
