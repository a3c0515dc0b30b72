package storecontract

import (
	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/bench/routebench"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/notification"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
	"github.com/switchboard-cs/switchboard/internal/routing"
	"github.com/switchboard-cs/switchboard/internal/tenant"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// globalQueries lists every statement allowed to run without a tenant, and
// why. A new global query must be added here, so that it is reviewed.
var globalQueries = map[string]string{
	"tenant.CreateTenant":             "tenants are not tenant data",
	"tenant.TenantBySlug":             "tenants are not tenant data",
	"tenant.TenantByID":               "tenants are not tenant data",
	"tenant.ListTenants":              "tenants are not tenant data",
	"account.LoginCandidates":         "login looks an address up across tenants",
	"account.AnyAdmin":                "first run asks whether any tenant has an administrator",
	"auth.SessionByToken":             "a session cookie names its tenant only once found",
	"auth.PurgeSessions":              "housekeeping of every tenant's expired sessions",
	"auth.TokenByHash":                "a bearer token names its tenant only once found",
	"auth.ThrottleGet":                "login throttle counters are keyed by account or address hash",
	"auth.ThrottlePut":                "login throttle counters",
	"auth.ThrottleReset":              "login throttle counters",
	"auth.ThrottlePurge":              "login throttle counters",
	"conversation.StaleOutbox":        "the outbox sweeper republishes every tenant's events left by a crash",
	"conversation.DeleteOutboxGlobal": "the outbox sweeper removes what it republished",
	"channel.ChannelByKey":            "a widget names its channel by public key; the tenant is known once found",
	"channel.PutSecret":               "server secrets are not tenant data",
	"channel.GetSecret":               "server secrets are not tenant data",
	"routing.TenantsOnline":           "the presence sweep finds tenants with online agents to make the disconnected ones away",
	"routing.TenantsWaiting":          "the dispatcher's tick finds tenants with waiting conversations",
	"kb.PlanFresh":                    "a planner setting for the import's own transaction (SET LOCAL); reads no rows",
	"routebench.DeleteTenant":         "the routing load tool removes the bench tenant it created (slug bench-routing-…), with everything in it",
	"routebench.Analyze":              "the routing load tool refreshes the planner's statistics after its bulk set-up on PostgreSQL (reads no rows for itself)",
}

var (
	// every table a statement reads or writes
	tableRef = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_]+)`)
	// a predicate that binds the tenant, optionally through a table alias
	tenantBound = regexp.MustCompile(`(?i)(?:\b[a-z_]+\.)?\btenant_id\s*=\s*\$1\b`)
	// an insert whose first column is tenant_id and first value $1
	tenantInsert = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+[a-z_]+\s*\(\s*tenant_id\s*,.*?\)\s*VALUES\s*\(\s*\$1\s*,`)
)

// TestEveryTenantQueryIsScoped reads the statements of every domain package,
// in every dialect, and checks that each one not marked global binds
// tenant_id = $1 for each table it touches, never touches the tenants table,
// and that the global ones are exactly the reviewed list above.
func TestEveryTenantQueryIsScoped(t *testing.T) {
	packages := map[string]*store.Queries{
		"tenant":       tenant.Queries(),
		"account":      account.Queries(),
		"auth":         auth.Queries(),
		"contact":      contact.Queries(),
		"conversation": conversation.Queries(),
		"channel":      channel.Queries(),
		"kb":           kb.Queries(),
		"assistant":    assistant.Queries(),
		"routing":      routing.Queries(),
		"notification": notification.Queries(),
		"csat":         csat.Queries(),
		"workspace":    workspace.Queries(),
		"quickreply":   quickreply.Queries(),
		"routebench":   routebench.Queries(),
	}
	var globals []string
	scoped := 0
	for pkg, qs := range packages {
		names := qs.Names()
		if len(names) == 0 {
			t.Errorf("package %s has no queries", pkg)
		}
		for _, name := range names {
			q := qs.Get(name)
			full := pkg + "." + name
			if q.Global {
				globals = append(globals, full)
				continue
			}
			scoped++
			for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
				t.Run(full+"/"+string(d), func(t *testing.T) {
					sql := q.SQL(d)
					if sql == "" {
						t.Fatal("no statement")
					}
					tables := tableRef.FindAllStringSubmatch(sql, -1)
					if len(tables) == 0 {
						t.Fatalf("touches no table:\n%s", sql)
					}
					for _, m := range tables {
						if strings.EqualFold(m[1], "tenants") {
							t.Fatalf("a tenant query touches the tenants table:\n%s", sql)
						}
					}
					if tenantInsert.MatchString(sql) {
						return
					}
					if n := len(tenantBound.FindAllString(sql, -1)); n < len(tables) {
						t.Fatalf("touches %d table(s) but binds tenant_id = $1 %d time(s):\n%s", len(tables), n, sql)
					}
				})
			}
		}
	}
	if scoped == 0 {
		t.Fatal("no tenant-scoped query found")
	}
	slices.Sort(globals)
	var reviewed []string
	for name := range globalQueries {
		reviewed = append(reviewed, name)
	}
	slices.Sort(reviewed)
	if !slices.Equal(globals, reviewed) {
		t.Fatalf("global queries are %v\nreviewed list is %v\na global query reads every tenant's rows: review it and add it to globalQueries", globals, reviewed)
	}
}
