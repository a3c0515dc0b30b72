// Command switchboard is the whole Switchboard product in one binary: the
// server with its web UI, widget and migrations, and the administrative
// commands. Run "switchboard help".
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/switchboard-cs/switchboard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(cli.OSEnv(ctx), os.Args[1:])
	stop()
	os.Exit(code)
}
