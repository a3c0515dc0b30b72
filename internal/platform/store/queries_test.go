package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func TestLoadQueriesRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fs      fstest.MapFS
		wantErr string
	}{
		{"unscoped select", files("queries.sql", "-- name: All\nSELECT id FROM users;\n"), "All"},
		{"unscoped delete", files("queries.sql", "-- name: Wipe\nDELETE FROM contacts WHERE id = $2;\n"), "Wipe"},
		{"unscoped update", files("queries.sql", "-- name: Rename\nUPDATE teams SET name = $2 WHERE id = $3;\n"), "Rename"},
		{"tenant bound to another parameter", files("queries.sql", "-- name: Shifted\nSELECT id FROM users WHERE tenant_id = $2;\n"), "Shifted"},
		{"tenant compared, not bound", files("queries.sql", "-- name: Other\nSELECT id FROM users WHERE tenant_id <> $1;\n"), "Other"},
		{"joined table without its own tenant predicate", files("queries.sql",
			"-- name: Members\nSELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1;\n"), "Members"},
		{"subquery without its own tenant predicate", files("queries.sql",
			"-- name: Sub\nSELECT id FROM users WHERE tenant_id = $1 AND id IN (SELECT user_id FROM team_members);\n"), "Sub"},
		{"tenant query reading tenants", files("queries.sql", "-- name: T\nSELECT id FROM tenants WHERE tenant_id = $1;\n"), "tenants"},
		{"insert without the tenant first", files("queries.sql", "-- name: Ins\nINSERT INTO users (id, tenant_id) VALUES ($2, $1);\n"), "Ins"},
		{"no table and not global", files("queries.sql", "-- name: Now\nSELECT 1;\n"), "Now"},
		{"unscoped dialect override", files("queries.sql", "-- name: Q\nSELECT id FROM users WHERE tenant_id = $1;\n",
			"queries.postgres.sql", "-- name: Q\nSELECT id FROM users;\n"), "Q"},
		{"override of nothing", files("queries.sql", "-- name: Q\nSELECT id FROM users WHERE tenant_id = $1;\n",
			"queries.sqlite.sql", "-- name: Missing\nSELECT id FROM users WHERE tenant_id = $1;\n"), "Missing"},
		{"duplicate name", files("queries.sql", "-- name: Q\nSELECT id FROM users WHERE tenant_id = $1;\n-- name: Q\nSELECT 2 FROM users WHERE tenant_id = $1;\n"), "duplicate"},
		{"unexpected file", files("queries.sql", "-- name: Q\nSELECT id FROM users WHERE tenant_id = $1;\n", "extra.sql", ""), "extra.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.LoadQueries(tc.fs)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not name %q", err, tc.wantErr)
			}
			defer func() {
				if recover() == nil {
					t.Fatal("MustLoadQueries did not panic")
				}
			}()
			store.MustLoadQueries(tc.fs)
		})
	}
}

func TestLoadQueriesAccepts(t *testing.T) {
	qs, err := store.LoadQueries(files(
		"queries.sql", `-- A file comment before any query.

-- name: ByID
SELECT id FROM users WHERE tenant_id = $1 AND id = $2;

-- name: Members
SELECT u.id FROM team_members m JOIN users u ON u.tenant_id = $1 AND u.id = m.user_id
WHERE m.tenant_id = $1 AND m.team_id = $2;

-- name: Add
INSERT INTO users (tenant_id, id) VALUES ($1, $2);

-- name: Tenants
-- global
SELECT id FROM tenants ORDER BY id;

-- name: Purge
-- global
DELETE FROM sessions WHERE expires_at < $1;
`,
		"queries.postgres.sql", `-- name: ByID
SELECT id FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE;
`,
		"queries.sqlite.sql", `-- name: Tenants
SELECT id FROM tenants ORDER BY id LIMIT 1000;
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(qs.Names(), ","); got != "Add,ByID,Members,Purge,Tenants" {
		t.Fatalf("names %s", got)
	}
	for _, tc := range []struct {
		name    string
		global  bool
		dialect store.Dialect
		sql     string
	}{
		{"ByID", false, store.SQLite, "SELECT id FROM users WHERE tenant_id = $1 AND id = $2;"},
		{"ByID", false, store.Postgres, "SELECT id FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE;"},
		{"Tenants", true, store.Postgres, "SELECT id FROM tenants ORDER BY id;"},
		{"Tenants", true, store.SQLite, "SELECT id FROM tenants ORDER BY id LIMIT 1000;"},
		{"Purge", true, store.SQLite, "DELETE FROM sessions WHERE expires_at < $1;"},
		{"Add", false, store.Postgres, "INSERT INTO users (tenant_id, id) VALUES ($1, $2);"},
	} {
		q := qs.Get(tc.name)
		if q.Global != tc.global {
			t.Errorf("%s: global = %v", tc.name, q.Global)
		}
		if got := q.SQL(tc.dialect); got != tc.sql {
			t.Errorf("%s (%s) = %q, want %q", tc.name, tc.dialect, got, tc.sql)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Get of an unknown name did not panic")
		}
	}()
	qs.Get("Nope")
}

// A global scope (no tenant) must refuse tenant statements before they reach
// the database: nothing is read or written.
func TestGlobalScopeRefusesTenantQueries(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	qs := store.MustLoadQueries(files("queries.sql", `-- name: Setup
-- global
CREATE TABLE notes (tenant_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL);

-- name: Add
INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, $3);

-- name: Count
SELECT count(*) FROM notes WHERE tenant_id = $1;

-- name: All
-- global
SELECT count(*) FROM notes;
`))
	g := db.Global()
	if g.TenantID() != "" {
		t.Fatalf("global scope has tenant %q", g.TenantID())
	}
	if _, err := g.Exec(ctx, qs.Get("Setup")); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Exec(ctx, qs.Get("Add"), "n1", "written without a tenant"); err == nil {
		t.Fatal("a global scope ran a tenant insert")
	}
	if err := g.ExecOne(ctx, qs.Get("Add"), "n1", "x"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ExecOne: %v, want a scope error", err)
	}
	var n int
	if err := g.QueryRow(ctx, qs.Get("Count")).Scan(&n); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("QueryRow: %v, want a scope error", err)
	}
	if _, err := g.Query(ctx, qs.Get("Count")); err == nil {
		t.Fatal("Query of a tenant statement in a global scope ran")
	}
	if err := g.Tx(ctx, func(tx store.Scope) error {
		_, err := tx.Exec(ctx, qs.Get("Add"), "n2", "in a transaction")
		return err
	}); err == nil {
		t.Fatal("a global transaction ran a tenant insert")
	}
	if err := g.QueryRow(ctx, qs.Get("All")).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows written through the global scope: %d (%v)", n, err)
	}

	// The same statements in a tenant scope bind the tenant as $1.
	ta, tb := db.Tenant("tenant-a"), db.Tenant("tenant-b")
	if _, err := ta.Exec(ctx, qs.Get("Add"), "n1", "a's note"); err != nil {
		t.Fatal(err)
	}
	if err := tb.QueryRow(ctx, qs.Get("Count")).Scan(&n); err != nil || n != 0 {
		t.Fatalf("tenant b counts %d notes (%v)", n, err)
	}
	if err := ta.QueryRow(ctx, qs.Get("Count")).Scan(&n); err != nil || n != 1 {
		t.Fatalf("tenant a counts %d notes (%v)", n, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a scope with an empty tenant id was made")
		}
	}()
	db.Tenant("")
}
