package store

import (
	"context"
	"database/sql"
)

// preparedStmt is one query prepared on the writer and on the reader pool.
type preparedStmt struct {
	write, read *sql.Stmt
}

// prepareAll prepares every loaded query on SQLite, once the schema is
// current: the pure-Go driver would otherwise parse each statement again on
// every call, which is a quarter of the CPU of a busy server. (PostgreSQL's
// driver keeps its own per-connection statement cache.) A query that does
// not prepare (a table of a newer schema) simply runs unprepared.
func (db *DB) prepareAll(ctx context.Context) {
	if db.dialect != SQLite {
		return
	}
	loaded.Lock()
	qs := append([]*Query(nil), loaded.queries...)
	loaded.Unlock()
	m := make(map[*Query]*preparedStmt, len(qs))
	for _, q := range qs {
		text := q.SQL(SQLite)
		w, err := db.write.PrepareContext(ctx, text)
		if err != nil {
			continue
		}
		r, err := db.read.PrepareContext(ctx, text)
		if err != nil {
			w.Close()
			continue
		}
		m[q] = &preparedStmt{write: w, read: r}
	}
	old := db.stmts.Swap(&m)
	if old != nil {
		for _, p := range *old {
			p.write.Close()
			p.read.Close()
		}
	}
}

func (db *DB) prepared(q *Query) *preparedStmt {
	m := db.stmts.Load()
	if m == nil {
		return nil
	}
	return (*m)[q]
}
