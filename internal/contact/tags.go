package contact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// NormalizeTags checks a list of tags and returns it trimmed, without
// repeats: two tags that differ only in case are one, spelled as the first
// of them. Each tag has 1 to MaxTagLen characters, no control characters
// and no comma (tags are often written as a comma-separated list
// elsewhere); a contact has at most MaxTags. field names the list in errors
// ("tags", or "tag" for a single one).
func NormalizeTags(field string, tags []string) ([]string, error) {
	out := make([]string, 0, min(len(tags), MaxTags))
	seen := make(map[string]bool, len(out))
	for i, raw := range tags {
		f := field
		if field == "tags" {
			f = fmt.Sprintf("tags[%d]", i)
		}
		tag, err := normalizeTag(f, raw)
		if err != nil {
			return nil, err
		}
		key := tagKey(tag)
		if seen[key] {
			continue
		}
		if len(out) == MaxTags {
			return nil, apperr.Invalidf(field, "too_many", "max", MaxTags)
		}
		seen[key] = true
		out = append(out, tag)
	}
	return out, nil
}

func normalizeTag(field, raw string) (string, error) {
	tag, err := validate.Name(field, raw, true, MaxTagLen)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(tag, ",，") {
		return "", apperr.Invalidf(field, "contact_tag_comma")
	}
	return tag, nil
}

// tagKey is what two tags that are "the same" have in common.
func tagKey(tag string) string { return strings.ToLower(tag) }

func decodeTags(s string) ([]string, error) {
	tags := []string{}
	if s == "" {
		return tags, nil
	}
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, fmt.Errorf("stored tags: %w", err)
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}

// HasTag reports whether a contact has a tag, whatever its case.
func (c Contact) HasTag(tag string) bool {
	k := tagKey(strings.TrimSpace(tag))
	for _, t := range c.Tags {
		if tagKey(t) == k {
			return true
		}
	}
	return false
}

// AddTag adds a tag to a contact and returns the contact. A tag the
// contact already has (in any case) changes nothing.
func (s *Service) AddTag(ctx context.Context, tenantID, contactID, tag string) (Contact, error) {
	t, err := normalizeTag("tag", tag)
	if err != nil {
		return Contact{}, err
	}
	err = s.changeTags(ctx, tenantID, contactID, func(tags []string) ([]string, error) {
		for _, x := range tags {
			if tagKey(x) == tagKey(t) {
				return nil, nil
			}
		}
		if len(tags) >= MaxTags {
			return nil, apperr.Invalidf("tags", "too_many", "max", MaxTags)
		}
		return append(tags, t), nil
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, contactID)
}

// RemoveTag removes a tag (in any case) from a contact and returns the
// contact; a tag the contact does not have is not found.
func (s *Service) RemoveTag(ctx context.Context, tenantID, contactID, tag string) (Contact, error) {
	k := tagKey(strings.TrimSpace(tag))
	err := s.changeTags(ctx, tenantID, contactID, func(tags []string) ([]string, error) {
		for i, x := range tags {
			if tagKey(x) == k {
				return append(tags[:i:i], tags[i+1:]...), nil
			}
		}
		return nil, apperr.NotFoundf("contact_tag")
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, tenantID, contactID)
}

// changeTags reads a contact's tags (locking the row on PostgreSQL),
// passes them to fn and stores what it returns (nil: no change).
func (s *Service) changeTags(ctx context.Context, tenantID, contactID string, fn func([]string) ([]string, error)) error {
	return s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		var stored string
		err := tx.QueryRow(ctx, q.Get("ContactTags"), contactID).Scan(&stored)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundf("contact")
		}
		if err != nil {
			return err
		}
		tags, err := decodeTags(stored)
		if err != nil {
			return fmt.Errorf("contact %s: %w", contactID, err)
		}
		next, err := fn(tags)
		if err != nil || next == nil {
			return err
		}
		b, _ := json.Marshal(next)
		return tx.ExecOne(ctx, q.Get("SetContactTags"), contactID, string(b), store.Millis(s.stamp()))
	})
}
