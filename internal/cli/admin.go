package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// appErr renders a user-visible error in English, naming the field.
func appErr(err error) (string, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		return "", false
	}
	msg := i18n.MustLoad().Error(i18n.English, e)
	if e.Field != "" {
		return e.Field + ": " + msg, true
	}
	return msg, true
}

// sub dispatches "tenant create", "user list" and the like.
func sub(env Env, group string, args []string, subs map[string]func(Env, []string) int, order []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		w := env.Stdout
		code := ExitOK
		if len(args) == 0 {
			w, code = env.Stderr, ExitUsage
		}
		fmt.Fprintf(w, "Usage: switchboard %s <%s> [flags]\n", group, strings.Join(order, "|"))
		return code
	}
	if f, ok := subs[args[0]]; ok {
		return f(env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "switchboard %s: unknown subcommand %q (want %s)\n", group, args[0], strings.Join(order, ", "))
	return ExitUsage
}

func tenantCmd(env Env, args []string) int {
	return sub(env, "tenant", args, map[string]func(Env, []string) int{"create": tenantCreate, "list": tenantList}, []string{"create", "list"})
}

func userCmd(env Env, args []string) int {
	return sub(env, "user", args, map[string]func(Env, []string) int{"create": userCreate, "list": userList, "set-password": userSetPassword},
		[]string{"create", "list", "set-password"})
}

func tokenCmd(env Env, args []string) int {
	return sub(env, "token", args, map[string]func(Env, []string) int{"create": tokenCreate}, []string{"create"})
}

func tenantCreate(env Env, args []string) int {
	fs := flagSet(env, "tenant create", "tenant create --slug SLUG [--name NAME] [flags]")
	slug := fs.String("slug", "", "short name of the tenant (lower-case letters, digits, dashes)")
	name := fs.String("name", "", "display name")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	if *slug == "" {
		fmt.Fprintln(env.Stderr, "switchboard tenant create: --slug is required")
		return ExitUsage
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	t, err := a.Tenants.Create(env.Ctx, *slug, *name)
	if err != nil {
		return fail(env, "tenant create", err)
	}
	fmt.Fprintf(env.Stdout, "%s\t%s\t%s\n", t.ID, t.Slug, t.Name)
	return ExitOK
}

func tenantList(env Env, args []string) int {
	fs := flagSet(env, "tenant list", "tenant list [flags]")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	ts, err := a.Tenants.List(env.Ctx)
	if err != nil {
		return fail(env, "tenant list", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tNAME\tCREATED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Slug, t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
	}
	tw.Flush()
	return ExitOK
}

// tenantFlag adds --tenant; resolve returns the tenant it names, or the default one.
func tenantFlag(fsTenant *string, a *app.App, ctx context.Context) (tenant.Tenant, error) {
	if slug := *fsTenant; slug != "" && slug != tenant.DefaultSlug {
		t, err := a.Tenants.BySlug(ctx, slug)
		if apperr.IsKind(err, apperr.NotFound) {
			return t, fmt.Errorf("tenant %q does not exist (see: switchboard tenant list)", slug)
		}
		return t, err
	}
	// The default tenant exists from the first serve on; an admin command run
	// before that creates it, so that setting up before the first start works.
	return a.Tenants.EnsureDefault(ctx)
}

// readPassword takes the password from --password, or a line of stdin with
// --password-stdin, or makes a one-time password (then shown once).
func readPassword(env Env, flagPW string, fromStdin bool) (pw string, generated bool, err error) {
	switch {
	case fromStdin:
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, fmt.Errorf("--password-stdin: no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	case flagPW != "":
		return flagPW, false, nil
	}
	return id.Secret(12), true, nil
}

func userCreate(env Env, args []string) int {
	fs := flagSet(env, "user create", "user create --email EMAIL --name NAME [--role agent|supervisor|admin] [--tenant SLUG] [flags]")
	email := fs.String("email", "", "e-mail address (the login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "agent", "admin, supervisor or agent")
	tslug := fs.String("tenant", "", "tenant slug (default: the default tenant)")
	pw := fs.String("password", "", "password (default: a one-time password, printed, to be changed at first login)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	if *email == "" || *name == "" {
		fmt.Fprintln(env.Stderr, "switchboard user create: --email and --name are required")
		return ExitUsage
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	t, err := tenantFlag(tslug, a, env.Ctx)
	if err != nil {
		return fail(env, "user create", err)
	}
	password, generated, err := readPassword(env, *pw, *pwStdin)
	if err != nil {
		return fail(env, "user create", err)
	}
	u, err := a.Accounts.CreateUser(env.Ctx, t.ID, account.NewUser{Email: *email, Name: *name, Role: account.Role(*role),
		Password: password, MustChangePassword: generated})
	if err != nil {
		return fail(env, "user create", err)
	}
	fmt.Fprintf(env.Stdout, "created user %s (%s, %s) in tenant %s\n", u.Email, u.Name, u.Role, t.Slug)
	if generated {
		fmt.Fprintf(env.Stdout, "one-time password: %s\n", password)
	}
	return ExitOK
}

func userList(env Env, args []string) int {
	fs := flagSet(env, "user list", "user list [--tenant SLUG] [flags]")
	tslug := fs.String("tenant", "", "tenant slug (default: the default tenant)")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	t, err := tenantFlag(tslug, a, env.Ctx)
	if err != nil {
		return fail(env, "user list", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATE")
	p := store.Page{Limit: store.MaxPageSize}
	for {
		users, next, err := a.Accounts.ListUsers(env.Ctx, t.ID, p)
		if err != nil {
			return fail(env, "user list", err)
		}
		for _, u := range users {
			state := "active"
			switch {
			case u.Disabled:
				state = "disabled"
			case u.MustChangePassword:
				state = "must change password"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, state)
		}
		if next == "" {
			break
		}
		p.After, _ = store.DecodeCursor(next)
	}
	tw.Flush()
	return ExitOK
}

func userSetPassword(env Env, args []string) int {
	fs := flagSet(env, "user set-password", "user set-password --email EMAIL [--password P | --password-stdin] [--tenant SLUG] [flags]")
	email := fs.String("email", "", "the user's e-mail address")
	tslug := fs.String("tenant", "", "tenant slug (default: the default tenant)")
	pw := fs.String("password", "", "new password (default: a one-time password, printed, to be changed at next login)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	if *email == "" {
		fmt.Fprintln(env.Stderr, "switchboard user set-password: --email is required")
		return ExitUsage
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	t, err := tenantFlag(tslug, a, env.Ctx)
	if err != nil {
		return fail(env, "user set-password", err)
	}
	u, err := a.Accounts.UserByEmail(env.Ctx, t.ID, *email)
	if err != nil {
		return fail(env, "user set-password", err)
	}
	password, generated, err := readPassword(env, *pw, *pwStdin)
	if err != nil {
		return fail(env, "user set-password", err)
	}
	if err := a.Accounts.SetPassword(env.Ctx, t.ID, u.ID, password, generated); err != nil {
		return fail(env, "user set-password", err)
	}
	if err := a.Auth.LogoutAll(env.Ctx, t.ID, u.ID, ""); err != nil {
		return fail(env, "user set-password", err)
	}
	fmt.Fprintf(env.Stdout, "password of %s changed; their sessions were signed out\n", u.Email)
	if generated {
		fmt.Fprintf(env.Stdout, "one-time password: %s\n", password)
	}
	return ExitOK
}

func tokenCreate(env Env, args []string) int {
	fs := flagSet(env, "token create", "token create --name NAME --scopes admin|write|read [--tenant SLUG] [flags]")
	name := fs.String("name", "", "what the token is for")
	scope := fs.String("scopes", "", "read, write or admin (each includes the ones before it)")
	tslug := fs.String("tenant", "", "tenant slug (default: the default tenant)")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	if *name == "" || *scope == "" {
		fmt.Fprintln(env.Stderr, "switchboard token create: --name and --scopes are required")
		return ExitUsage
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	t, err := tenantFlag(tslug, a, env.Ctx)
	if err != nil {
		return fail(env, "token create", err)
	}
	secret, _, err := a.Auth.CreateToken(env.Ctx, t.ID, *name, auth.Scope(*scope), "cli")
	if err != nil {
		return fail(env, "token create", err)
	}
	fmt.Fprintln(env.Stdout, secret)
	return ExitOK
}
