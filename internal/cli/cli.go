// Package cli is the switchboard command line: serve, migrate, tenant,
// user, token, config and version. Every administrative command takes the
// same database flags as serve and works beside a running server.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad flags, arguments or configuration
)

// Env is what a command runs with; tests replace every part of it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) (string, bool)
	// Ctx is cancelled on SIGINT/SIGTERM.
	Ctx context.Context
}

type command struct {
	name    string
	summary string
	run     func(env Env, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "run the server (web UI, API, widget)", serve},
		{"migrate", "apply pending database migrations and exit", migrate},
		{"tenant", "manage tenants: create, list", tenantCmd},
		{"user", "manage users: create, list, set-password", userCmd},
		{"token", "manage API tokens: create", tokenCmd},
		{"config", "print the effective configuration (secrets hidden)", configCmd},
		{"bench", "load tests: chat (a running server), routing (the router)", benchCmd},
		{"bot", "check the bot's models offline: eval-sentiment", botCmd},
		{"version", "print the version", version},
	}
}

// Main runs the command line and returns the exit code.
func Main(env Env, args []string) int {
	if len(args) == 0 {
		usage(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "switchboard: unknown command %q\n\n", name)
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Switchboard — intelligent customer service platform\n\nUsage: switchboard <command> [flags]\n\nCommands:")
	cs := commands()
	sort.SliceStable(cs, func(i, j int) bool { return false })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'switchboard <command> --help' for the flags of a command.")
}

// flagSet makes a flag set that reports errors instead of exiting.
func flagSet(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: switchboard %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	// Declared, so that the flag package does not print the usage to
	// stderr itself before returning ErrHelp: help goes once, to stdout.
	help := fs.Bool("help", false, "show this help")
	fs.BoolVar(help, "h", false, "show this help")
	return fs
}

// helpAsked reports whether -h or -help was given, and then prints the usage
// to stdout.
func helpAsked(env Env, fs *flag.FlagSet) bool {
	if f := fs.Lookup("help"); f == nil || f.Value.String() != "true" {
		return false
	}
	fs.SetOutput(env.Stdout)
	fs.Usage()
	return true
}

// parseFlags parses a command's flags, none of which may be followed by an
// argument. It returns a non-negative exit code when the command must stop:
// help asked (printed to standard output), or a usage error (reported).
func parseFlags(env Env, fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return ExitOK
		}
		return ExitUsage
	}
	if helpAsked(env, fs) {
		return ExitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "switchboard %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ExitUsage
	}
	return -1
}

// parse parses flags and loads the configuration. It returns a non-negative
// exit code when the command must stop (help asked, or an error).
func parse(env Env, fs *flag.FlagSet, load func(func(string) (string, bool)) (config.Config, error), args []string) (config.Config, int) {
	if code := parseFlags(env, fs, args); code >= 0 {
		return config.Config{}, code
	}
	cfg, err := load(env.Getenv)
	if err != nil {
		fmt.Fprintf(env.Stderr, "switchboard %s: configuration: %v\n", fs.Name(), err)
		return cfg, ExitUsage
	}
	return cfg, -1
}

// logger builds the process logger from the configuration.
func logger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// quietLogger is for administrative commands: warnings and errors only.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openApp opens the database for an administrative command.
func openApp(env Env, cfg config.Config) (*app.App, int) {
	a, err := app.Open(env.Ctx, cfg, quietLogger(env.Stderr))
	if err != nil {
		fmt.Fprintf(env.Stderr, "switchboard: %v\n", err)
		return nil, ExitError
	}
	return a, -1
}

func fail(env Env, cmd string, err error) int {
	fmt.Fprintf(env.Stderr, "switchboard %s: %s\n", cmd, describe(err))
	return ExitError
}

// OSEnv is the environment of the real process.
func OSEnv(ctx context.Context) Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, Ctx: ctx}
}

func version(env Env, args []string) int {
	fs := flagSet(env, "version", "version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if helpAsked(env, fs) {
		return ExitOK
	}
	fmt.Fprintf(env.Stdout, "switchboard %s\n", app.Version)
	return ExitOK
}

func configCmd(env Env, args []string) int {
	fs := flagSet(env, "config", "config [flags]")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	fmt.Fprint(env.Stdout, cfg.Print())
	return ExitOK
}

func migrate(env Env, args []string) int {
	fs := flagSet(env, "migrate", "migrate [flags]")
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
	applied, latest, err := a.DB.Version(env.Ctx)
	if err != nil {
		return fail(env, "migrate", err)
	}
	fmt.Fprintf(env.Stdout, "database %s is at schema version %d of %d\n", a.DB, applied, latest)
	return ExitOK
}

func describe(err error) string {
	s := err.Error()
	if e, ok := appErr(err); ok {
		s = e
	}
	return strings.TrimSpace(s)
}
