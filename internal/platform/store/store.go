// Package store is the storage layer: one API over SQLite (embedded, the
// default) and PostgreSQL (for clusters).
//
// Domain packages own their SQL as named queries (see MustLoadQueries) and run
// them through a Scope, which binds the tenant id as $1 of every statement. The
// raw connection pools never leave this package, so a query that forgets its
// tenant cannot be written by accident: it would not load.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Errors every store method maps driver errors to.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: conflict with an existing row")
)

// DB is an open database: a writer and a reader pool (the same pool on PostgreSQL).
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	where   string // a description without secrets, for logs
	stmts   atomic.Pointer[map[*Query]*preparedStmt]
}

// Options tune the pools; zero values pick sensible defaults.
type Options struct {
	MaxOpenConns int // PostgreSQL pool size and SQLite reader pool size
}

// Open connects to the database named by dsn: a "postgres://" or
// "postgresql://" URL selects PostgreSQL, anything else is a SQLite file path
// (optionally prefixed with "sqlite:" or "file:").
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 10
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(dsn, opts)
	} else {
		db, err = openSQLite(dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: cannot reach %s: %w", db.where, err)
	}
	return db, nil
}

func openPostgres(dsn string, opts Options) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: bad PostgreSQL URL: %w", err)
	}
	p.SetMaxOpenConns(opts.MaxOpenConns)
	p.SetMaxIdleConns(opts.MaxOpenConns)
	p.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{dialect: Postgres, write: p, read: p, where: RedactURL(dsn)}, nil
}

func openSQLite(dsn string, opts Options) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: cannot create %s: %w", dir, err)
		}
	}
	// busy_timeout comes before journal_mode so that switching to WAL waits
	// for another process (an admin command beside a running server).
	// synchronous=FULL: an acknowledged commit survives a power loss.
	params := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
	u := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params
	w, err := sql.Open("sqlite", u)
	if err != nil {
		return nil, err
	}
	// One writer: SQLite allows one at a time, and queueing writers in Go
	// rather than in busy loops is what avoids "database is locked".
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", u+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(opts.MaxOpenConns)
	r.SetMaxIdleConns(2)
	r.SetConnMaxIdleTime(time.Minute)
	return &DB{dialect: SQLite, write: w, read: r, where: path}, nil
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// String describes the database without secrets.
func (db *DB) String() string { return string(db.dialect) + " " + db.where }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	if db.read != db.write {
		return db.read.PingContext(ctx)
	}
	return nil
}

// Close closes the pools; on SQLite it also checkpoints the WAL.
func (db *DB) Close() error {
	if m := db.stmts.Swap(nil); m != nil {
		for _, p := range *m {
			p.write.Close()
			p.read.Close()
		}
	}
	if db.dialect == SQLite {
		_, _ = db.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Stats returns the pool statistics (writer, reader) for metrics.
func (db *DB) Stats() (write, read sql.DBStats) {
	return db.write.Stats(), db.read.Stats()
}

// RedactURL hides the password of a database URL.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// mapErr turns driver errors into ErrNotFound / ErrConflict.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "23505" || pg.Code == "23503") {
		return fmt.Errorf("%w: %s", ErrConflict, pg.ConstraintName)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
			sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %s", ErrConflict, se.Error())
		}
	}
	return err
}
