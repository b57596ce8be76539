package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/store"
)

type apiKeyCreate struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// EntityIDs scopes the token; omitted (or null) means every entity, which only a global
	// token may grant.
	EntityIDs *[]string `json:"entity_ids"`
}

type apiKeyCreated struct {
	store.APIKey
	// Token is shown once, here; only its hash is stored.
	Token string `json:"token"`
}

// createAPIKey creates a token no stronger than the caller's (CreateAPIKey).
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in apiKeyCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	k, token, err := s.CreateAPIKey(r.Context(), principalFrom(r.Context()), in.Name, in.Role, in.EntityIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiKeyCreated{APIKey: k, Token: token})
	return nil
}

// CreateAPIKey creates a token for p no stronger than p's own: a role at most p's (owner
// keys only from owners) and a scope inside p's; entityIDs nil means every entity, which
// only a global token may grant. The token is returned once; only its hash is stored. The
// API and the dashboard both create tokens through here, audited.
func (s *Server) CreateAPIKey(ctx context.Context, p Principal, name string, role Role, entityIDs *[]string) (store.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return store.APIKey{}, "", concord.Errorf(concord.EINVALID, "name is required (at most 200 characters)")
	}
	if !role.Valid() {
		return store.APIKey{}, "", concord.Errorf(concord.EINVALID, "role must be owner, admin, operator or viewer")
	}
	if !p.Allows(role) {
		return store.APIKey{}, "", concord.Errorf(concord.EFORBIDDEN, "a %s token cannot create a %s token", p.Role, role)
	}
	k := store.APIKey{Name: name, Role: string(role), CreatedBy: p.Actor()}
	if entityIDs == nil {
		if !p.Global() {
			return store.APIKey{}, "", concord.Errorf(concord.EFORBIDDEN, "a token limited to some entities cannot create a token for every entity; list entity_ids")
		}
		k.EntityIDs = []string{"*"}
	} else {
		if len(*entityIDs) == 0 {
			return store.APIKey{}, "", concord.Errorf(concord.EINVALID, "entity_ids must list at least one entity, or be omitted for every entity")
		}
		for _, id := range *entityIDs {
			if !p.CanSee(id) {
				return store.APIKey{}, "", &concord.Error{Code: concord.ENOTFOUND, Message: "entity " + id + " not found"}
			}
			if _, err := s.DB.GetEntity(ctx, id); err != nil {
				return store.APIKey{}, "", err
			}
		}
		k.EntityIDs = *entityIDs
	}
	token := newToken()
	k.TokenHash = HashToken(token)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAPIKey(ctx, &k); err != nil {
			return err
		}
		after, _, err := audit.Diff(k, nil)
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Entry{Actor: p.Actor(), Action: "api_key.create",
			Resource: "api_key:" + k.ID, EntityID: firstEntity(k.EntityIDs), Outcome: audit.OutcomeOK, After: after})
		return err
	})
	if err != nil {
		return store.APIKey{}, "", err
	}
	return k, token, nil
}

// revokeAPIKey revokes a token the caller could have created (RevokeAPIKey).
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.RevokeAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

// RevokeAPIKey revokes, at once and audited, a token p could have created; a token outside
// p's scope is not found.
func (s *Server) RevokeAPIKey(ctx context.Context, p Principal, id string) (store.APIKey, error) {
	var k store.APIKey
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if k, err = tx.GetAPIKey(ctx, id); err != nil {
			return err
		}
		if !s.mayManage(p, k) {
			return &concord.Error{Code: concord.ENOTFOUND, Message: "api key not found"}
		}
		if !p.Allows(Role(k.Role)) {
			return concord.Errorf(concord.EFORBIDDEN, "a %s token cannot revoke a %s token", p.Role, k.Role)
		}
		if err := tx.RevokeAPIKey(ctx, id); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Entry{Actor: p.Actor(), Action: "api_key.revoke",
			Resource: "api_key:" + id, EntityID: firstEntity(k.EntityIDs), Outcome: audit.OutcomeOK})
		return err
	})
	if err != nil {
		return store.APIKey{}, err
	}
	k.RevokedAt = ptr(s.DB.Now())
	return k, nil
}

// mayManage reports whether k lies inside p's scope: a scoped token sees only tokens all of
// whose entities it sees (never a token for every entity).
func (s *Server) mayManage(p Principal, k store.APIKey) bool {
	if p.Global() {
		return true
	}
	if len(k.EntityIDs) == 1 && k.EntityIDs[0] == "*" {
		return false
	}
	for _, e := range k.EntityIDs {
		if !p.CanSee(e) {
			return false
		}
	}
	return true
}

// listAPIKeys lists the tokens the caller may manage, newest first (ListAPIKeys).
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.ListAPIKeys(r.Context(), principalFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(keys, ""))
	return nil
}

// ListAPIKeys lists the tokens inside p's scope, newest first, revoked ones included.
func (s *Server) ListAPIKeys(ctx context.Context, p Principal) ([]store.APIKey, error) {
	all, err := s.DB.ListAPIKeys(ctx, 1000)
	if err != nil {
		return nil, err
	}
	out := []store.APIKey{}
	for _, k := range all {
		if s.mayManage(p, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func firstEntity(ids []string) string {
	if len(ids) == 1 && ids[0] != "*" {
		return ids[0]
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
