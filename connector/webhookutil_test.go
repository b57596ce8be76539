package connector

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
)

func TestEqualSecret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stored, got string
		want        bool
	}{
		{"s3cret", "s3cret", true},
		{"s3cret", "s3cre", false},
		{"s3cret", "s3cret ", false},
		{"s3cret", "", false},
		{"", "", false}, // no stored secret never verifies
	}
	for _, c := range cases {
		if got := EqualSecret(c.stored, c.got); got != c.want {
			t.Errorf("EqualSecret(%q, %q) = %v, want %v", c.stored, c.got, got, c.want)
		}
	}
}

func TestEqualMACHex(t *testing.T) {
	t.Parallel()
	mac := HMACSHA256([]byte("k"), []byte("a"), []byte("b"))
	if !EqualMACHex(mac, hex.EncodeToString(HMACSHA256([]byte("k"), []byte("ab")))) {
		t.Fatal("parts are not concatenated")
	}
	for _, bad := range []string{"", "zz", hex.EncodeToString(mac[:31]), strings.Repeat("0", 64)} {
		if EqualMACHex(mac, bad) {
			t.Errorf("EqualMACHex accepted %q", bad)
		}
	}
}

func TestParseTimestampedSignature(t *testing.T) {
	t.Parallel()
	cases := []struct {
		h      string
		ok     bool
		ts     int64
		sigLen int
	}{
		{"t=1,v1=aa", true, 1, 1},
		{"t=1, v1=aa, v1=bb, v0=cc", true, 1, 2},
		{"v1=aa,t=1", true, 1, 1},
		{"t=1", false, 0, 0},
		{"v1=aa", false, 0, 0},
		{"t=x,v1=aa", false, 0, 0},
		{"t=1,t=2,v1=aa", false, 0, 0},
		{"", false, 0, 0},
		{strings.Repeat("v1=aa,", 17) + "t=1", false, 0, 0},
	}
	for _, c := range cases {
		sig, err := ParseTimestampedSignature(c.h)
		if (err == nil) != c.ok || sig.Timestamp != c.ts || len(sig.V1) != c.sigLen {
			t.Errorf("Parse(%q) = %+v, %v", c.h, sig, err)
		}
	}
}

func TestVerifyTimestampedHMAC(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"a":1}`)
	sign := func(secret string, ts int64) string {
		return hex.EncodeToString(HMACSHA256([]byte(secret), []byte(fmt.Sprint(ts, ".")), body))
	}
	good := fmt.Sprintf("t=%d,v1=%s", now.Unix(), sign("new", now.Unix()))
	cases := []struct {
		name, header, reason string
		secrets              []string
	}{
		{"valid", good, "", []string{"new"}},
		{"previous secret", good, "", []string{"old", "new"}},
		{"empty secret skipped", good, ReasonBadSignature, []string{"", ""}},
		{"missing", "", ReasonMissingSignature, []string{"new"}},
		{"malformed", "garbage", ReasonMalformed, []string{"new"}},
		{"wrong secret", good, ReasonBadSignature, []string{"other"}},
		{"old", fmt.Sprintf("t=%d,v1=%s", now.Unix()-301, sign("new", now.Unix()-301)), ReasonStaleTimestamp, []string{"new"}},
		{"future", fmt.Sprintf("t=%d,v1=%s", now.Unix()+301, sign("new", now.Unix()+301)), ReasonStaleTimestamp, []string{"new"}},
		{"edge", fmt.Sprintf("t=%d,v1=%s", now.Unix()-300, sign("new", now.Unix()-300)), "", []string{"new"}},
	}
	for _, c := range cases {
		err := VerifyTimestampedHMAC(401, c.header, body, c.secrets, now, 300*time.Second)
		var we *WebhookError
		switch {
		case c.reason == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.reason != "" && (!errors.As(err, &we) || we.Reason != c.reason || we.Status != 401):
			t.Errorf("%s: err = %v, want %s", c.name, err, c.reason)
		}
	}
}

func TestKeyCache(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	c := NewKeyCache[int](time.Hour, 2)
	c.Put("a", 1, now)
	c.Put("b", 2, now.Add(time.Minute))
	if v, ok := c.Get("a", now.Add(59*time.Minute)); !ok || v != 1 {
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	if _, ok := c.Get("a", now.Add(time.Hour)); ok {
		t.Fatal("expired key returned")
	}
	c.Put("c", 3, now.Add(2*time.Minute)) // full: "a" is closest to expiry and goes
	if _, ok := c.Get("a", now.Add(3*time.Minute)); ok || c.Len() != 2 {
		t.Fatalf("eviction: a still cached or len %d", c.Len())
	}
	if v, ok := c.Get("c", now.Add(3*time.Minute)); !ok || v != 3 {
		t.Fatalf("Get(c) = %v, %v", v, ok)
	}
}

func TestKeyFetchError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		err    error
		class  concord.ErrorClass
	}{
		{503, nil, concord.ClassUnavailable},
		{0, &net.OpError{Op: "dial", Err: errors.New("refused")}, concord.ClassUnavailable},
		{0, context.DeadlineExceeded, concord.ClassTimeout},
		{401, nil, concord.ClassAuthExpired},
	}
	for _, c := range cases {
		err := KeyFetchError("ebay", c.status, c.err)
		var ee *ExternalError
		if !errors.As(err, &ee) || ClassOf(err) != c.class {
			t.Errorf("KeyFetchError(%d, %v) = %v, class %q, want %q", c.status, c.err, err, ClassOf(err), c.class)
		}
		var we *WebhookError
		if errors.As(err, &we) {
			t.Errorf("a fetch failure must not look like a refused signature: %v", err)
		}
	}
	if err := KeyFetchError("ebay", 0, context.Canceled); ClassOf(err) != concord.ClassNone || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch = %v (class %q)", err, ClassOf(err))
	}
}
