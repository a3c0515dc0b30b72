package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// Filter narrows a list or a search; empty fields match everything.
type Filter struct {
	Language   string
	Status     Status
	CategoryID string
	Tag        string
	Kind       Kind
}

func (f Filter) args() []any {
	// The order of $3…$7 in ListEntries and SearchEntries.
	return []any{f.Language, string(f.Status), f.CategoryID, string(f.Kind), NormalizeTag(f.Tag)}
}

func (f Filter) check() error {
	if f.Status != "" && !f.Status.valid() {
		return apperr.Invalidf("status", "kb_invalid_status")
	}
	if f.Kind != "" && f.Kind != KindFAQ && f.Kind != KindArticle {
		return apperr.Invalidf("kind", "kb_invalid_kind")
	}
	return nil
}

func scanEntry(r interface{ Scan(...any) error }, extra ...any) (Entry, error) {
	var e Entry
	var content, status string
	var created, updated int64
	dest := append([]any{&e.ID, &status, &e.Version, &e.PublishedVersion, &e.TranslationGroup, &content, &e.ReviewComment,
		&e.CreatedBy, &e.UpdatedBy, &created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return e, err
	}
	e.Status, e.CreatedAt, e.UpdatedAt = Status(status), store.Time(created), store.Time(updated)
	if err := json.Unmarshal([]byte(content), &e.Content); err != nil {
		return e, fmt.Errorf("kb entry %s: stored content: %w", e.ID, err)
	}
	return e, nil
}

func getEntry(ctx context.Context, sc store.Scope, entryID string) (Entry, error) {
	e, err := scanEntry(sc.QueryRow(ctx, q.Get("GetEntry"), entryID))
	if isNotFound(err) {
		return e, apperr.NotFoundf("kb_entry")
	}
	return e, err
}

func millisOf(t interface{ UnixMilli() int64 }) int64 { return t.UnixMilli() }

func validity(c *Content) (from, until int64) {
	if c.ValidFrom != nil {
		from = millisOf(c.ValidFrom)
	}
	if c.ValidUntil != nil {
		until = millisOf(c.ValidUntil)
	}
	return from, until
}

// Get returns one entry's working copy.
func (s *Service) Get(ctx context.Context, tenantID, entryID string) (Entry, error) {
	sc := s.db.Tenant(tenantID)
	e, err := getEntry(ctx, sc, entryID)
	if err != nil {
		return e, err
	}
	t, _, err := loadTree(ctx, sc)
	if err != nil {
		return e, err
	}
	e.CategoryPath = t.path(e.CategoryID)
	return e, nil
}

// List returns one page of entries (working copies) in id order.
func (s *Service) List(ctx context.Context, tenantID string, f Filter, p store.Page) ([]Entry, string, error) {
	if err := f.check(); err != nil {
		return nil, "", err
	}
	p = p.Normalized()
	sc := s.db.Tenant(tenantID)
	args := append([]any{p.After}, f.args()...)
	rows, err := sc.Query(ctx, q.Get("ListEntries"), append(args, p.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(e Entry) string { return e.ID })
	t, _, err := loadTree(ctx, sc)
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i].CategoryPath = t.path(out[i].CategoryID)
	}
	return out, next, nil
}

func checkCategory(ctx context.Context, tx store.Scope, categoryID string) error {
	if categoryID == "" {
		return nil
	}
	if _, err := scanCategory(tx.QueryRow(ctx, q.Get("GetCategory"), categoryID)); err != nil {
		if isNotFound(err) {
			return apperr.Invalidf("category_id", "unknown_reference")
		}
		return err
	}
	return nil
}

func checkNote(note string) (string, error) {
	return validate.Name("note", note, false, MaxNoteRunes)
}

// Create adds an entry as a draft, version 1.
func (s *Service) Create(ctx context.Context, tenantID string, actor Actor, in EntryInput) (Entry, error) {
	var c Content
	if err := apply(&c, in); err != nil {
		return Entry{}, err
	}
	if err := complete(&c); err != nil {
		return Entry{}, err
	}
	note, err := checkNote(in.Note)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if err := checkCategory(ctx, tx, c.CategoryID); err != nil {
			return err
		}
		group := ""
		if in.TranslationOf != "" {
			if !id.Valid(in.TranslationOf) {
				return apperr.Invalidf("translation_of", "unknown_reference")
			}
			other, err := getEntry(ctx, tx, in.TranslationOf)
			if err != nil {
				if apperr.IsKind(err, apperr.NotFound) {
					return apperr.Invalidf("translation_of", "unknown_reference")
				}
				return err
			}
			group = other.TranslationGroup
		}
		var err error
		out, err = s.insert(ctx, tx, actor, c, group, StatusDraft, note)
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, tenantID, out.ID)
}

// insert stores a new entry with its first version.
func (s *Service) insert(ctx context.Context, tx store.Scope, actor Actor, c Content, group string, status Status, note string) (Entry, error) {
	now := s.stamp()
	e := Entry{ID: id.New(), Content: c, Status: status, Version: 1, TranslationGroup: group,
		CreatedBy: actor.ID, UpdatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	if e.TranslationGroup == "" {
		e.TranslationGroup = e.ID
	}
	if status == StatusPublished {
		e.PublishedVersion = 1
	}
	body, _ := json.Marshal(e.Content)
	from, until := validity(&e.Content)
	sq, st, sa := indexOf(&e.Content)
	_, err := tx.Exec(ctx, q.Get("CreateEntry"), e.ID, string(c.Kind), c.Language, nullable(c.CategoryID), string(status),
		e.Version, e.PublishedVersion, e.TranslationGroup, QuestionKey(c.Question), string(body), from, until,
		sq, st, sa, actor.ID, store.Millis(now))
	if errors.Is(err, store.ErrConflict) {
		return e, apperr.New(apperr.Conflict, "kb_translation_exists", "language")
	}
	if err != nil {
		return e, err
	}
	if err := addTags(ctx, tx, e.ID, c.Tags); err != nil {
		return e, err
	}
	_, err = tx.Exec(ctx, q.Get("AddVersion"), e.ID, e.Version, string(status), string(body), actor.ID, note, store.Millis(now))
	return e, err
}

func writeTags(ctx context.Context, tx store.Scope, entryID string, tags []string) error {
	if _, err := tx.Exec(ctx, q.Get("DeleteTags"), entryID); err != nil {
		return err
	}
	return addTags(ctx, tx, entryID, tags)
}

func addTags(ctx context.Context, tx store.Scope, entryID string, tags []string) error {
	for _, t := range tags {
		if _, err := tx.Exec(ctx, q.Get("AddTag"), entryID, t); err != nil {
			return err
		}
	}
	return nil
}

// Update changes an entry's content: a new version of the working copy,
// which becomes a draft again. A published version stays live until the
// new one is approved. Changing the validity dates of a live entry takes
// effect at once, so it needs a reviewer.
func (s *Service) Update(ctx context.Context, tenantID string, actor Actor, entryID string, in EntryInput) (Entry, error) {
	note, err := checkNote(in.Note)
	if err != nil {
		return Entry{}, err
	}
	return s.edit(ctx, tenantID, actor, entryID, note, func(c *Content) error { return apply(c, in) })
}

// edit changes the working copy with fn and saves it as a new version.
func (s *Service) edit(ctx context.Context, tenantID string, actor Actor, entryID, note string, fn func(*Content) error) (Entry, error) {
	var live bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		e, err := getEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if e.Status == StatusArchived {
			return badState(e.Status)
		}
		c := e.Content
		if err := fn(&c); err != nil {
			return err
		}
		if err := complete(&c); err != nil {
			return err
		}
		before, _ := json.Marshal(e.Content)
		after, _ := json.Marshal(c)
		if string(before) == string(after) {
			return nil // nothing changed: no new version
		}
		if err := checkCategory(ctx, tx, c.CategoryID); err != nil {
			return err
		}
		f0, u0 := validity(&e.Content)
		f1, u1 := validity(&c)
		validityChanged := f0 != f1 || u0 != u1
		if validityChanged && e.Live() {
			if !actor.Reviewer {
				return errReviewer()
			}
			live = true
		}
		e.Content, e.Version, e.Status, e.UpdatedBy = c, e.Version+1, StatusDraft, actor.ID
		if err := s.save(ctx, tx, &e, string(after), note); err != nil {
			return err
		}
		if live {
			return bump(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	if live {
		s.changed(tenantID)
	}
	return s.Get(ctx, tenantID, entryID)
}

// save writes the working copy and its new version.
func (s *Service) save(ctx context.Context, tx store.Scope, e *Entry, body, note string) error {
	now := s.stamp()
	e.UpdatedAt = now
	c := &e.Content
	from, until := validity(c)
	sq, st, sa := indexOf(c)
	err := tx.ExecOne(ctx, q.Get("SaveEntry"), e.ID, string(c.Kind), c.Language, nullable(c.CategoryID), string(e.Status), e.Version,
		QuestionKey(c.Question), body, from, until, sq, st, sa, e.UpdatedBy, store.Millis(now), e.ReviewComment)
	if errors.Is(err, store.ErrConflict) {
		return apperr.New(apperr.Conflict, "kb_translation_exists", "language")
	}
	if err != nil {
		return err
	}
	if err := writeTags(ctx, tx, e.ID, c.Tags); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, q.Get("AddVersion"), e.ID, e.Version, string(e.Status), body, e.UpdatedBy, note, store.Millis(now))
	return err
}

// Delete removes an entry with its versions. Deleting a live entry takes
// an answer away from customers, so it needs a reviewer.
func (s *Service) Delete(ctx context.Context, tenantID string, actor Actor, entryID string) error {
	var live bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		e, err := getEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if e.PublishedVersion > 0 && !actor.Reviewer {
			return errReviewer()
		}
		if err := tx.ExecOne(ctx, q.Get("DeleteEntry"), entryID); err != nil {
			return err
		}
		if e.Live() {
			live = true
			return bump(ctx, tx)
		}
		return nil
	})
	if err == nil && live {
		s.changed(tenantID)
	}
	return err
}

// transition moves an entry through the workflow.
func (s *Service) transition(ctx context.Context, tenantID string, actor Actor, entryID string,
	fn func(e *Entry) error) (Entry, error) {
	var announce bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		e, err := getEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		wasLive, wasVersion := e.Live(), e.PublishedVersion
		if err := fn(&e); err != nil {
			return err
		}
		e.UpdatedBy = actor.ID
		if err := tx.ExecOne(ctx, q.Get("SetEntryState"), e.ID, string(e.Status), e.PublishedVersion, e.ReviewComment,
			actor.ID, store.Millis(s.stamp())); err != nil {
			return err
		}
		if wasLive != e.Live() || (e.Live() && wasVersion != e.PublishedVersion) {
			announce = true
			return bump(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	if announce {
		s.changed(tenantID)
	}
	return s.Get(ctx, tenantID, entryID)
}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, tenantID string, actor Actor, entryID string) (Entry, error) {
	return s.transition(ctx, tenantID, actor, entryID, func(e *Entry) error {
		if e.Status != StatusDraft {
			return badState(e.Status)
		}
		e.Status = StatusInReview
		return nil
	})
}

// Approve publishes the working copy under review: from now on customers
// get this version.
func (s *Service) Approve(ctx context.Context, tenantID string, actor Actor, entryID string) (Entry, error) {
	if !actor.Reviewer {
		return Entry{}, errReviewer()
	}
	return s.transition(ctx, tenantID, actor, entryID, func(e *Entry) error {
		if e.Status != StatusInReview {
			return badState(e.Status)
		}
		e.Status, e.PublishedVersion, e.ReviewComment = StatusPublished, e.Version, ""
		return nil
	})
}

// Reject sends the working copy under review back to draft with the
// reviewer's comment. A published version stays live.
func (s *Service) Reject(ctx context.Context, tenantID string, actor Actor, entryID, comment string) (Entry, error) {
	if !actor.Reviewer {
		return Entry{}, errReviewer()
	}
	c, err := validate.Text("comment", comment, MaxNoteRunes)
	if err != nil {
		return Entry{}, err
	}
	return s.transition(ctx, tenantID, actor, entryID, func(e *Entry) error {
		if e.Status != StatusInReview {
			return badState(e.Status)
		}
		e.Status, e.ReviewComment = StatusDraft, c
		return nil
	})
}

// Archive withdraws an entry: customers get nothing from it any more.
func (s *Service) Archive(ctx context.Context, tenantID string, actor Actor, entryID string) (Entry, error) {
	if !actor.Reviewer {
		return Entry{}, errReviewer()
	}
	return s.transition(ctx, tenantID, actor, entryID, func(e *Entry) error {
		if e.Status == StatusArchived {
			return badState(e.Status)
		}
		e.Status = StatusArchived
		return nil
	})
}

// Unarchive brings an archived entry back: its published version, if it
// had one, is live again; the working copy is published when it is that
// version, else a draft.
func (s *Service) Unarchive(ctx context.Context, tenantID string, actor Actor, entryID string) (Entry, error) {
	if !actor.Reviewer {
		return Entry{}, errReviewer()
	}
	return s.transition(ctx, tenantID, actor, entryID, func(e *Entry) error {
		if e.Status != StatusArchived {
			return badState(e.Status)
		}
		e.Status = StatusDraft
		if e.PublishedVersion > 0 && e.PublishedVersion == e.Version {
			e.Status = StatusPublished
		}
		return nil
	})
}

// Translations returns the entries of an entry's translation group, the
// entry included, by language.
func (s *Service) Translations(ctx context.Context, tenantID, entryID string) ([]Entry, error) {
	sc := s.db.Tenant(tenantID)
	e, err := getEntry(ctx, sc, entryID)
	if err != nil {
		return nil, err
	}
	rows, err := sc.Query(ctx, q.Get("TranslationGroup"), e.TranslationGroup)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		x, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// LinkTranslation puts other into entry's translation group: they are the
// same content in two languages. A group has one entry per language.
func (s *Service) LinkTranslation(ctx context.Context, tenantID string, actor Actor, entryID, otherID string) ([]Entry, error) {
	if otherID == entryID {
		return nil, apperr.Invalidf("entry_id", "kb_translation_self")
	}
	var live bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		e, err := getEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		other, err := getEntry(ctx, tx, otherID)
		if err != nil {
			if apperr.IsKind(err, apperr.NotFound) {
				return apperr.Invalidf("entry_id", "unknown_reference")
			}
			return err
		}
		if other.TranslationGroup == e.TranslationGroup {
			return nil
		}
		err = tx.ExecOne(ctx, q.Get("SetTranslationGroup"), otherID, e.TranslationGroup, store.Millis(s.stamp()))
		if errors.Is(err, store.ErrConflict) {
			return apperr.New(apperr.Conflict, "kb_translation_exists", "entry_id")
		}
		if err != nil {
			return err
		}
		if other.Live() {
			live = true
			return bump(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if live {
		s.changed(tenantID)
	}
	return s.Translations(ctx, tenantID, entryID)
}

// UnlinkTranslation takes an entry out of its translation group.
func (s *Service) UnlinkTranslation(ctx context.Context, tenantID string, actor Actor, entryID string) (Entry, error) {
	var live bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		e, err := getEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, q.Get("SetTranslationGroup"), entryID, id.New(), store.Millis(s.stamp())); err != nil {
			return err
		}
		if e.Live() {
			live = true
			return bump(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	if live {
		s.changed(tenantID)
	}
	return s.Get(ctx, tenantID, entryID)
}
