package stripe

import (
	"strings"
	"testing"

	"github.com/concordhub/concord"
)

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	const (
		pkTest = "pk_test_51FakePublishableKey0000000000000000000000000000000000000000"
		pkLive = "pk_live_51FakePublishableKey0000000000000000000000000000000000000000"
		whsec  = "whsec_FakeSigningSecret0123456789abcdef"
		rkTest = "rk_test_51FakeRestrictedKey00000000000000000000000000000000000SECRETrk"
		rkLive = "rk_live_51FakeRestrictedKey00000000000000000000000000000000000SECRETrk"
	)
	tests := []struct {
		name  string
		creds map[string]string
		mode  concord.Mode
		// wantErr is a fragment of the expected message; "" means valid.
		wantErr string
	}{
		{name: "test key", creds: map[string]string{"secret_key": testKey}, mode: concord.ModeSandbox},
		{name: "live key", creds: map[string]string{"secret_key": liveKey}, mode: concord.ModeProduction},
		{name: "restricted test key", creds: map[string]string{"secret_key": rkTest}, mode: concord.ModeSandbox},
		{name: "restricted live key", creds: map[string]string{"secret_key": rkLive}, mode: concord.ModeProduction},
		{name: "legacy 24-character key", creds: map[string]string{"secret_key": "sk_test_4eC39HqLyjWDarjtT1zdp7dc"}, mode: concord.ModeSandbox},
		{
			name:  "all fields, same mode",
			creds: map[string]string{"secret_key": testKey, "publishable_key": pkTest, "webhook_secret": whsec},
			mode:  concord.ModeSandbox,
		},
		{
			name:    "live publishable key with a test secret key",
			creds:   map[string]string{"secret_key": testKey, "publishable_key": pkLive},
			wantErr: "publishable_key is a live key but secret_key is a test key",
		},
		{
			name:    "test publishable key with a live secret key",
			creds:   map[string]string{"secret_key": liveKey, "publishable_key": pkTest},
			wantErr: "publishable_key is a test key but secret_key is a live key",
		},
		{name: "missing secret key", creds: map[string]string{"publishable_key": pkTest}, wantErr: "secret_key is required"},
		{name: "nil map", creds: nil, wantErr: "secret_key is required"},
		{name: "publishable key as secret", creds: map[string]string{"secret_key": pkTest}, wantErr: "holds a publishable key"},
		{name: "junk", creds: map[string]string{"secret_key": "hunter2-my-password"}, wantErr: "secret_key contains characters"},
		{name: "unknown prefix", creds: map[string]string{"secret_key": "sk_prod_51FakeKey000000000000000000"}, wantErr: "must start with sk_test_"},
		{name: "trailing newline", creds: map[string]string{"secret_key": testKey + "\n"}, wantErr: "secret_key contains whitespace"},
		{name: "inner space", creds: map[string]string{"secret_key": "sk_test_51Fake KeyForConcordTests0000"}, wantErr: "contains whitespace"},
		{name: "too short", creds: map[string]string{"secret_key": "sk_test_123"}, wantErr: "implausible length"},
		{name: "too long", creds: map[string]string{"secret_key": "sk_test_" + strings.Repeat("a", 300)}, wantErr: "implausible length"},
		{
			name:    "webhook secret without prefix",
			creds:   map[string]string{"secret_key": testKey, "webhook_secret": testKey},
			wantErr: "webhook_secret must start with whsec_",
		},
		{
			name:    "publishable key that is a secret key",
			creds:   map[string]string{"secret_key": testKey, "publishable_key": liveKey},
			wantErr: "publishable_key must start with pk_test_ or pk_live_",
		},
		{
			name:    "misspelt field",
			creds:   map[string]string{"secret_key": testKey, "secretkey": testKey},
			wantErr: "unknown credential field secretkey",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mode, ok, err := New().CheckCredentials(tt.creds)
			if tt.wantErr == "" {
				if err != nil || !ok || mode != tt.mode {
					t.Fatalf("CheckCredentials = %q, %v, %v; want %q, true, nil", mode, ok, err, tt.mode)
				}
				return
			}
			ce := mustConcordError(t, err, concord.EINVALID)
			if ce.Class != concord.ClassValidation {
				t.Errorf("class = %q, want validation", ce.Class)
			}
			if ok || mode != "" {
				t.Errorf("mode, ok = %q, %v on error; want \"\", false", mode, ok)
			}
			if !strings.Contains(ce.Message, tt.wantErr) {
				t.Errorf("message %q does not contain %q", ce.Message, tt.wantErr)
			}
			// No value, nor a tell-tale piece of one, may reach the message.
			for _, v := range tt.creds {
				if body := strings.TrimSpace(v); len(body) > 8 && strings.Contains(ce.Message, body[8:]) {
					t.Errorf("message %q echoes a credential value", ce.Message)
				}
			}
			if strings.Contains(ce.Message, "SECRET") || strings.Contains(ce.Message, "hunter2") {
				t.Errorf("message %q echoes a credential value", ce.Message)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	d := New().Describe()
	if d.Name != "stripe" || d.Kind != "payments" || d.WebhookScheme != "stripe-signature" || d.DefaultAPIBase != "https://api.stripe.com" {
		t.Fatalf("descriptor = %+v", d)
	}
	secret := map[string]bool{}
	for _, f := range d.Credentials {
		secret[f.Name] = f.Secret
		if f.Required != (f.Name == FieldSecretKey) {
			t.Errorf("field %s required = %v", f.Name, f.Required)
		}
	}
	if !secret["secret_key"] || secret["publishable_key"] || !secret["webhook_secret"] || !secret["webhook_secret_previous"] || len(secret) != 4 {
		t.Errorf("credential secrecy = %v", secret)
	}
	if len(d.Config) != 1 || d.Config[0].Name != "api_base" || d.Config[0].Required {
		t.Errorf("config = %+v", d.Config)
	}
}
