package kb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// Category groups entries. Categories form a tree per tenant; siblings are
// ordered by Position, then name.
type Category struct {
	ID        string    `json:"id"`
	ParentID  string    `json:"parent_id"`
	Name      string    `json:"name"`
	Position  int       `json:"position"`
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CategoryInput creates or changes a category; nil fields stay as they are
// ("" parent moves it to the top level).
type CategoryInput struct {
	ParentID *string
	Name     *string
	Position *int
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func scanCategory(r interface{ Scan(...any) error }) (Category, error) {
	var c Category
	var parent sql.NullString
	var created, updated int64
	var pos int64
	err := r.Scan(&c.ID, &parent, &c.Name, &pos, &created, &updated)
	c.ParentID, c.Position, c.CreatedAt, c.UpdatedAt = parent.String, int(pos), store.Time(created), store.Time(updated)
	return c, err
}

// tree is every category of a tenant, by id.
type tree map[string]Category

func loadTree(ctx context.Context, sc store.Scope) (tree, []Category, error) {
	rows, err := sc.Query(ctx, q.Get("AllCategories"), MaxCategories+1)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	t := tree{}
	var order []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, nil, err
		}
		t[c.ID] = c
		order = append(order, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for i := range order {
		order[i].Path = t.path(order[i].ID)
	}
	return t, order, nil
}

// path names a category and its ancestors, "Shipping/International".
func (t tree) path(id string) string {
	var parts []string
	for i := 0; id != "" && i <= MaxCategoryDepth+1; i++ {
		c, ok := t[id]
		if !ok {
			break
		}
		parts = append([]string{c.Name}, parts...)
		id = c.ParentID
	}
	return strings.Join(parts, "/")
}

func (t tree) depth(id string) int {
	d := 0
	for ; id != "" && d <= MaxCategoryDepth+1; d++ {
		id = t[id].ParentID
	}
	return d
}

// childOf reports whether id is below ancestor (or is it).
func (t tree) childOf(id, ancestor string) bool {
	for i := 0; id != "" && i <= MaxCategoryDepth+1; i++ {
		if id == ancestor {
			return true
		}
		id = t[id].ParentID
	}
	return false
}

func checkCategoryName(name string) (string, error) {
	n, err := validate.Name("name", name, true, MaxCategoryName)
	if err != nil {
		return "", err
	}
	if strings.Contains(n, "/") {
		return "", apperr.Invalidf("name", "kb_category_slash")
	}
	return n, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Categories returns every category of a tenant in tree order: parents
// before children, siblings by position then name.
func (s *Service) Categories(ctx context.Context, tenantID string) ([]Category, error) {
	_, order, err := loadTree(ctx, s.db.Tenant(tenantID))
	if err != nil {
		return nil, err
	}
	children := map[string][]Category{}
	for _, c := range order {
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	out := make([]Category, 0, len(order))
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		if depth > MaxCategoryDepth {
			return
		}
		for _, c := range children[parent] {
			out = append(out, c)
			walk(c.ID, depth+1)
		}
	}
	walk("", 0)
	return out, nil
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, tenantID, categoryID string) (Category, error) {
	sc := s.db.Tenant(tenantID)
	t, _, err := loadTree(ctx, sc)
	if err != nil {
		return Category{}, err
	}
	c, ok := t[categoryID]
	if !ok {
		return Category{}, apperr.NotFoundf("kb_category")
	}
	c.Path = t.path(c.ID)
	return c, nil
}

// CreateCategory adds a category, at the top level or under a parent.
func (s *Service) CreateCategory(ctx context.Context, tenantID string, in CategoryInput) (Category, error) {
	if in.Name == nil {
		return Category{}, apperr.Invalidf("name", "required")
	}
	var out Category
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		var err error
		out, err = s.createCategory(ctx, tx, in)
		return err
	})
	return out, err
}

func (s *Service) createCategory(ctx context.Context, tx store.Scope, in CategoryInput) (Category, error) {
	name, err := checkCategoryName(*in.Name)
	if err != nil {
		return Category{}, err
	}
	t, _, err := loadTree(ctx, tx)
	if err != nil {
		return Category{}, err
	}
	if len(t) >= MaxCategories {
		return Category{}, apperr.Invalidf("name", "kb_too_many_categories", "max", MaxCategories)
	}
	c := Category{ID: id.New(), Name: name}
	if in.ParentID != nil {
		c.ParentID = *in.ParentID
	}
	if c.ParentID != "" {
		if _, ok := t[c.ParentID]; !ok {
			return Category{}, apperr.Invalidf("parent_id", "unknown_reference")
		}
		if t.depth(c.ParentID) >= MaxCategoryDepth {
			return Category{}, apperr.Invalidf("parent_id", "kb_category_too_deep", "max", MaxCategoryDepth)
		}
	}
	if in.Position != nil {
		c.Position = *in.Position
	}
	now := s.stamp()
	c.CreatedAt, c.UpdatedAt = now, now
	if _, err := tx.Exec(ctx, q.Get("CreateCategory"), c.ID, nullable(c.ParentID), c.Name, c.Position, store.Millis(now)); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Category{}, apperr.Conflictf("name", err)
		}
		return Category{}, err
	}
	t[c.ID] = c
	c.Path = t.path(c.ID)
	return c, nil
}

// UpdateCategory renames, reorders or moves a category. A category cannot
// move under itself or its own descendants.
func (s *Service) UpdateCategory(ctx context.Context, tenantID, categoryID string, in CategoryInput) (Category, error) {
	var out Category
	var live bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		t, _, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		c, ok := t[categoryID]
		if !ok {
			return apperr.NotFoundf("kb_category")
		}
		if in.Name != nil {
			if c.Name, err = checkCategoryName(*in.Name); err != nil {
				return err
			}
		}
		if in.Position != nil {
			c.Position = *in.Position
		}
		if in.ParentID != nil && *in.ParentID != c.ParentID {
			p := *in.ParentID
			if p != "" {
				if _, ok := t[p]; !ok {
					return apperr.Invalidf("parent_id", "unknown_reference")
				}
				if t.childOf(p, c.ID) {
					return apperr.Invalidf("parent_id", "kb_category_cycle")
				}
				if t.depth(p)+subtreeHeight(t, c.ID) > MaxCategoryDepth {
					return apperr.Invalidf("parent_id", "kb_category_too_deep", "max", MaxCategoryDepth)
				}
			}
			c.ParentID = p
		}
		c.UpdatedAt = s.stamp()
		err = tx.ExecOne(ctx, q.Get("UpdateCategory"), c.ID, nullable(c.ParentID), c.Name, c.Position, store.Millis(c.UpdatedAt))
		if errors.Is(err, store.ErrConflict) {
			return apperr.Conflictf("name", err)
		}
		if err != nil {
			return err
		}
		t[c.ID] = c
		c.Path = t.path(c.ID)
		out = c
		// A renamed or moved category changes the category path of the
		// published entries under it.
		var n int
		if err := tx.QueryRow(ctx, q.Get("CountCategoryEntries"), c.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 && (in.Name != nil || in.ParentID != nil) {
			live = true
			return bump(ctx, tx)
		}
		return nil
	})
	if err == nil && live {
		s.changed(tenantID)
	}
	return out, err
}

func subtreeHeight(t tree, rootID string) int {
	h := 1
	for id := range t {
		if id != rootID && t.childOf(id, rootID) {
			d := 1
			for x := id; x != rootID && x != ""; x = t[x].ParentID {
				d++
			}
			if d > h {
				h = d
			}
		}
	}
	return h
}

// DeleteCategory removes an empty category: one with entries or child
// categories is refused (move or delete those first), so that deleting
// never hides knowledge by accident.
func (s *Service) DeleteCategory(ctx context.Context, tenantID, categoryID string) error {
	return s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if _, err := scanCategory(tx.QueryRow(ctx, q.Get("GetCategory"), categoryID)); err != nil {
			if isNotFound(err) {
				return apperr.NotFoundf("kb_category")
			}
			return err
		}
		var kids, entries int
		if err := tx.QueryRow(ctx, q.Get("CountChildCategories"), categoryID).Scan(&kids); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, q.Get("CountCategoryEntries"), categoryID).Scan(&entries); err != nil {
			return err
		}
		if kids > 0 || entries > 0 {
			return apperr.New(apperr.Conflict, "kb_category_not_empty", "", "categories", kids, "entries", entries)
		}
		return tx.ExecOne(ctx, q.Get("DeleteCategory"), categoryID)
	})
}

// ensurePath finds or creates the categories of a path such as
// "Shipping/International", returning the last one's id ("" for "").
func (s *Service) ensurePath(ctx context.Context, tx store.Scope, t tree, path string) (string, error) {
	parent := ""
	for _, part := range strings.Split(path, "/") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		found := ""
		for _, c := range t {
			if c.ParentID == parent && strings.EqualFold(c.Name, part) {
				found = c.ID
				break
			}
		}
		if found == "" {
			p := parent
			c, err := s.createCategory(ctx, tx, CategoryInput{ParentID: &p, Name: &part})
			if err != nil {
				return "", err
			}
			t[c.ID] = c
			found = c.ID
		}
		parent = found
	}
	return parent, nil
}
