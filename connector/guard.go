package connector

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/concordhub/concord"
)

// ErrPrivateNetwork is in the chain of the error returned when the private-network guard
// refuses a destination, so callers can tell a refused dial from an unreachable service.
var ErrPrivateNetwork = errors.New("private network destination")

// The ranges below are not covered by netip's Is* helpers. CGNAT is used by carriers and by
// cloud VPC peering; "this network" and broadcast reach the local host or segment.
var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	broadcast   = netip.MustParseAddr("255.255.255.255")
	// nat64 embeds an IPv4 address in the low 32 bits; a NAT64 gateway would forward
	// 64:ff9b::a00:1 to 10.0.0.1, so the embedded address is what we must judge.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
)

// blockedAddr reports why addr must not be dialled, or "" when it may. Loopback is reported
// separately because sandbox connections may reach local emulators.
func blockedAddr(addr netip.Addr) (reason string, loopback bool) {
	addr = addr.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1 on the wire
	if nat64.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	switch {
	case !addr.IsValid():
		return "invalid", false
	case addr.IsLoopback():
		return "loopback", true
	case addr.IsUnspecified(), thisNetwork.Contains(addr):
		return "unspecified", false
	case addr.IsPrivate(): // RFC 1918 and fc00::/7
		return "private", false
	case cgnat.Contains(addr):
		return "shared (CGNAT)", false
	case addr.IsLinkLocalUnicast(): // includes 169.254.169.254, the cloud metadata service
		return "link-local", false
	case addr.IsMulticast(), addr == broadcast:
		return "multicast or broadcast", false
	}
	return "", false
}

// checkDial judges the address the dialer is about to connect to. It runs after DNS
// resolution, once per candidate address, so a hostname that resolves (or re-resolves, as in
// DNS rebinding) to a private address is refused before any packet is sent to it.
func checkDial(address string, allowLoopback bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: an address we cannot parse is one we cannot judge.
		return guardError(address)
	}
	reason, loopback := blockedAddr(ap.Addr())
	if reason == "" || (loopback && allowLoopback) {
		return nil
	}
	return guardError(ap.Addr().String())
}

func guardError(dest string) error {
	return &ExternalError{
		Class:   concord.ClassValidation,
		Message: "destination " + dest + " is a private network address; not allowed for this connection",
		Err:     ErrPrivateNetwork,
	}
}

// guardedTransport clones base and installs a dialer that applies the guard. Sandbox and
// production bindings get separate transports (see Outbound.transports): the guard runs only
// when a connection is dialled, so a pooled keep-alive connection opened for a sandbox
// binding to 127.0.0.1 must never be handed to a production binding.
func guardedTransport(base *http.Transport, allowLoopback, allowAll bool) *http.Transport {
	t := base.Clone()
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowAll {
		d.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
			return checkDial(address, allowLoopback)
		}
	}
	t.DialContext = d.DialContext
	// Any other dial hook would bypass the guarded dialer; TLS runs over DialContext's conn.
	t.DialTLSContext, t.DialTLS, t.Dial = nil, nil, nil
	// A proxy would make the dialled address the proxy's, and the guard would judge the
	// wrong host; outbound calls therefore go direct.
	t.Proxy = nil
	return t
}
