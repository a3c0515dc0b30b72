// Package contact manages customers (contacts): their names, e-mail
// addresses, phone numbers, ids in other systems, custom attributes and
// tags (such as "VIP", which routing rules and agents use).
// An identity (an address, a number, an external id) belongs to one contact
// of a tenant, which is how one person stays one profile across channels.
package contact

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Limits on a contact.
const (
	MaxEmails      = 10
	MaxPhones      = 10
	MaxExternalIDs = 20
	MaxAttributes  = 50
	MaxAttrText    = 1000
	MaxTags        = 20 // tags of one contact
	MaxTagLen      = 32 // characters of one tag
)

// ExternalID is the contact's id in another system (a shop, a CRM).
type ExternalID struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// AttrValue is one custom attribute value: a JSON string, number, boolean or null.
type AttrValue = json.RawMessage

// Contact is a customer.
type Contact struct {
	ID          string               `json:"id"`
	Name        string               `json:"name"`
	Emails      []string             `json:"emails"`
	Phones      []string             `json:"phones"`
	ExternalIDs []ExternalID         `json:"external_ids"`
	Attributes  map[string]AttrValue `json:"attributes"`
	Tags        []string             `json:"tags"` // in the order they were added, never nil
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
}

// Input creates a contact, or changes one: in a change, nil fields stay as
// they are and a list given replaces the old one.
type Input struct {
	Name        *string
	Emails      []string
	Phones      []string
	ExternalIDs []ExternalID
	Attributes  map[string]AttrValue
	Tags        []string
}

// Service manages contacts.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the contact service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

const (
	kindEmail    = "email"
	kindPhone    = "phone"
	kindExternal = "external"
)

var (
	attrKeyRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	sourceRE  = regexp.MustCompile(`^[a-z0-9_.-]{1,40}$`)
)

type identity struct{ kind, source, value string }

// normalize validates the input and returns the identities it names.
func normalize(in *Input) (map[string][]identity, error) {
	ids := map[string][]identity{}
	if in.Name != nil {
		n, err := validate.Name("name", *in.Name, false, 200)
		if err != nil {
			return nil, err
		}
		in.Name = &n
	}
	if in.Emails != nil {
		if len(in.Emails) > MaxEmails {
			return nil, apperr.Invalidf("emails", "too_many", "max", MaxEmails)
		}
		ids[kindEmail] = []identity{}
		for i, e := range in.Emails {
			n, err := validate.Email(fmt.Sprintf("emails[%d]", i), e)
			if err != nil {
				return nil, err
			}
			in.Emails[i] = n
			ids[kindEmail] = append(ids[kindEmail], identity{kindEmail, "", n})
		}
	}
	if in.Phones != nil {
		if len(in.Phones) > MaxPhones {
			return nil, apperr.Invalidf("phones", "too_many", "max", MaxPhones)
		}
		ids[kindPhone] = []identity{}
		for i, p := range in.Phones {
			n, err := validate.Phone(fmt.Sprintf("phones[%d]", i), p)
			if err != nil {
				return nil, err
			}
			in.Phones[i] = n
			ids[kindPhone] = append(ids[kindPhone], identity{kindPhone, "", n})
		}
	}
	if in.ExternalIDs != nil {
		if len(in.ExternalIDs) > MaxExternalIDs {
			return nil, apperr.Invalidf("external_ids", "too_many", "max", MaxExternalIDs)
		}
		ids[kindExternal] = []identity{}
		for i, x := range in.ExternalIDs {
			if !sourceRE.MatchString(x.Source) {
				return nil, apperr.Invalidf(fmt.Sprintf("external_ids[%d].source", i), "invalid_source")
			}
			v, err := validate.Name(fmt.Sprintf("external_ids[%d].id", i), x.ID, true, 200)
			if err != nil {
				return nil, err
			}
			in.ExternalIDs[i].ID = v
			ids[kindExternal] = append(ids[kindExternal], identity{kindExternal, x.Source, v})
		}
	}
	for kind, list := range ids {
		seen := map[identity]bool{}
		for _, x := range list {
			if seen[x] {
				return nil, apperr.Invalidf(fieldOf(kind), "repeated_value")
			}
			seen[x] = true
		}
	}
	if in.Tags != nil {
		tags, err := NormalizeTags("tags", in.Tags)
		if err != nil {
			return nil, err
		}
		in.Tags = tags
	}
	if in.Attributes != nil {
		if len(in.Attributes) > MaxAttributes {
			return nil, apperr.Invalidf("attributes", "too_many", "max", MaxAttributes)
		}
		for k, v := range in.Attributes {
			field := "attributes." + k
			if !attrKeyRE.MatchString(k) {
				return nil, apperr.Invalidf("attributes", "invalid_attribute_key")
			}
			v = bytes.TrimSpace(v)
			if len(v) == 0 {
				return nil, apperr.Invalidf(field, "invalid_attribute_value")
			}
			switch v[0] {
			case '{', '[':
				return nil, apperr.Invalidf(field, "invalid_attribute_value")
			case '"':
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					return nil, apperr.Invalidf(field, "invalid_attribute_value")
				}
				if _, err := validate.Text(field, s, MaxAttrText); err != nil {
					return nil, err
				}
			default:
				if !json.Valid(v) {
					return nil, apperr.Invalidf(field, "invalid_attribute_value")
				}
			}
			in.Attributes[k] = v
		}
	}
	return ids, nil
}

func fieldOf(kind string) string {
	switch kind {
	case kindEmail:
		return "emails"
	case kindPhone:
		return "phones"
	}
	return "external_ids"
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Create adds a contact.
func (s *Service) Create(ctx context.Context, tenantID string, in Input) (Contact, error) {
	ids, err := normalize(&in)
	if err != nil {
		return Contact{}, err
	}
	now := s.stamp()
	c := Contact{ID: id.New(), CreatedAt: now, UpdatedAt: now, Attributes: in.Attributes, Tags: in.Tags}
	if in.Name != nil {
		c.Name = *in.Name
	}
	if c.Attributes == nil {
		c.Attributes = map[string]AttrValue{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	attrs, _ := json.Marshal(c.Attributes)
	tags, _ := json.Marshal(c.Tags)
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if _, err := tx.Exec(ctx, q.Get("CreateContact"), c.ID, c.Name, string(attrs), store.Millis(now), string(tags)); err != nil {
			return err
		}
		return writeIdentities(ctx, tx, c.ID, ids)
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, c.ID)
}

func writeIdentities(ctx context.Context, tx store.Scope, contactID string, ids map[string][]identity) error {
	kinds := make([]string, 0, len(ids))
	for k := range ids {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if _, err := tx.Exec(ctx, q.Get("DeleteIdentities"), contactID, kind); err != nil {
			return err
		}
		for i, x := range ids[kind] {
			_, err := tx.Exec(ctx, q.Get("AddIdentity"), contactID, x.kind, x.source, x.value, i)
			if errors.Is(err, store.ErrConflict) {
				return apperr.Conflictf(fieldOf(kind), err)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func scanContact(r interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var attrs, tags string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Name, &attrs, &created, &updated, &tags); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	c.Attributes = map[string]AttrValue{}
	if err := json.Unmarshal([]byte(attrs), &c.Attributes); err != nil {
		return c, fmt.Errorf("contact %s: stored attributes: %w", c.ID, err)
	}
	var err error
	if c.Tags, err = decodeTags(tags); err != nil {
		return c, fmt.Errorf("contact %s: %w", c.ID, err)
	}
	return c, nil
}

func (s *Service) fillIdentities(ctx context.Context, sc store.Scope, c *Contact) error {
	c.Emails, c.Phones, c.ExternalIDs = []string{}, []string{}, []ExternalID{}
	rows, err := sc.Query(ctx, q.Get("Identities"), c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var x identity
		if err := rows.Scan(&x.kind, &x.source, &x.value); err != nil {
			return err
		}
		switch x.kind {
		case kindEmail:
			c.Emails = append(c.Emails, x.value)
		case kindPhone:
			c.Phones = append(c.Phones, x.value)
		case kindExternal:
			c.ExternalIDs = append(c.ExternalIDs, ExternalID{Source: x.source, ID: x.value})
		}
	}
	return rows.Err()
}

// Get returns one contact.
func (s *Service) Get(ctx context.Context, tenantID, contactID string) (Contact, error) {
	sc := s.db.Tenant(tenantID)
	c, err := scanContact(sc.QueryRow(ctx, q.Get("GetContact"), contactID))
	if errors.Is(err, store.ErrNotFound) {
		return c, apperr.NotFoundf("contact")
	}
	if err != nil {
		return c, err
	}
	return c, s.fillIdentities(ctx, sc, &c)
}

// ByEmail finds the contact with this address.
func (s *Service) ByEmail(ctx context.Context, tenantID, email string) (Contact, error) {
	e, err := validate.Email("email", email)
	if err != nil {
		return Contact{}, err
	}
	var cid string
	err = s.db.Tenant(tenantID).QueryRow(ctx, q.Get("ContactByIdentity"), kindEmail, "", e).Scan(&cid)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, apperr.NotFoundf("contact")
	}
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, cid)
}

// List returns one page of contacts, oldest first.
func (s *Service) List(ctx context.Context, tenantID string, p store.Page) ([]Contact, string, error) {
	p = p.Normalized()
	sc := s.db.Tenant(tenantID)
	rows, err := sc.Query(ctx, q.Get("ListContacts"), p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	out := []Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(c Contact) string { return c.ID })
	for i := range out {
		if err := s.fillIdentities(ctx, sc, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// Update changes a contact: given lists replace the old ones; attributes
// are merged, and an attribute set to null is removed.
func (s *Service) Update(ctx context.Context, tenantID, contactID string, in Input) (Contact, error) {
	ids, err := normalize(&in)
	if err != nil {
		return Contact{}, err
	}
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		// Lock the row first (PostgreSQL), so that a tag added meanwhile
		// is not written over with the tags read here.
		var locked string
		err := tx.QueryRow(ctx, q.Get("ContactTags"), contactID).Scan(&locked)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundf("contact")
		}
		if err != nil {
			return err
		}
		c, err := scanContact(tx.QueryRow(ctx, q.Get("GetContact"), contactID))
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundf("contact")
		}
		if err != nil {
			return err
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		for k, v := range in.Attributes {
			if string(v) == "null" {
				delete(c.Attributes, k)
			} else {
				c.Attributes[k] = v
			}
		}
		if len(c.Attributes) > MaxAttributes {
			return apperr.Invalidf("attributes", "too_many", "max", MaxAttributes)
		}
		if in.Tags != nil {
			c.Tags = in.Tags
		}
		attrs, _ := json.Marshal(c.Attributes)
		tags, _ := json.Marshal(c.Tags)
		if err := tx.ExecOne(ctx, q.Get("UpdateContact"), c.ID, c.Name, string(attrs), store.Millis(s.stamp()), string(tags)); err != nil {
			return err
		}
		return writeIdentities(ctx, tx, c.ID, ids)
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, contactID)
}

// Delete removes a contact with their identities and conversations.
func (s *Service) Delete(ctx context.Context, tenantID, contactID string) error {
	err := s.db.Tenant(tenantID).ExecOne(ctx, q.Get("DeleteContact"), contactID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFoundf("contact")
	}
	return err
}

// ByExternalID finds the contact with an id in another system (source "site"
// is the website that vouches for its signed-in users).
func (s *Service) ByExternalID(ctx context.Context, tenantID, source, externalID string) (Contact, error) {
	var cid string
	err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("ContactByIdentity"), kindExternal, source, externalID).Scan(&cid)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, apperr.NotFoundf("contact")
	}
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, cid)
}

// AddEmail adds an address to a contact unless it is invalid, already the
// contact's, or another contact's (then nothing changes and the error says
// so): an address typed into a form proves nothing, so it never merges two
// contacts.
func (s *Service) AddEmail(ctx context.Context, tenantID, contactID, email string) error {
	e, err := validate.Email("email", email)
	if err != nil {
		return err
	}
	return s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		var owner string
		err := tx.QueryRow(ctx, q.Get("ContactByIdentity"), kindEmail, "", e).Scan(&owner)
		if err == nil {
			if owner == contactID {
				return nil
			}
			return apperr.Conflictf("email", nil)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, q.Get("CountIdentities"), contactID, kindEmail).Scan(&n); err != nil {
			return err
		}
		if n >= MaxEmails {
			return apperr.Invalidf("emails", "too_many", "max", MaxEmails)
		}
		_, err = tx.Exec(ctx, q.Get("AddIdentity"), contactID, kindEmail, "", e, n)
		if errors.Is(err, store.ErrConflict) {
			return apperr.Conflictf("email", err)
		}
		return err
	})
}
