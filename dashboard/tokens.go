package dashboard

import (
	"net/http"
	"slices"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/store"
)

// tokenRoles are the roles a principal may give: its own and the ones below.
func tokenRoles(p httpapi.Principal) []string {
	var out []string
	for _, r := range []httpapi.Role{httpapi.RoleViewer, httpapi.RoleOperator, httpapi.RoleAdmin, httpapi.RoleOwner} {
		if p.Allows(r) {
			out = append(out, string(r))
		}
	}
	return out
}

// tokens lists the API tokens the signed-in admin may manage, and the form for a new one:
// how a team gets its own sign-ins, each with a role and an entity scope.
func (d *Dashboard) tokens(w http.ResponseWriter, r *http.Request, rq *request) error {
	keys, err := d.Auth.ListAPIKeys(r.Context(), rq.P)
	if err != nil {
		return err
	}
	d.render(w, r, http.StatusOK, "tokens", rq, view{Title: "API tokens", Nav: "tokens",
		Data: map[string]any{"Keys": keys, "Roles": tokenRoles(rq.P), "Global": rq.P.Global()}})
	return nil
}

// createToken makes a token and shows it once, on this answer only (never in a cookie, a
// redirect or a log); the page is not cached.
func (d *Dashboard) createToken(w http.ResponseWriter, r *http.Request, rq *request) error {
	f := r.PostForm
	var scope *[]string
	if f.Get("scope") != "all" {
		ids := f["entity"]
		scope = &ids
	}
	role := httpapi.Role(f.Get("role"))
	if !slices.Contains(tokenRoles(rq.P), string(role)) {
		return concord.Errorf(concord.EFORBIDDEN, "you can give the roles %v; nothing was created", tokenRoles(rq.P))
	}
	k, token, err := d.Auth.CreateAPIKey(r.Context(), rq.P, f.Get("name"), role, scope)
	if err != nil {
		return err
	}
	d.render(w, r, http.StatusCreated, "token-created", rq, view{Title: "Token created", Nav: "tokens",
		Data: map[string]any{"Key": k, "Token": token}})
	return nil
}

func (d *Dashboard) revokeToken(w http.ResponseWriter, r *http.Request, rq *request) error {
	k, err := d.Auth.RevokeAPIKey(r.Context(), rq.P, r.PathValue("key"))
	if err != nil {
		return err
	}
	d.setFlash(w, r, "ok", "Token "+k.Name+" is revoked; its sessions have ended.")
	http.Redirect(w, r, "/ui/tokens", http.StatusSeeOther)
	return nil
}

// keyScope says a token's scope in words.
func keyScope(k store.APIKey, names map[string]string) string {
	if len(k.EntityIDs) == 1 && k.EntityIDs[0] == "*" {
		return "every entity"
	}
	out := ""
	for i, id := range k.EntityIDs {
		if i > 0 {
			out += ", "
		}
		if n, ok := names[id]; ok {
			out += n
		} else {
			out += id
		}
	}
	return out
}
