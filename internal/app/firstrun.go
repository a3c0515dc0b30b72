package app

import (
	"context"
	"fmt"
	"io"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// DefaultAdminEmail is the first administrator's address when none is given.
const DefaultAdminEmail = "admin@localhost"

// firstRun creates the default tenant and its administrator when no tenant
// has an administrator yet. Without --admin-password the password is a
// random one-time password, printed once, that must be changed at first login.
func (a *App) firstRun(ctx context.Context, out io.Writer) error {
	any, err := a.Accounts.AnyAdmin(ctx)
	if err != nil || any {
		return err
	}
	t, err := a.Tenants.EnsureDefault(ctx)
	if err != nil {
		return err
	}
	email, pw, oneTime := a.Cfg.AdminEmail, a.Cfg.AdminPassword, false
	if email == "" {
		email = DefaultAdminEmail
	}
	if pw == "" {
		pw, oneTime = id.Secret(12), true
	}
	u, err := a.Accounts.CreateUser(ctx, t.ID, account.NewUser{Email: email, Name: "Administrator", Role: account.RoleAdmin,
		Password: pw, MustChangePassword: oneTime})
	if apperr.IsKind(err, apperr.Conflict) {
		// Another node starting at the same time made the administrator first.
		if made, aerr := a.Accounts.AnyAdmin(ctx); aerr == nil && made {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("first administrator: %w", err)
	}
	a.Log.Info("created the first administrator", "tenant", t.Slug, "email", u.Email)
	if oneTime {
		fmt.Fprintf(out, "\nFirst run: an administrator was created.\n  E-mail:             %s\n  One-time password:  %s\n"+
			"This password is shown only now; you will choose a new one at first login.\n\n", u.Email, pw)
	}
	return nil
}
