package httpapi

import (
	"net/http"

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

// createAPIKey creates a token no stronger than the caller's: a role at most the caller's
// (owner keys only from owners) and a scope inside the caller's.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var in apiKeyCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Name == "" || len(in.Name) > 200 {
		return concord.Errorf(concord.EINVALID, "name is required (at most 200 characters)")
	}
	if !in.Role.Valid() {
		return concord.Errorf(concord.EINVALID, "role must be owner, admin, operator or viewer")
	}
	if !p.Allows(in.Role) {
		return concord.Errorf(concord.EFORBIDDEN, "a %s token cannot create a %s token", p.Role, in.Role)
	}
	k := store.APIKey{Name: in.Name, Role: string(in.Role), CreatedBy: p.Actor()}
	if in.EntityIDs == nil {
		if !p.Global() {
			return concord.Errorf(concord.EFORBIDDEN, "a token limited to some entities cannot create a token for every entity; list entity_ids")
		}
		k.EntityIDs = []string{"*"}
	} else {
		if len(*in.EntityIDs) == 0 {
			return concord.Errorf(concord.EINVALID, "entity_ids must list at least one entity, or be omitted for every entity")
		}
		for _, id := range *in.EntityIDs {
			if !p.CanSee(id) {
				return &concord.Error{Code: concord.ENOTFOUND, Message: "entity " + id + " not found"}
			}
			if _, err := s.DB.GetEntity(r.Context(), id); err != nil {
				return err
			}
		}
		k.EntityIDs = *in.EntityIDs
	}
	token := newToken()
	k.TokenHash = HashToken(token)
	err := s.DB.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.CreateAPIKey(r.Context(), &k); err != nil {
			return err
		}
		after, _, err := audit.Diff(k, nil)
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(r.Context(), audit.Entry{Actor: p.Actor(), Action: "api_key.create",
			Resource: "api_key:" + k.ID, EntityID: firstEntity(k.EntityIDs), Outcome: audit.OutcomeOK, After: after})
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiKeyCreated{APIKey: k, Token: token})
	return nil
}

// revokeAPIKey revokes a token the caller could have created.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	id := r.PathValue("id")
	var k store.APIKey
	err := s.DB.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		if k, err = tx.GetAPIKey(r.Context(), id); err != nil {
			return err
		}
		if !p.Global() {
			for _, e := range k.EntityIDs {
				if !p.CanSee(e) {
					return &concord.Error{Code: concord.ENOTFOUND, Message: "api key not found"}
				}
			}
		}
		if !p.Allows(Role(k.Role)) {
			return concord.Errorf(concord.EFORBIDDEN, "a %s token cannot revoke a %s token", p.Role, k.Role)
		}
		if err := tx.RevokeAPIKey(r.Context(), id); err != nil {
			return err
		}
		_, err = tx.AppendAudit(r.Context(), audit.Entry{Actor: p.Actor(), Action: "api_key.revoke",
			Resource: "api_key:" + id, EntityID: firstEntity(k.EntityIDs), Outcome: audit.OutcomeOK})
		return err
	})
	if err != nil {
		return err
	}
	k.RevokedAt = ptr(s.DB.Now())
	writeJSON(w, http.StatusOK, k)
	return nil
}

func firstEntity(ids []string) string {
	if len(ids) == 1 && ids[0] != "*" {
		return ids[0]
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
