package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xfb, 0xff, 0x3e}, 11)[:KeySize] // bytes whose base64 uses + / - _
	for name, s := range map[string]string{
		"std padded":        base64.StdEncoding.EncodeToString(key),
		"std unpadded":      base64.RawStdEncoding.EncodeToString(key),
		"url padded":        base64.URLEncoding.EncodeToString(key),
		"url unpadded":      base64.RawURLEncoding.EncodeToString(key),
		"trailing newline":  base64.StdEncoding.EncodeToString(key) + "\n",
		"surrounding space": "  " + base64.StdEncoding.EncodeToString(key) + "\r\n",
	} {
		got, err := ParseKey(s)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, key) {
			t.Errorf("%s: wrong key", name)
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"blank", " \n", "empty"},
		{"not base64", "not a key!", "not valid base64"},
		{"too short", base64.StdEncoding.EncodeToString(make([]byte, 16)), "16 bytes, want 32"},
		{"too long", base64.StdEncoding.EncodeToString(make([]byte, 64)), "64 bytes, want 32"},
		{"hex instead of base64", strings.Repeat("ab", 32), "48 bytes, want 32"},
	}
	for _, tt := range tests {
		_, err := ParseKey(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
			continue
		}
		if tt.in != "" && strings.TrimSpace(tt.in) != "" && strings.Contains(err.Error(), tt.in) {
			t.Errorf("%s: error %q echoes the key", tt.name, err)
		}
	}
}

func TestCreateKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "master.key")
	key, err := CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", info.Mode().Perm())
	}
	loaded, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(loaded, key) || len(key) != KeySize {
		t.Error("loaded key differs from the created one")
	}
	if _, err := CreateKeyFile(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second CreateKeyFile: err = %v, want fs.ErrExist", err)
	}
	if again, _ := LoadKeyFile(path); !bytes.Equal(again, key) {
		t.Error("second CreateKeyFile replaced the key")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the key file (temp file left behind?)", len(entries))
	}
}

func TestLoadKeyFileRefusesOpenPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte(EncodeKey(mustKey(t))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want a refusal that says chmod 600", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}

func TestLoadKeyFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := LoadKeyFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("c2hvcnQ=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("short key: err = %v, want it to name the file", err)
	}
	if _, err := LoadKeyFile(dir); err == nil {
		t.Error("a directory was accepted as a key file")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	first, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first run: created = %v, err = %v", created, err)
	}
	second, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second run: created = %v, err = %v", created, err)
	}
	if !bytes.Equal(first, second) {
		t.Error("second run returned another key")
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateKeyFile(path); err == nil {
			t.Error("0644 key file accepted")
		}
	}
}

func TestGenerateKeyIsRandom(t *testing.T) {
	t.Parallel()
	a, b := mustKey(t), mustKey(t)
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatal("GenerateKey returned a short or repeated key")
	}
}
