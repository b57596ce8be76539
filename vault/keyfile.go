package vault

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxKeyFileSize bounds what LoadKeyFile reads: a key file holds about 45 bytes, so anything
// much larger is the wrong file.
const maxKeyFileSize = 4096

// GenerateKey returns a new random master key of KeySize bytes.
func GenerateKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("vault: generate key: %w", err)
	}
	return key, nil
}

// EncodeKey returns the text form of a key, as CONCORD_MASTER_KEY and key files hold it:
// standard base64 with padding.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// ParseKey decodes CONCORD_MASTER_KEY: base64 of exactly KeySize bytes, in the standard or URL
// alphabet, padded or not, with surrounding whitespace ignored (shells and secret stores add
// newlines). Operators paste keys from many tools, so every common base64 form is accepted; the
// error says how to make a good key and never echoes the value.
func ParseKey(b64 string) ([]byte, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("vault: master key is empty; generate one with: openssl rand -base64 32")
	}
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("vault: master key is not valid base64 (standard or URL alphabet); " +
			"generate one with: openssl rand -base64 32")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("vault: master key decodes to %d bytes, want %d; "+
			"generate one with: openssl rand -base64 32", len(key), KeySize)
	}
	return key, nil
}

// LoadKeyFile reads a master key stored as base64 text (a trailing newline is fine). It refuses
// a file that group or others may read: a master key in a world-readable file is a key anyone
// on the host has. The mode is checked on the opened file, so it is the file actually read.
func LoadKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: key file %s is not a regular file", path)
	}
	// Windows reports synthetic permission bits, so the check means nothing there.
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("vault: key file %s has mode %04o and is readable by group or others; "+
			"run: chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("vault: key file %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, fmt.Errorf("vault: key file %s is larger than %d bytes; is it the right file?", path, maxKeyFileSize)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		// ParseKey's message already says what is wrong and how to fix it; name the file too.
		return nil, fmt.Errorf("vault: key file %s: %s", path, strings.TrimPrefix(err.Error(), "vault: "))
	}
	return key, nil
}

// CreateKeyFile writes a new random key to path with mode 0600 and returns it. It refuses to
// overwrite an existing file (the error matches fs.ErrExist): replacing a key file would make
// every stored credential unreadable. The key is written to a temporary file in the same folder,
// synced, and then linked into place, so a crash never leaves a half-written key at path.
func CreateKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: create key file: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("vault: create key file %s: %w", path, fs.ErrExist)
	}
	key, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".concord-key-*") // CreateTemp uses mode 0600
	if err != nil {
		return nil, fmt.Errorf("vault: create key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a successful link this removes the spare name only
	if err := writeKey(tmp, key); err != nil {
		return nil, fmt.Errorf("vault: create key file: %w", err)
	}
	if err := publish(tmpName, path); err != nil {
		return nil, fmt.Errorf("vault: create key file %s: %w", path, err)
	}
	syncDir(dir)
	return key, nil
}

// LoadOrCreateKeyFile loads the key at path, or creates one there when no file exists (the
// default for a first run without CONCORD_MASTER_KEY). created tells the caller to warn that
// production needs a managed key. Two processes starting at once end up with the same key.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = LoadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key, err = CreateKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		key, err = LoadKeyFile(path) // another process won the race
		return key, false, err
	}
	return key, err == nil, err
}

func writeKey(f *os.File, key []byte) error {
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(EncodeKey(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// publish puts the finished temporary file at path without replacing anything there. A hard
// link fails if path exists, which rename would not; filesystems without hard links fall back
// to rename after a fresh existence check.
func publish(tmpName, path string) error {
	err := os.Link(tmpName, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, statErr := os.Lstat(path); statErr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmpName, path)
}

// syncDir makes the new directory entry durable; failure only weakens crash safety, and some
// platforms cannot sync a directory at all, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
