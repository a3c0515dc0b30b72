// Package storetest opens fresh, migrated databases for tests: always a
// SQLite file, and a PostgreSQL database when SWITCHBOARD_TEST_POSTGRES
// names a server (a URL such as postgres://postgres@127.0.0.1:5432/postgres).
// Under CI=true a missing PostgreSQL is a failure, never a silent skip.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test databases

	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// PostgresEnv names the environment variable with the test server's URL.
const PostgresEnv = "SWITCHBOARD_TEST_POSTGRES"

// Engine is one database engine a test runs on.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.DB
	// URL returns a fresh database URL (a file path for SQLite) without
	// opening it, for tests that start the whole server.
	URL func(t testing.TB) string
}

// Engines returns SQLite, and PostgreSQL when configured.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", Open: OpenSQLite, URL: SQLiteURL}}
	if PostgresURL() != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres, URL: FreshPostgres})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: the store tests must run on PostgreSQL in CI", PostgresEnv)
	}
	return es
}

// PostgresURL is the configured test server, or "".
func PostgresURL() string { return os.Getenv(PostgresEnv) }

// SQLiteURL returns the path of a new SQLite database in the test's temp dir.
func SQLiteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "switchboard.db")
}

// OpenSQLite opens and migrates a new SQLite database.
func OpenSQLite(t testing.TB) *store.DB {
	return openMigrated(t, SQLiteURL(t))
}

// OpenPostgres creates, opens and migrates a new PostgreSQL database, dropped
// when the test ends.
func OpenPostgres(t testing.TB) *store.DB {
	return openMigrated(t, FreshPostgres(t))
}

// FreshPostgres creates an empty database on the test server and returns its
// URL; the database is dropped when the test ends.
func FreshPostgres(t testing.TB) string {
	base := PostgresURL()
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	name := "sbtest_" + strings.ReplaceAll(id.New()[24:], "-", "") + fmt.Sprint(time.Now().UnixNano()%100000)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func openMigrated(t testing.TB, dsn string) *store.DB {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
