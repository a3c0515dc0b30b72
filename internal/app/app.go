// Package app is the composition root: it builds every service from the
// configuration, serves HTTP, and shuts down in order.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/httpapi"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/live"
	"github.com/switchboard-cs/switchboard/internal/notification"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/metrics"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
	"github.com/switchboard-cs/switchboard/internal/routing"
	"github.com/switchboard-cs/switchboard/internal/tenant"
	"github.com/switchboard-cs/switchboard/internal/web"
	"github.com/switchboard-cs/switchboard/internal/widget"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// Version is the product version, set at build time with
// -ldflags "-X github.com/switchboard-cs/switchboard/internal/app.Version=…".
var Version = "dev"

// ShutdownTimeout bounds how long in-flight requests may finish after SIGTERM.
const ShutdownTimeout = 10 * time.Second

// App is a running Switchboard.
type App struct {
	Cfg           config.Config
	DB            *store.DB
	Log           *slog.Logger
	Tenants       *tenant.Service
	Accounts      *account.Service
	Auth          *auth.Service
	Contacts      *contact.Service
	Conversations *conversation.Service
	Channels      *channel.Service
	Attachments   *attachment.Service
	KB            *kb.Service
	Bot           *assistant.Bot  // nil in administrative commands
	Router        *routing.Router // nil in administrative commands
	QuickReplies  *quickreply.Service
	Workspace     *workspace.Service
	CSAT          *csat.Service
	Notifications *notification.Service
	Hub           *live.Hub
	API           *httpapi.API
	Metrics       *metrics.Metrics
	Bus           bus.Bus
	handler       http.Handler
	demoKey       string // the demo tenant's website channel, with --demo
}

// Open connects to the database, applies migrations and builds the services,
// without serving anything: what administrative commands need.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL(), store.Options{})
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("database migrated", "db", db.String(), "versions", applied)
	}
	a := &App{Cfg: cfg, DB: db, Log: log}
	a.Tenants = tenant.New(db)
	a.Accounts = account.New(db)
	a.Auth = auth.New(auth.Options{DB: db, Accounts: a.Accounts, Tenants: a.Tenants,
		IdleTimeout: cfg.SessionIdle, MaxLifetime: cfg.SessionMax})
	a.Contacts = contact.New(db)
	a.Conversations = conversation.New(conversation.Options{DB: db, Directory: Directory{a.Accounts, a.Contacts}, Log: log})
	a.Channels = channel.New(db)
	a.Attachments = attachment.New(db)
	a.QuickReplies = quickreply.New(db)
	a.Workspace = workspace.New(db)
	a.CSAT = csat.New(db)
	a.Notifications = notification.New(db)
	a.KB = kb.New(kb.Options{DB: db, Log: log, OnPublishedChange: func(tenantID string) {
		if a.Bot != nil {
			a.Bot.Changed(tenantID)
		}
	}})
	return a, nil
}

// New is Open plus everything serving needs: first-run set-up, demo data,
// the HTTP handler. out receives what a person starting the server must read
// (the first administrator's one-time password).
func New(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) (*App, error) {
	a, err := Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if a.Bus, err = bus.Open(cfg.Bus, "switchboard "+cfg.Addr); err != nil {
		a.Close()
		return nil, err
	}
	a.Conversations.SetPublisher(a.Bus, cfg.Bus != "memory")
	cat, err := i18n.Load()
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Bot = assistant.New(assistant.Options{DB: a.DB, Conversations: a.Conversations, Knowledge: a.KB, Channels: a.Channels,
		Catalog: cat, Bus: a.Bus, Log: log})
	if err := a.Bot.Start(); err != nil {
		a.Close()
		return nil, err
	}
	a.Router = routing.New(routing.Options{DB: a.DB, Conversations: a.Conversations, Bus: a.Bus, Log: log,
		Intents: a.intents, Connected: a.connectedAgents,
		OnQueueChange: func(tenantID string) { _ = live.PublishQueueChanged(context.Background(), a.Bus, tenantID) },
		OnAgentStatus: func(tenantID string, ag routing.Agent) {
			_ = live.PublishAgentEvent(context.Background(), a.Bus, tenantID, "", live.TypeAgentStatus, ag)
		}})
	if err := a.Router.Start(); err != nil {
		a.Close()
		return nil, err
	}
	a.Conversations.SetOwners(a.Bot.Owner)
	a.Notifications.Start(notification.Options{Log: log, Publish: func(ctx context.Context, tenantID, userID string, n notification.Notification) error {
		return live.PublishAgentEvent(ctx, a.Bus, tenantID, userID, live.TypeNotification, n)
	}})
	// Every stored message goes to the bot and to the notifier (@mentions in notes).
	a.Conversations.SetObserver(func(tenantID string, st conversation.Stored) {
		a.Bot.Observe(tenantID, st)
		a.Notifications.Observe(tenantID, st)
	})
	if err := a.firstRun(ctx, out); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Demo {
		if err := a.seedDemo(ctx, out); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.Metrics = metrics.New(a.DB.Stats)
	a.API = httpapi.New(httpapi.Options{Tenants: a.Tenants, Accounts: a.Accounts, Auth: a.Auth, Contacts: a.Contacts,
		Conversations: a.Conversations, Catalog: cat, Log: log, MaxBodyBytes: cfg.MaxBodyBytes,
		SecureCookies: cfg.SecureCookies(), PublicURL: cfg.PublicURL, Version: Version,
		Channels: a.Channels, Attachments: a.Attachments, KB: a.KB, Bot: a.Bot,
		Router: a.Router, QuickReplies: a.QuickReplies, Workspace: a.Workspace, CSAT: a.CSAT, Notifications: a.Notifications})
	a.Hub, err = live.New(live.Options{Bus: a.Bus, Conversations: a.Conversations, Channels: a.Channels, Contacts: a.Contacts,
		Users: a.Accounts, Auth: a.API, Attachments: a.Attachments, Ratings: a.Bot, CSAT: a.CSAT, Catalog: cat, Log: log,
		Queue: a.Router, OnAgentConnect: a.Router.AgentConnected})
	if err != nil {
		a.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	a.API.Register(mux)
	widget.New(widget.Options{Channels: a.Channels, Attachments: a.Attachments, Catalog: cat, Log: log,
		DemoChannelKey: a.demoChannelKey}).Register(mux)
	mux.HandleFunc("GET /ws/visitor", a.Hub.ServeVisitor)
	mux.HandleFunc("GET /ws/agent", a.Hub.ServeAgent)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.Metrics.Handler())
	web.New(web.Options{API: a.API, Accounts: a.Accounts, Auth: a.Auth, Tenants: a.Tenants, Channels: a.Channels, Catalog: cat, Log: log,
		Demo: cfg.Demo}).Register(mux)
	a.handler = a.API.Middleware(mux, a.Metrics)
	return a, nil
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "database unreachable\n")
		return
	}
	applied, latest, err := a.DB.Version(ctx)
	if err != nil || applied != latest {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "database schema at version %d, this build needs %d\n", applied, latest)
		return
	}
	if a.Bus != nil {
		if err := a.Bus.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
	}
	_, _ = io.WriteString(w, "ready\n")
}

// Run serves until ctx is cancelled (SIGTERM), then stops accepting, lets
// in-flight requests finish for up to ShutdownTimeout, and closes the
// database. ready, if not nil, receives the listening address.
func (a *App) Run(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if a.Cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(a.Cfg.TLSCert, a.Cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go a.housekeeping(bg)
	go a.Conversations.RunSweeper(bg, 2*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests", "timeout", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	// WebSocket clients are told to reconnect elsewhere first (the HTTP
	// server does not track hijacked connections), then HTTP drains.
	a.Hub.Shutdown(sctx)
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		a.Log.Warn("shutdown timeout: closing remaining connections")
		err = srv.Close()
	}
	return err
}

// housekeeping purges expired sessions and login counters now and then.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Auth.Purge(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("purge sessions", "err", err)
			}
		}
	}
}

// Close closes the bus and the database cleanly.
func (a *App) Close() error {
	if a.Hub != nil {
		a.Hub.Shutdown(context.Background())
	}
	if a.Router != nil {
		a.Router.Stop()
	}
	if a.Bot != nil {
		a.Bot.Stop() // its answers go through the committer: stop it first
	}
	a.Conversations.Shutdown()
	a.Notifications.Stop() // after the committer: it finishes the notes already queued
	var err error
	if a.Bus != nil {
		err = a.Bus.Close()
	}
	return errors.Join(err, a.DB.Close())
}

// Directory answers the conversation service's existence checks from the
// accounts and contacts (also for tools and tests that build the
// conversation service themselves).
type Directory struct {
	Accounts *account.Service
	Contacts *contact.Service
}

func (d Directory) ContactExists(ctx context.Context, tenantID, id string) error {
	_, err := d.Contacts.Get(ctx, tenantID, id)
	return err
}

func (d Directory) UserExists(ctx context.Context, tenantID, id string) error {
	_, err := d.Accounts.GetUser(ctx, tenantID, id)
	return err
}

func (d Directory) TeamExists(ctx context.Context, tenantID, id string) error {
	_, err := d.Accounts.GetTeam(ctx, tenantID, id)
	return err
}
