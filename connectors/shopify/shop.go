package shopify

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// shopSuffix is the one domain every shop has, whatever its storefront domain.
const shopSuffix = ".myshopify.com"

// handlePattern is a shop handle: lowercase letters, digits and hyphens, not starting with
// a hyphen. Anything else (dots, slashes, @, ports) cannot be part of a myshopify host.
var handlePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// NormalizeShop turns what an operator types for the shop into its myshopify.com domain:
// a handle ("demo"), the domain ("demo.myshopify.com"), an admin URL
// ("https://demo.myshopify.com/admin") or the new admin URL
// ("https://admin.shopify.com/store/demo"). Custom storefront domains are refused: the
// Admin API answers only on the myshopify.com host, and a lookalike such as
// "evil.com/.myshopify.com" must never become the host a token is sent to.
func NormalizeShop(input string) (string, error) {
	in := strings.ToLower(strings.TrimSpace(input))
	if in == "" {
		return "", invalid("shop is required (the shop's handle or its myshopify.com domain)")
	}
	host, path := in, ""
	if strings.Contains(in, "://") {
		u, err := url.Parse(in)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil ||
			u.Port() != "" || u.RawQuery != "" || u.Fragment != "" {
			return "", invalid("shop must be the shop's handle or its myshopify.com domain, not an arbitrary URL")
		}
		host, path = u.Host, u.Path
	} else if i := strings.IndexByte(in, '/'); i >= 0 {
		host, path = in[:i], in[i:]
	}
	if host == "admin.shopify.com" {
		// https://admin.shopify.com/store/{handle}[/...]
		rest, ok := strings.CutPrefix(path, "/store/")
		handle, _, _ := strings.Cut(rest, "/")
		if !ok || !handlePattern.MatchString(handle) {
			return "", invalid("shop: an admin.shopify.com URL must look like https://admin.shopify.com/store/<handle>")
		}
		return handle + shopSuffix, nil
	}
	if path != "" && path != "/" && path != "/admin" && !strings.HasPrefix(path, "/admin/") {
		return "", invalid("shop must be the shop's handle or its myshopify.com domain (only an /admin path may follow it)")
	}
	handle, isDomain := strings.CutSuffix(host, shopSuffix)
	if !isDomain && strings.ContainsAny(host, ".:@") {
		return "", invalid("shop %q is not a myshopify.com domain: custom storefront domains are not accepted; "+
			"use the shop's myshopify.com domain (Shopify admin → Settings → Domains)", host)
	}
	if !handlePattern.MatchString(handle) {
		return "", invalid("shop handle may hold only lowercase letters, digits and hyphens")
	}
	return handle + shopSuffix, nil
}

// ConfigChecker is implemented by connectors that validate their config fields beyond
// "required and known" (the connections service checks those); the hub calls it before
// storing a connection's config.
type ConfigChecker interface {
	CheckConfig(cfg map[string]string) error
}

// CheckConfig validates a connection's config: shop must normalize to a myshopify.com
// domain. api_base is checked by the hub (sandbox only, http(s) URL).
func CheckConfig(cfg map[string]string) error {
	_, err := NormalizeShop(cfg[FieldShop])
	return err
}

// CheckConfig is the package CheckConfig, as a method so the hub can find it by type
// assertion (ConfigChecker).
func (*Connector) CheckConfig(cfg map[string]string) error { return CheckConfig(cfg) }

// shopDomain is the session's shop domain, validated again on every call: a config edited
// behind the hub's back must not send the token to another host.
func shopDomain(s *connector.Session) (string, error) {
	if s == nil {
		return "", concord.Errorf(concord.EINTERNAL, "shopify: no session")
	}
	return NormalizeShop(s.Config[FieldShop])
}

// baseURL is where the session's calls go: the emulator's api_base when set (the hub only
// allows it on sandbox connections), else the shop's own host.
func baseURL(s *connector.Session) (string, error) {
	domain, err := shopDomain(s)
	if err != nil {
		return "", err
	}
	if b := strings.TrimRight(strings.TrimSpace(s.APIBase), "/"); b != "" {
		return b, nil
	}
	return "https://" + domain, nil
}

// invalid builds the hub's own validation error: Code EINVALID, class validation.
func invalid(format string, args ...any) *concord.Error {
	e := concord.Errorf(concord.EINVALID, format, args...)
	e.Class = concord.ClassValidation
	return e
}
