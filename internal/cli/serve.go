package cli

import (
	"fmt"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
)

func serve(env Env, args []string) int {
	fs := flagSet(env, "serve", "serve [flags]")
	load := config.Flags(fs)
	cfg, code := parse(env, fs, load, args)
	if code >= 0 {
		return code
	}
	log := logger(cfg, env.Stderr)
	a, err := app.New(env.Ctx, cfg, log, env.Stdout)
	if err != nil {
		fmt.Fprintf(env.Stderr, "switchboard serve: %s\n", describe(err))
		return ExitError
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()
	err = a.Run(env.Ctx, func(addr string) {
		scheme := "http"
		if cfg.TLSCert != "" {
			scheme = "https"
		}
		url := cfg.PublicURL
		if url == "" {
			url = scheme + "://" + addr
		}
		url = strings.TrimSuffix(url, "/") + "/"
		log.Info("listening", "addr", addr, "database", a.DB.String(), "bus", cfg.Bus)
		fmt.Fprintf(env.Stdout, "Switchboard is ready at %s\n", url)
		if cfg.Demo {
			fmt.Fprintf(env.Stdout, "Demo: sign in at %slogin\n", url)
			fmt.Fprintf(env.Stdout, "Demo shop with the chat widget: %sdemo\n", url)
		}
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "switchboard serve: %v\n", err)
		return ExitError
	}
	log.Info("stopped cleanly")
	return ExitOK
}
