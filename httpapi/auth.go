package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"

	"github.com/concordhub/concord"
)

// Role is what a token may do; each role includes the ones below it.
type Role string

// Roles, lowest first.
const (
	RoleViewer   Role = "viewer"   // read
	RoleOperator Role = "operator" // + test, sync, writes, drift resolution
	RoleAdmin    Role = "admin"    // + connect, rotate, disconnect, reconnect, API keys up to admin
	RoleOwner    Role = "owner"    // + owner keys
)

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Principal is who is calling: one API token, its role and its entity scope.
type Principal struct {
	KeyID string
	Role  Role
	// EntityIDs is the token's scope; nil means every entity (global tokens).
	EntityIDs []string
}

// Actor names the principal in the audit history.
func (p Principal) Actor() string { return "api_key:" + p.KeyID }

// Global reports whether the token is not limited to some entities.
func (p Principal) Global() bool { return p.EntityIDs == nil }

// CanSee reports whether the token's scope includes the entity.
func (p Principal) CanSee(entityID string) bool {
	return p.EntityIDs == nil || slices.Contains(p.EntityIDs, entityID)
}

// Allows reports whether the token's role includes r.
func (p Principal) Allows(r Role) bool { return p.Role.rank() >= r.rank() }

type principalKey struct{}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// HashToken is how tokens are stored: only their SHA-256, hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken makes an API token: a recognisable prefix and 32 random bytes.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("httpapi: crypto/rand failed: " + err.Error())
	}
	return "cct_" + base64.RawURLEncoding.EncodeToString(b)
}

// authenticate resolves the bearer token to a principal.
func (s *Server) authenticate(r *http.Request) (Principal, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return Principal{}, concord.Errorf(concord.EUNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>")
	}
	return s.PrincipalForTokenHash(r.Context(), HashToken(strings.TrimSpace(token)))
}

// PrincipalForTokenHash resolves the SHA-256 of an API token (HashToken) to its principal:
// the dashboard keeps only that hash in a session and re-checks it on every page, so a
// revoked token ends its sessions at once. The bootstrap admin token is compared in
// constant time.
func (s *Server) PrincipalForTokenHash(ctx context.Context, hash string) (Principal, error) {
	if s.adminTokenHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(s.adminTokenHash)) == 1 {
		return Principal{KeyID: "bootstrap", Role: RoleOwner}, nil
	}
	k, err := s.DB.APIKeyByHash(ctx, hash)
	if err != nil || k.RevokedAt != nil {
		return Principal{}, concord.Errorf(concord.EUNAUTHORIZED, "invalid or revoked token")
	}
	p := Principal{KeyID: k.ID, Role: Role(k.Role), EntityIDs: k.EntityIDs}
	if p.EntityIDs == nil {
		p.EntityIDs = []string{}
	}
	if len(k.EntityIDs) == 1 && k.EntityIDs[0] == "*" {
		p.EntityIDs = nil
	}
	return p, nil
}

// requireRole answers 403 unless the caller's role includes r.
func requireRole(ctx context.Context, r Role) error {
	p := principalFrom(ctx)
	if !p.Allows(r) {
		return concord.Errorf(concord.EFORBIDDEN, "this action needs role %s; the token has role %s", r, p.Role)
	}
	return nil
}

// requireEntity answers 404 for an entity outside the caller's scope, so a token cannot
// learn that another entity's resources exist.
func requireEntity(ctx context.Context, entityID string) error {
	if !principalFrom(ctx).CanSee(entityID) {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "not found"}
	}
	return nil
}
