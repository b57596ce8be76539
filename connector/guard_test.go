package connector

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/concordhub/concord"
)

func TestBlockedAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr     string
		blocked  bool
		loopback bool
	}{
		{"127.0.0.1", true, true},
		{"127.8.9.10", true, true},
		{"::1", true, true},
		{"::ffff:127.0.0.1", true, true},
		{"10.0.0.1", true, false},
		{"172.16.5.4", true, false},
		{"192.168.1.1", true, false},
		{"::ffff:10.0.0.1", true, false},
		{"100.64.0.1", true, false},
		{"100.127.255.254", true, false},
		{"169.254.169.254", true, false},
		{"fe80::1", true, false},
		{"fc00::1", true, false},
		{"fd12:3456::1", true, false},
		{"0.0.0.0", true, false},
		{"0.1.2.3", true, false},
		{"::", true, false},
		{"224.0.0.1", true, false},
		{"ff02::1", true, false},
		{"255.255.255.255", true, false},
		{"64:ff9b::a00:1", true, false}, // NAT64 of 10.0.0.1
		{"8.8.8.8", false, false},
		{"100.128.0.1", false, false},
		{"2606:4700::6810:84e5", false, false},
		{"64:ff9b::808:808", false, false}, // NAT64 of 8.8.8.8
	} {
		reason, loop := blockedAddr(netip.MustParseAddr(tc.addr))
		if (reason != "") != tc.blocked || loop != tc.loopback {
			t.Errorf("%s: reason %q loopback %v; want blocked %v loopback %v", tc.addr, reason, loop, tc.blocked, tc.loopback)
		}
	}
}

func TestGuardLoopbackNeedsSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(200, "ok"))

	prod := b.out.Client(Binding{ConnectionID: "conn_prod", Connector: "stripe"})
	_, _, err := get(t, prod, srv.URL+"/v1/balance")
	assertGuarded(t, err)
	// Resolution, not the name, is judged: localhost resolves to loopback.
	_, _, err = get(t, prod, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+"/v1/balance")
	assertGuarded(t, err)
	if hits.Load() != 0 {
		t.Fatalf("server was reached %d times by a production binding", hits.Load())
	}
	e := b.sink.all()
	if len(e) != 2 || e[0].ErrorClass != concord.ClassValidation || !strings.Contains(e[0].Excerpt, "private network") {
		t.Fatalf("entries = %+v (a refused dial is logged once and not retried)", e)
	}

	if _, body, err := get(t, b.sandbox(), srv.URL+"/v1/balance"); err != nil || body != "ok" {
		t.Fatalf("sandbox binding: %v %q", err, body)
	}
}

func TestGuardRefusesAtDial(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(200, "ok"))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	// These never reach the network: the dialer's control hook runs after the socket is
	// made and before connect(2), so no packet leaves for 10.0.0.1 or the metadata service.
	targets := []string{
		"http://10.0.0.1:9/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://[fd00::1]:9/",
		"http://100.64.0.1:9/",
	}
	for _, sandbox := range []bool{false, true} {
		c := b.out.Client(Binding{ConnectionID: "c", Connector: "shopify", Sandbox: sandbox})
		for _, u := range targets {
			if sandbox && strings.Contains(u, "127.0.0.1") {
				continue // loopback is the one thing a sandbox may reach
			}
			_, _, err := get(t, c, u)
			assertGuarded(t, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("server reached %d times", hits.Load())
	}
}

func TestAllowPrivateNetworksLiftsGuard(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *OutboundOptions) { o.AllowPrivateNetworks = true })
	srv, _ := server(t, status(200, "ok"))
	prod := b.out.Client(Binding{ConnectionID: "c", Connector: "stripe"})
	if _, body, err := get(t, prod, srv.URL+"/"); err != nil || body != "ok" {
		t.Fatalf("with AllowPrivateNetworks: %v %q", err, body)
	}
}

func assertGuarded(t *testing.T, err error) {
	t.Helper()
	var ee *ExternalError
	if !errors.As(err, &ee) || ee.Class != concord.ClassValidation || !errors.Is(err, ErrPrivateNetwork) ||
		!strings.Contains(ee.Message, "is a private network address; not allowed for this connection") {
		t.Fatalf("err = %v; want the private-network validation error", err)
	}
}

// The transports must stay apart: a keep-alive connection opened by a sandbox binding would
// otherwise be reused by a production binding without any dial, and so without the guard.
func TestSandboxConnectionsNotShared(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(200, "ok"))
	if _, _, err := get(t, b.sandbox(), srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	prod := b.out.Client(Binding{ConnectionID: "conn_1", Connector: "stripe"})
	_, _, err := get(t, prod, srv.URL+"/")
	assertGuarded(t, err)
	if hits.Load() != 1 {
		t.Fatalf("hits = %d", hits.Load())
	}
}
