package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// UserCreate creates a user. Unless must_change_password is false, the user
// must choose a new password at first login.
type UserCreate struct {
	Email              string `json:"email"`
	Name               string `json:"name"`
	Role               string `json:"role"`
	Locale             string `json:"locale,omitempty"`
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password,omitempty"`
}

// UserUpdate changes a user; absent fields stay as they are.
type UserUpdate struct {
	Name     *string `json:"name,omitempty"`
	Role     *string `json:"role,omitempty"`
	Locale   *string `json:"locale,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	// Permissions replaces the rights granted beyond the role: "kb_review".
	Permissions *[]string `json:"permissions,omitempty"`
}

// PasswordReset is an administrator setting a user's password.
type PasswordReset struct {
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password,omitempty"`
}

// TeamInput creates a team.
type TeamInput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// TeamPatch changes a team; absent fields stay as they are.
type TeamPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// TokenCreate creates an API token.
type TokenCreate struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// TokenCreated is a new token with its secret, shown this once.
type TokenCreated struct {
	auth.Token
	Secret string `json:"secret"`
}

func tenantOf(r *http.Request) string { return principal(r.Context()).TenantID }

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var in UserCreate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	must := in.MustChangePassword == nil || *in.MustChangePassword
	u, err := a.accounts.CreateUser(r.Context(), tenantOf(r), account.NewUser{Email: in.Email, Name: in.Name,
		Role: account.Role(in.Role), Locale: in.Locale, Password: in.Password, MustChangePassword: must})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var in UserUpdate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	patch := account.UserPatch{Name: in.Name, Locale: in.Locale, Disabled: in.Disabled}
	if in.Permissions != nil {
		patch.Permissions = []account.Permission{}
		for _, p := range *in.Permissions {
			patch.Permissions = append(patch.Permissions, account.Permission(p))
		}
	}
	if in.Role != nil {
		role := account.Role(*in.Role)
		patch.Role = &role
	}
	u, err := a.accounts.UpdateUser(r.Context(), tenantOf(r), uid, patch)
	if err != nil {
		return err
	}
	if u.Disabled {
		if err := a.auth.LogoutAll(r.Context(), tenantOf(r), uid, ""); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	if p := principal(r.Context()); p.UserID == uid {
		return apperr.New(apperr.Conflict, "delete_self", "")
	}
	if err := a.accounts.DeleteUser(r.Context(), tenantOf(r), uid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var in PasswordReset
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	must := in.MustChangePassword == nil || *in.MustChangePassword
	if err := a.accounts.SetPassword(r.Context(), tenantOf(r), uid, in.Password, must); err != nil {
		return err
	}
	keep := ""
	if p := principal(r.Context()); p.UserID == uid {
		keep = p.SessionID
	}
	if err := a.auth.LogoutAll(r.Context(), tenantOf(r), uid, keep); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request) error {
	var in TeamInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.accounts.CreateTeam(r.Context(), tenantOf(r), in.Name, in.Description)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) updateTeam(w http.ResponseWriter, r *http.Request) error {
	tid, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	var in TeamPatch
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.accounts.UpdateTeam(r.Context(), tenantOf(r), tid, account.TeamPatch{Name: in.Name, Description: in.Description})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) teamMembers(w http.ResponseWriter, r *http.Request) error {
	tid, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	users, err := a.accounts.Members(r.Context(), tenantOf(r), tid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[account.User]{Items: users})
	return nil
}

// membershipRoute adds or removes the user {user_id} of the team {id}.
func membershipRoute(fn func(ctx context.Context, tenantID, teamID, userID string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		tid, err := pathID(r, "id", "team")
		if err != nil {
			return err
		}
		uid, err := pathID(r, "user_id", "user")
		if err != nil {
			return err
		}
		if err := fn(r.Context(), tenantOf(r), tid, uid); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in TokenCreate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p := principal(r.Context())
	by := p.UserID
	if p.IsToken() {
		by = "token:" + p.TokenID
	}
	secret, t, err := a.auth.CreateToken(r.Context(), p.TenantID, in.Name, auth.Scope(in.Scope), by)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, TokenCreated{Token: t, Secret: secret})
	return nil
}
