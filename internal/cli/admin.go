package cli

import (
	"bufio"
	"context"
	"flag"
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

// adminCmd is an administrative command: its own flags beside the database
// flags, the ones that must be given, and what it does with the opened
// database (and the tenant --tenant names, when it takes one).
type adminCmd struct {
	name, synopsis string
	flags          func(fs *flag.FlagSet) // registers the command's own flags
	required       []string               // flags that must not be empty
	tenant         bool                   // takes --tenant (default: the default tenant)
	run            func(env Env, a *app.App, t tenant.Tenant) error
}

func (c adminCmd) main(env Env, args []string) int {
	fs := flagSet(env, c.name, c.synopsis)
	if c.flags != nil {
		c.flags(fs)
	}
	var slug *string
	if c.tenant {
		slug = fs.String("tenant", "", "tenant slug (default: the default tenant)")
	}
	cfg, code := parse(env, fs, config.Flags(fs), args)
	if code >= 0 {
		return code
	}
	var missing []string
	for _, n := range c.required {
		if fs.Lookup(n).Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		fmt.Fprintf(env.Stderr, "switchboard %s: %s %s required\n", c.name, strings.Join(missing, " and "), verb)
		return ExitUsage
	}
	a, code := openApp(env, cfg)
	if code >= 0 {
		return code
	}
	defer a.Close()
	var t tenant.Tenant
	if c.tenant {
		var err error
		if t, err = tenantFlag(slug, a, env.Ctx); err != nil {
			return fail(env, c.name, err)
		}
	}
	if err := c.run(env, a, t); err != nil {
		return fail(env, c.name, err)
	}
	return ExitOK
}

func tenantCreate(env Env, args []string) int {
	var slug, name *string
	return adminCmd{name: "tenant create", synopsis: "tenant create --slug SLUG [--name NAME] [flags]",
		flags: func(fs *flag.FlagSet) {
			slug = fs.String("slug", "", "short name of the tenant (lower-case letters, digits, dashes)")
			name = fs.String("name", "", "display name")
		},
		required: []string{"slug"},
		run: func(env Env, a *app.App, _ tenant.Tenant) error {
			t, err := a.Tenants.Create(env.Ctx, *slug, *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\n", t.ID, t.Slug, t.Name)
			return nil
		},
	}.main(env, args)
}

func tenantList(env Env, args []string) int {
	return adminCmd{name: "tenant list", synopsis: "tenant list [flags]",
		run: func(env Env, a *app.App, _ tenant.Tenant) error {
			ts, err := a.Tenants.List(env.Ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSLUG\tNAME\tCREATED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Slug, t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}.main(env, args)
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
	var email, name, role, pw *string
	var pwStdin *bool
	return adminCmd{name: "user create",
		synopsis: "user create --email EMAIL --name NAME [--role agent|supervisor|admin] [--tenant SLUG] [flags]",
		flags: func(fs *flag.FlagSet) {
			email = fs.String("email", "", "e-mail address (the login)")
			name = fs.String("name", "", "display name")
			role = fs.String("role", "agent", "admin, supervisor or agent")
			pw = fs.String("password", "", "password (default: a one-time password, printed, to be changed at first login)")
			pwStdin = fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		},
		required: []string{"email", "name"},
		tenant:   true,
		run: func(env Env, a *app.App, t tenant.Tenant) error {
			password, generated, err := readPassword(env, *pw, *pwStdin)
			if err != nil {
				return err
			}
			u, err := a.Accounts.CreateUser(env.Ctx, t.ID, account.NewUser{Email: *email, Name: *name, Role: account.Role(*role),
				Password: password, MustChangePassword: generated})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "created user %s (%s, %s) in tenant %s\n", u.Email, u.Name, u.Role, t.Slug)
			if generated {
				fmt.Fprintf(env.Stdout, "one-time password: %s\n", password)
			}
			return nil
		},
	}.main(env, args)
}

func userList(env Env, args []string) int {
	return adminCmd{name: "user list", synopsis: "user list [--tenant SLUG] [flags]", tenant: true,
		run: func(env Env, a *app.App, t tenant.Tenant) error {
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATE")
			p := store.Page{Limit: store.MaxPageSize}
			for {
				users, next, err := a.Accounts.ListUsers(env.Ctx, t.ID, p)
				if err != nil {
					return err
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
			return tw.Flush()
		},
	}.main(env, args)
}

func userSetPassword(env Env, args []string) int {
	var email, pw *string
	var pwStdin *bool
	return adminCmd{name: "user set-password",
		synopsis: "user set-password --email EMAIL [--password P | --password-stdin] [--tenant SLUG] [flags]",
		flags: func(fs *flag.FlagSet) {
			email = fs.String("email", "", "the user's e-mail address")
			pw = fs.String("password", "", "new password (default: a one-time password, printed, to be changed at next login)")
			pwStdin = fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		},
		required: []string{"email"},
		tenant:   true,
		run: func(env Env, a *app.App, t tenant.Tenant) error {
			u, err := a.Accounts.UserByEmail(env.Ctx, t.ID, *email)
			if err != nil {
				return err
			}
			password, generated, err := readPassword(env, *pw, *pwStdin)
			if err != nil {
				return err
			}
			if err := a.Accounts.SetPassword(env.Ctx, t.ID, u.ID, password, generated); err != nil {
				return err
			}
			if err := a.Auth.LogoutAll(env.Ctx, t.ID, u.ID, ""); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "password of %s changed; their sessions were signed out\n", u.Email)
			if generated {
				fmt.Fprintf(env.Stdout, "one-time password: %s\n", password)
			}
			return nil
		},
	}.main(env, args)
}

func tokenCreate(env Env, args []string) int {
	var name, scope *string
	return adminCmd{name: "token create", synopsis: "token create --name NAME --scopes admin|write|read [--tenant SLUG] [flags]",
		flags: func(fs *flag.FlagSet) {
			name = fs.String("name", "", "what the token is for")
			scope = fs.String("scopes", "", "read, write or admin (each includes the ones before it)")
		},
		required: []string{"name", "scopes"},
		tenant:   true,
		run: func(env Env, a *app.App, t tenant.Tenant) error {
			secret, _, err := a.Auth.CreateToken(env.Ctx, t.ID, *name, auth.Scope(*scope), "cli")
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, secret)
			return nil
		},
	}.main(env, args)
}
