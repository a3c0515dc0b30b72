package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Scope runs named queries on behalf of one tenant, inside or outside a
// transaction. The tenant id is always bound as $1 of a scoped query; a
// global scope (no tenant) may run only queries marked "-- global".
type Scope struct {
	db     *DB
	tx     *sql.Tx
	tenant string
}

// Tenant returns the scope of one tenant. An empty id is a programming error.
func (db *DB) Tenant(id string) Scope {
	if id == "" {
		panic("store: empty tenant id")
	}
	return Scope{db: db, tenant: id}
}

// Global returns a scope for queries that are not tenant data (tenants
// themselves, login look-ups by e-mail across tenants).
func (db *DB) Global() Scope { return Scope{db: db} }

// ForTenant returns the scope of another tenant that shares this scope's
// transaction, for work that spans tenants in one commit (a group commit of
// messages from many tenants). The tenant is still bound to every query.
func (s Scope) ForTenant(id string) Scope {
	if id == "" {
		panic("store: empty tenant id")
	}
	s.tenant = id
	return s
}

// TenantID is the scope's tenant ("" for the global scope).
func (s Scope) TenantID() string { return s.tenant }

// Dialect reports the engine.
func (s Scope) Dialect() Dialect { return s.db.dialect }

// InTx reports whether the scope runs inside a transaction.
func (s Scope) InTx() bool { return s.tx != nil }

var errScope = errors.New("store: a tenant query needs a tenant scope")

func (s Scope) args(q *Query, args []any) ([]any, error) {
	if q.Global {
		return args, nil
	}
	if s.tenant == "" {
		return nil, fmt.Errorf("%w (%s)", errScope, q.Name)
	}
	return append([]any{s.tenant}, args...), nil
}

type querier interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// runner runs one statement: a prepared one (*sql.Stmt has these methods),
// or the SQL text on a pool or transaction.
type runner interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

type plain struct {
	q    querier
	text string
}

func (p plain) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return p.q.ExecContext(ctx, p.text, args...)
}

func (p plain) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return p.q.QueryContext(ctx, p.text, args...)
}

func (p plain) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return p.q.QueryRowContext(ctx, p.text, args...)
}

// run picks how q runs: inside the transaction, on the writer, or on the
// reader pool; prepared once when the database has it prepared (SQLite).
func (s Scope) run(ctx context.Context, q *Query) runner {
	if ps := s.db.prepared(q); ps != nil {
		switch {
		case s.tx != nil:
			return s.tx.StmtContext(ctx, ps.write)
		case q.write:
			return ps.write
		default:
			return ps.read
		}
	}
	var on querier
	switch {
	case s.tx != nil:
		on = s.tx
	case q.write:
		on = s.db.write
	default:
		on = s.db.read
	}
	return plain{q: on, text: q.SQL(s.db.dialect)}
}

// Row is the result of QueryRow; Scan maps "no rows" to ErrNotFound.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the columns into dest.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return mapErr(r.row.Scan(dest...))
}

// Rows is the result of Query.
type Rows struct {
	*sql.Rows
}

// Err maps driver errors like every other store method.
func (r *Rows) Err() error { return mapErr(r.Rows.Err()) }

// QueryRow runs a query expected to return one row (also INSERT … RETURNING).
func (s Scope) QueryRow(ctx context.Context, q *Query, args ...any) *Row {
	a, err := s.args(q, args)
	if err != nil {
		return &Row{err: err}
	}
	return &Row{row: s.run(ctx, q).QueryRowContext(ctx, a...)}
}

// Query runs a query returning rows.
func (s Scope) Query(ctx context.Context, q *Query, args ...any) (*Rows, error) {
	a, err := s.args(q, args)
	if err != nil {
		return nil, err
	}
	rows, err := s.run(ctx, q).QueryContext(ctx, a...)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Rows{rows}, nil
}

// Exec runs a statement and returns the number of rows it changed.
func (s Scope) Exec(ctx context.Context, q *Query, args ...any) (int64, error) {
	a, err := s.args(q, args)
	if err != nil {
		return 0, err
	}
	res, err := s.run(ctx, q).ExecContext(ctx, a...)
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// ExecOne is Exec that returns ErrNotFound when no row changed.
func (s Scope) ExecOne(ctx context.Context, q *Query, args ...any) error {
	n, err := s.Exec(ctx, q, args...)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// Tx runs fn in one transaction (an immediate one on SQLite, so that it holds
// the write lock from its first statement). Inside a transaction, Tx simply
// calls fn. fn's error rolls the transaction back.
func (s Scope) Tx(ctx context.Context, fn func(Scope) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	inner := s
	inner.tx = tx
	if err := fn(inner); err != nil {
		_ = tx.Rollback()
		return err
	}
	return mapErr(tx.Commit())
}

// Millis converts a time to the stored form: milliseconds since the Unix epoch, UTC.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Time converts a stored timestamp back; 0 is the zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullTime converts a nullable stored timestamp.
func NullTime(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return Time(ms.Int64)
}
