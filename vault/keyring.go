package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the length of a master key in bytes: AES-256.
const KeySize = 32

// sealedPrefix names the format version of a sealed string. A new format gets a new prefix so
// old values stay readable while they are resealed.
const sealedPrefix = "cv1"

// aadDomain starts the associated data of every sealed value; it keeps a credential ciphertext
// from being accepted by any other use of the same key, now or in a later format.
const aadDomain = "concord/credential/v1\x00"

const nonceSize = 12

// Errors returned by Open and Reseal. They are matched with errors.Is; their text never holds
// the plaintext, the key or the ciphertext.
var (
	// ErrMalformed means the stored string is not a sealed value of a known format.
	ErrMalformed = errors.New("vault: malformed sealed value")
	// ErrUnknownKey means the value was sealed under a key this keyring does not hold,
	// typically an older key dropped from the configuration before a rotation finished.
	ErrUnknownKey = errors.New("vault: sealed under an unknown key")
	// ErrOpen means the value failed authentication: it was altered, truncated, or sealed for
	// another connection or field.
	ErrOpen = errors.New("vault: sealed value does not open for this connection and field")
)

// Keyring holds the primary master key, used for every new seal, and older keys that are still
// accepted by Open so values sealed before a rotation stay readable until they are resealed.
// A Keyring is safe for concurrent use. It never prints its keys.
type Keyring struct {
	primary string                 // kid of the primary key
	aeads   map[string]cipher.AEAD // kid -> AES-256-GCM
}

// NewKeyring builds a keyring from the primary key and any older keys. Each key must be exactly
// KeySize bytes. An older key equal to the primary (or to another older key) is ignored, so a
// configuration that lists the current key twice still works.
func NewKeyring(primary []byte, older ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(older))}
	seen := make(map[string][sha256.Size]byte, 1+len(older))
	for i, key := range append([][]byte{primary}, older...) {
		which := "primary key"
		if i > 0 {
			which = fmt.Sprintf("older key %d", i)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("vault: %s is %d bytes, want %d", which, len(key), KeySize)
		}
		sum := sha256.Sum256(key)
		kid := hex.EncodeToString(sum[:8])
		if prev, ok := seen[kid]; ok {
			if prev == sum {
				continue // the same key listed twice
			}
			return nil, fmt.Errorf("vault: %s has the same key id %s as another key", which, kid)
		}
		seen[kid] = sum
		block, err := aes.NewCipher(key) // copies the key schedule; the caller's slice is not kept
		if err != nil {
			return nil, fmt.Errorf("vault: %s: %w", which, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("vault: %s: %w", which, err)
		}
		k.aeads[kid] = aead
		if i == 0 {
			k.primary = kid
		}
	}
	return k, nil
}

// KeyID returns the id stored with values sealed under key: the first 8 bytes of its SHA-256,
// in hex. It identifies a key without revealing it, so an operator can tell which key a
// configuration holds.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// PrimaryID returns the key id of the primary key, the one every new value is sealed under.
func (k *Keyring) PrimaryID() string { return k.primary }

// String describes the keyring by key ids only, so printing or logging it never leaks a key.
func (k *Keyring) String() string {
	return fmt.Sprintf("vault.Keyring{primary: %s, keys: %d}", k.primary, len(k.aeads))
}

// GoString keeps %#v from dumping the cipher state, which holds the expanded key.
func (k *Keyring) GoString() string { return k.String() }

// LogValue keeps slog from reflecting into the cipher state.
func (k *Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("primary_kid", k.primary), slog.Int("keys", len(k.aeads)))
}

// Seal encrypts plaintext for one field of one connection under the primary key and returns a
// printable string "cv1.<kid>.<base64url(nonce||ciphertext)>" fit for a TEXT column. Each call
// draws a fresh nonce, so sealing the same value twice gives different strings.
func (k *Keyring) Seal(connectionID, field, plaintext string) (string, error) {
	aad, err := associatedData(connectionID, field)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, nonceSize, nonceSize+len(plaintext)+16)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("vault: seal: read nonce: %w", err)
	}
	box := k.aeads[k.primary].Seal(nonce, nonce, []byte(plaintext), aad)
	return sealedPrefix + "." + k.primary + "." + base64.RawURLEncoding.EncodeToString(box), nil
}

// Open decrypts a value sealed for this connection and field under any key of the keyring.
// It fails with ErrMalformed, ErrUnknownKey or ErrOpen; the error names the key id at most.
func (k *Keyring) Open(connectionID, field, sealed string) (string, error) {
	aad, err := associatedData(connectionID, field)
	if err != nil {
		return "", err
	}
	kid, box, err := parseSealed(sealed)
	if err != nil {
		return "", err
	}
	aead, ok := k.aeads[kid]
	if !ok {
		return "", fmt.Errorf("%w %s", ErrUnknownKey, kid)
	}
	if len(box) < nonceSize+aead.Overhead() {
		return "", fmt.Errorf("%w: too short", ErrMalformed)
	}
	plain, err := aead.Open(nil, box[:nonceSize], box[nonceSize:], aad)
	if err != nil {
		// The GCM error says nothing useful; ours says what to check.
		return "", fmt.Errorf("%w (connection %s, field %s, key %s)", ErrOpen, connectionID, field, kid)
	}
	return string(plain), nil
}

// NeedsReseal reports whether sealed is not under the primary key: sealed under an older key,
// or not parseable at all (Reseal then reports why). Rotation uses it to count what it moves.
func (k *Keyring) NeedsReseal(sealed string) bool {
	kid, _, err := parseSealed(sealed)
	return err != nil || kid != k.primary
}

// Reseal opens a value with whichever key sealed it and seals it again under the primary key,
// with a fresh nonce and the same connection and field.
func (k *Keyring) Reseal(connectionID, field, sealed string) (string, error) {
	plain, err := k.Open(connectionID, field, sealed)
	if err != nil {
		return "", err
	}
	return k.Seal(connectionID, field, plain)
}

// associatedData binds a ciphertext to its connection and field. NUL separates the parts, so
// NUL is refused inside them: otherwise ("a\x00b", "c") and ("a", "b\x00c") would bind alike.
func associatedData(connectionID, field string) ([]byte, error) {
	if connectionID == "" || field == "" {
		return nil, errors.New("vault: connection id and field are required")
	}
	if strings.ContainsRune(connectionID, 0) || strings.ContainsRune(field, 0) {
		return nil, errors.New("vault: connection id and field must not contain NUL")
	}
	return []byte(aadDomain + connectionID + "\x00" + field), nil
}

// parseSealed splits "cv1.<kid>.<payload>" and decodes the payload.
func parseSealed(sealed string) (kid string, box []byte, err error) {
	version, rest, ok := strings.Cut(sealed, ".")
	if !ok || version != sealedPrefix {
		return "", nil, fmt.Errorf("%w: want prefix %q", ErrMalformed, sealedPrefix+".")
	}
	kid, payload, ok := strings.Cut(rest, ".")
	if !ok || len(kid) != 16 {
		return "", nil, fmt.Errorf("%w: bad key id", ErrMalformed)
	}
	if _, err := hex.DecodeString(kid); err != nil {
		return "", nil, fmt.Errorf("%w: bad key id", ErrMalformed)
	}
	box, err = base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil {
		return "", nil, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	return kid, box, nil
}
