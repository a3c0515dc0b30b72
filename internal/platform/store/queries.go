package store

import (
	"bufio"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Query is one named SQL statement, with optional per-dialect overrides.
//
// Every query is tenant-scoped unless its file marks it "-- global": a scoped
// query always receives the tenant id as $1 and must use it (see checkScoped),
// so that a statement that forgets the tenant cannot be loaded at all.
type Query struct {
	Name   string
	Global bool
	write  bool
	sql    map[Dialect]string
}

// SQL returns the statement text for a dialect.
func (q *Query) SQL(d Dialect) string {
	if s, ok := q.sql[d]; ok {
		return s
	}
	return q.sql[""]
}

// Queries is the set of named queries a domain package owns.
type Queries struct {
	byName map[string]*Query
}

// Get returns the named query; it panics when the name is unknown, which is a
// programming error caught by any test that runs the calling code.
func (qs *Queries) Get(name string) *Query {
	q, ok := qs.byName[name]
	if !ok {
		panic("store: unknown query " + name)
	}
	return q
}

// Names lists the query names in order, for tests.
func (qs *Queries) Names() []string {
	names := make([]string, 0, len(qs.byName))
	for n := range qs.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MustLoadQueries reads every *.sql file of fsys. A file named
// "queries.sql" holds the portable statements; "queries.sqlite.sql" and
// "queries.postgres.sql" override a statement by name for one dialect.
// A statement starts with "-- name: Name" and may be followed by "-- global".
// It panics on a malformed file or an unscoped statement: both are bugs.
func MustLoadQueries(fsys fs.FS) *Queries {
	qs, err := LoadQueries(fsys)
	if err != nil {
		panic(err)
	}
	return qs
}

// LoadQueries is MustLoadQueries returning the error.
func LoadQueries(fsys fs.FS) (*Queries, error) {
	qs := &Queries{byName: map[string]*Query{}}
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	// The portable file first: the overrides refer to its statements
	// ("queries.postgres.sql" would sort before "queries.sql").
	sort.Slice(files, func(i, j int) bool {
		if pi, pj := files[i] == "queries.sql", files[j] == "queries.sql"; pi != pj {
			return pi
		}
		return files[i] < files[j]
	})
	for _, f := range files {
		var dialect Dialect
		switch f {
		case "queries.sql":
		case "queries.sqlite.sql":
			dialect = SQLite
		case "queries.postgres.sql":
			dialect = Postgres
		default:
			return nil, fmt.Errorf("store: unexpected query file %s", f)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if err := parseQueries(qs, dialect, f, string(b)); err != nil {
			return nil, err
		}
	}
	for _, q := range qs.byName {
		if q.sql[""] == "" {
			return nil, fmt.Errorf("store: query %s has only a dialect override", q.Name)
		}
		for d, s := range q.sql {
			if err := checkScoped(q, s); err != nil {
				return nil, fmt.Errorf("store: query %s (%s): %w", q.Name, d, err)
			}
		}
	}
	loaded.Lock()
	for _, q := range qs.byName {
		loaded.queries = append(loaded.queries, q)
	}
	loaded.Unlock()
	return qs, nil
}

// loaded is every query the program has loaded (domain packages load theirs
// at start-up), so that a database can prepare them all once.
var loaded struct {
	sync.Mutex
	queries []*Query
}

func parseQueries(qs *Queries, dialect Dialect, file, text string) error {
	var cur *Query
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.sql[dialect] = strings.TrimSpace(body.String())
			first := strings.ToUpper(strings.Fields(cur.sql[dialect] + " x")[0])
			cur.write = cur.write || (first != "SELECT")
		}
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		t := strings.TrimSpace(l)
		if name, ok := strings.CutPrefix(t, "-- name:"); ok {
			flush()
			name = strings.TrimSpace(name)
			q := qs.byName[name]
			if q == nil {
				if dialect != "" {
					return fmt.Errorf("store: %s:%d: override %s has no portable query", file, line, name)
				}
				q = &Query{Name: name, sql: map[Dialect]string{}}
				qs.byName[name] = q
			} else if dialect == "" {
				return fmt.Errorf("store: %s:%d: duplicate query %s", file, line, name)
			}
			cur = q
			continue
		}
		if t == "-- global" && cur != nil {
			cur.Global = true
			continue
		}
		if strings.HasPrefix(t, "--") || cur == nil {
			continue
		}
		body.WriteString(l)
		body.WriteByte('\n')
	}
	flush()
	return sc.Err()
}

var (
	tenantPredicate = regexp.MustCompile(`(?i)\btenant_id\s*=\s*\$1\b`)
	tenantInsert    = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+\w+\s*\(\s*tenant_id\s*,.*?\)\s*(VALUES\s*\(\s*\$1\b|SELECT\s+\$1\b)`)
	fromOrJoin      = regexp.MustCompile(`(?i)\b(FROM|JOIN|UPDATE)\s+([a-z_]+)\b`)
)

// checkScoped refuses a tenant query that does not bind $1 to tenant_id for
// every table it reads or writes.
func checkScoped(q *Query, s string) error {
	if q.Global {
		return nil
	}
	if tenantInsert.MatchString(s) {
		return nil
	}
	tables := 0
	for _, m := range fromOrJoin.FindAllStringSubmatch(s, -1) {
		if strings.EqualFold(m[2], "tenants") {
			return fmt.Errorf("a tenant-scoped query must not read the tenants table; mark it -- global")
		}
		tables++
	}
	if tables == 0 {
		return fmt.Errorf("no table found; mark the query -- global if it is not tenant data")
	}
	if n := len(tenantPredicate.FindAllString(s, -1)); n < tables {
		return fmt.Errorf("uses %d table(s) but binds tenant_id = $1 only %d time(s)", tables, n)
	}
	return nil
}
