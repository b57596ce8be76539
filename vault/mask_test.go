package vault

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_••••p7dc"},
		{"sk_live_51HfakeSecretValue9999", "sk_live_••••9999"},
		{"whsec_abcdefghijklmnop1234", "whsec_••••1234"},
		{"shpat_0123456789abcdef0123", "shpat_••••0123"},
		{"plainsecretvalue1234", "••••1234"},
		{"abcdefghijkl", "••••ijkl"}, // 12 characters: just long enough
		{"abcdefghijk", "••••"},      // 11 characters: fully hidden
		{"sk_test_short", "sk_test_••••"},
		{"sk_test_", "sk_test_••••"},
		{"x", "••••"},
	}
	for _, tt := range tests {
		got := Mask(tt.in)
		if got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(tt.in) >= 20 && strings.Contains(got, tt.in[len(tt.in)/2-4:len(tt.in)/2+4]) {
			t.Errorf("Mask(%q) = %q keeps the middle of the value", tt.in, got)
		}
	}
}

func TestHasCredentialPrefix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"sk_live_51HfakeSecretValue9999": true, "whsec_abc": true, "shpat_1": true,
		"sk_live_": false, "": false, "hello": false, "con_123": false,
	} {
		if got := HasCredentialPrefix(in); got != want {
			t.Errorf("HasCredentialPrefix(%q) = %v, want %v", in, got, want)
		}
	}
}
